"""Commands of one cluster that queue behind a save are committed together
(services/group_commit.py), and the group behaves as if they had come one by one:

- one append holds the group's events, in the order the commands arrived, each
  stamped with its own request's id (whichever thread ran it);
- a command that fails leaves nothing in the log and fails alone;
- each body is authorized against, and works on, what the bodies before it did;
- two commands changing the same aggregate other than the registry both land
  (the second in the next group, on the first's change).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from project_support import TODAY, launch

from domain.cluster import InterestDeclaration, RoleChange, SubjectAdmission
from domain.errors import InvalidInput, NotFound
from domain.project import MilestonePlan
from services.request import set_request_id


class Held:
    """The runner's saves, recorded; the first one waits until released, so the
    commands sent meanwhile queue up behind it."""

    def __init__(self, runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runner = runner
        self.sizes: list[int] = []  # events per save, in order
        self.entered, self.release = threading.Event(), threading.Event()
        self.outcomes: dict[str, Any] = {}
        self.threads: list[threading.Thread] = []
        real = runner.save

        def save(partition: Any, changes: Any, attempt: int) -> Any:
            self.sizes.append(len(changes))
            if len(self.sizes) == 1:
                self.entered.set()
                assert self.release.wait(30)
            return real(partition, changes, attempt)

        monkeypatch.setattr(runner, "save", save)

    def send(self, name: str, call: Callable[[], Any], cluster_id: str) -> None:
        """Sends ``call`` from a thread of its own, as request ``name``, and returns
        once it holds the save (the first) or waits in the queue (the others)."""
        queued = self.runner.groups.waiting(cluster_id)

        def run() -> None:
            set_request_id(name)
            try:
                self.outcomes[name] = call()
            except Exception as error:  # the test looks at it
                self.outcomes[name] = error

        thread = threading.Thread(target=run)
        thread.start()
        self.threads.append(thread)
        deadline = time.monotonic() + 30
        if len(self.threads) == 1:
            assert self.entered.wait(30)
            return
        while self.runner.groups.waiting(cluster_id) <= queued:
            assert time.monotonic() < deadline, f"{name} never queued"
            time.sleep(0.005)

    def finish(self) -> None:
        self.release.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads)


@contextmanager
def held(world: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    saves = Held(world.container.runner, monkeypatch)
    try:
        yield saves
    finally:
        saves.finish()


def admit(world: Any, name: str) -> Callable[[], Any]:
    registry = world.container.registry
    return lambda: registry.admit_subject(
        world.coordinator, world.cluster_id, SubjectAdmission(name, "SCHOOL", None)
    )


def test_queued_commands_share_one_append_in_arrival_order_each_with_its_request_id(
    world, monkeypatch
) -> None:
    c, start = world.cluster_id, world.head()
    with held(world, monkeypatch) as saves:
        saves.send("first", admit(world, "First school"), c)
        saves.send("second", admit(world, "Second school"), c)
        saves.send("refused", admit(world, ""), c)
        saves.send("third", admit(world, "Third school"), c)
    assert saves.sizes == [1, 2]  # the refused command added nothing to the group's append
    refused = saves.outcomes["refused"]
    assert isinstance(refused, InvalidInput) and refused.field == "name"
    for name in ("first", "second", "third"):
        assert saves.outcomes[name].subject.name == f"{name.capitalize()} school"
        # The answer's view already holds the whole group's events.
        assert saves.outcomes[name].scope.reader.subject(saves.outcomes["third"].subject.id)
    events = world.events()[start:]
    assert [(e.name, e.request_id) for e in events] == [
        ("First school", "first"),
        ("Second school", "second"),
        ("Third school", "third"),
    ]
    assert world.head() == start + 3


def test_each_body_is_authorized_against_what_the_bodies_before_it_did(world, monkeypatch) -> None:
    c, registry, start = world.cluster_id, world.container.registry, world.head()

    def declare() -> Any:
        declaration = InterestDeclaration("LEGAL", "Our statute")
        return registry.declare_interest(world.ivan, c, world.school_id, declaration)

    with held(world, monkeypatch) as saves:
        saves.send("first", admit(world, "First school"), c)
        saves.send(
            "revoke",
            lambda: registry.revoke_role(world.coordinator, c, world.ivan_id, RoleChange("MEMBER")),
            c,
        )
        saves.send("declare", declare, c)
    # Had the declaration been checked against the registry as the group found it,
    # Ivan (still a member then) would have been allowed. Ivan without a role is
    # nobody in the cluster; the group answered what a later request is answered.
    refused = saves.outcomes["declare"]
    assert isinstance(refused, NotFound) and refused.message == f"no cluster {c}"
    with pytest.raises(NotFound) as later:
        declare()
    assert later.value.message == refused.message
    assert [type(e).__name__ for e in world.events()[start:]] == [
        "SubjectAdmitted",
        "RoleRevoked",
    ]


def test_two_commands_on_one_project_both_land_the_second_on_the_first(world, monkeypatch) -> None:
    c, projects = world.cluster_id, world.container.projects
    project = launch(world)
    start = world.head()

    def planned(title: str) -> Callable[[], Any]:
        return lambda: projects.plan_milestone(
            world.coordinator, c, project.id, MilestonePlan(title, TODAY)
        )

    with held(world, monkeypatch) as saves:
        saves.send("first", admit(world, "First school"), c)
        saves.send("one", planned("Milestone one"), c)
        saves.send("two", planned("Milestone two"), c)
    # Both loaded the project at the same version: the second waits for the next group.
    assert saves.sizes == [1, 1, 1]
    assert not any(isinstance(o, Exception) for o in saves.outcomes.values()), saves.outcomes
    events = world.events()[start:]
    milestones = [(e.title, e.originator_version) for e in events[1:]]
    assert [m[0] for m in milestones] == ["Milestone one", "Milestone two"]
    assert milestones[1][1] == milestones[0][1] + 1
    info = world.partition.read_model.projects_reader.project(project.id)
    assert [m.title for m in info.milestones] == ["Milestone one", "Milestone two"]


def test_an_answer_reads_the_registry_as_its_own_command_left_it(world, monkeypatch) -> None:
    # Ivan's declaration is answered from the registry as his command left it; the
    # revocation queued after it (the group's last command) must not reach into that
    # answer, or Ivan would be refused the answer to a declaration that was recorded.
    c, registry = world.cluster_id, world.container.registry
    with held(world, monkeypatch) as saves:
        saves.send("first", admit(world, "First school"), c)
        saves.send(
            "declare",
            lambda: registry.declare_interest(
                world.ivan, c, world.school_id, InterestDeclaration("SOCIAL", "Open doors")
            ),
            c,
        )
        saves.send(
            "revoke",
            lambda: registry.revoke_role(world.coordinator, c, world.ivan_id, RoleChange("MEMBER")),
            c,
        )
    declared = saves.outcomes["declare"]
    assert not isinstance(declared, Exception), declared
    assert declared.scope.actor.roles == frozenset({"MEMBER"})
    assert not isinstance(saves.outcomes["revoke"], Exception)
    assert saves.sizes == [1, 2]
