"""Optimistic retries pause a random, growing and bounded time."""

from __future__ import annotations

from services.commands import MAX_ATTEMPTS, RETRY_PAUSE_MAX_S, retry_pause


def test_pauses_grow_but_stay_bounded_and_add_up_to_well_under_a_second() -> None:
    worst = [max(retry_pause(a) for _ in range(2000)) for a in range(1, MAX_ATTEMPTS)]
    assert all(0 <= w <= RETRY_PAUSE_MAX_S for w in worst)
    assert worst[0] <= 0.002 < worst[-1]  # the first pause is short, later ones longer
    assert sum(worst) < 1.0  # a command gives up within about half a second of pauses
