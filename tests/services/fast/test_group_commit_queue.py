"""The group commit's queue on its own (services/group_commit.py): who leads,
what a group holds, and what each command learns."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from services.group_commit import GroupCommit, Queued


def queued_behind(groups: GroupCommit[str], key: str, names: list[str], commit) -> dict:  # type: ignore[no-untyped-def]
    """Sends "first" (whose commit waits until released), then ``names`` one by one
    (each queued before the next is sent); returns each command's outcome."""
    outcomes: dict[str, Queued[str]] = {}
    entered, release = threading.Event(), threading.Event()

    def gated(group: list[Queued[str]]) -> list[Queued[str]]:
        if group[0].command == "first":
            entered.set()
            assert release.wait(10)
        return commit(group)  # type: ignore[no-any-return]

    def send(name: str) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: outcomes.__setitem__(name, groups.submit(key, name, gated))
        )
        thread.start()
        return thread

    threads = [send("first")]
    assert entered.wait(10)
    for n, name in enumerate(names, start=1):
        threads.append(send(name))
        deadline = time.monotonic() + 10
        while groups.waiting(key) < n:
            assert time.monotonic() < deadline
            time.sleep(0.002)
    release.set()
    for thread in threads:
        thread.join(10)
    assert groups.waiting(key) == 0
    return outcomes


def recording(groups_seen: list[list[str]], fail: Callable[[str], bool] = lambda _: False):  # type: ignore[no-untyped-def]
    def commit(group: list[Queued[str]]) -> list[Queued[str]]:
        groups_seen.append([q.command for q in group])
        for q in group:
            if fail(q.command):
                q.fail(ValueError(q.command))
            else:
                q.succeed(q.command.upper())
        return []

    return commit


def test_commands_queued_behind_a_leader_form_the_next_group_in_order() -> None:
    seen: list[list[str]] = []
    outcomes = queued_behind(GroupCommit(), "c", ["a", "b", "c"], recording(seen))
    assert seen == [["first"], ["a", "b", "c"]]
    assert {name: q.value for name, q in outcomes.items()} == {
        "first": "FIRST",
        "a": "A",
        "b": "B",
        "c": "C",
    }


def test_a_group_holds_at_most_max_group_commands() -> None:
    seen: list[list[str]] = []
    queued_behind(GroupCommit(max_group=2), "c", ["a", "b", "c", "d", "e"], recording(seen))
    assert seen == [["first"], ["a", "b"], ["c", "d"], ["e"]]


def test_each_command_learns_its_own_failure() -> None:
    seen: list[list[str]] = []
    outcomes = queued_behind(GroupCommit(), "c", ["a", "b"], recording(seen, lambda n: n == "a"))
    assert isinstance(outcomes["a"].error, ValueError) and str(outcomes["a"].error) == "a"
    assert outcomes["b"].error is None and outcomes["b"].value == "B"


def test_a_commit_that_raises_fails_every_command_of_its_group_and_the_next_group_runs() -> None:
    seen: list[list[str]] = []
    broken = RuntimeError("the database went away")

    def commit(group: list[Queued[str]]) -> list[Queued[str]]:
        seen.append([q.command for q in group])
        if len(seen) == 2:
            raise broken
        for q in group:
            q.succeed(q.command)
        return []

    groups: GroupCommit[str] = GroupCommit(max_group=2)
    outcomes = queued_behind(groups, "c", ["a", "b", "c"], commit)
    assert seen == [["first"], ["a", "b"], ["c"]]
    assert outcomes["a"].error is broken and outcomes["b"].error is broken
    assert outcomes["c"].error is None and outcomes["first"].error is None


def test_commands_a_group_gives_back_lead_the_next_group() -> None:
    seen: list[list[str]] = []

    def commit(group: list[Queued[str]]) -> list[Queued[str]]:
        seen.append([q.command for q in group])
        later = [q for q in group if q.command == "b" and len(seen) == 2]
        for q in group:
            if q not in later:
                q.succeed(q.command)
        return later

    outcomes = queued_behind(GroupCommit(max_group=2), "c", ["a", "b", "c"], commit)
    assert seen == [["first"], ["a", "b"], ["b", "c"]]
    assert all(q.settled and q.error is None for q in outcomes.values())
