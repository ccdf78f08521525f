"""`python -m bench.layers` (the command behind "The floor, second round" in
docs/performance.md) still reaches every layer it names and gets the right answer
from each: a change to the application's composition would otherwise leave it
measuring something else, or nothing."""

from __future__ import annotations

import asyncio

from bench import layers


def test_every_layer_answers_and_is_timed() -> None:
    spent = asyncio.run(layers.measure(5))  # raises when a layer answers anything else
    assert len(spent) == 4
    assert all(len(rounds) == layers.ROUNDS and min(rounds) > 0 for rounds in spent.values())
