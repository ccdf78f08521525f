"""A request pays for what its selection asks for, counted in work, not time:
the SQL statements every engine runs (SQLAlchemy's ``before_cursor_execute``)
and the calls into the shared directory, on both backends.

- ``{ viewer { id } }`` needs the token only: no statement, no directory call;
  the person's name and the memberships are read when selected, and only then.
- A list whose items look up related rows (members and their subject, subjects
  and their members, events and their actor) reads them in one batch: the
  statements do not grow with the list.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from domain.cluster import InterestDeclaration, MemberAddition, SubjectAdmission
from domain.goal import GoalProposal
from domain.project import ProjectLaunch
from graphql_api.context import Context
from graphql_api.schema import build_schema
from services.kept_registry import KeptRegistry
from services.principal import Principal

SCHEMA = build_schema()


def run(world, principal: Principal, query: str, **variables: Any) -> dict[str, Any]:
    context = Context(world.container.services, principal, None, f"t-{uuid.uuid4().hex[:8]}")
    result = SCHEMA.execute_sync(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


@pytest.fixture
def directory_calls(world, monkeypatch) -> Counter[str]:
    """Calls into the shared directory, by method name."""
    calls: Counter[str] = Counter()
    directory = world.container.directory
    for name in ("person", "memberships", "member_of", "has_cluster"):
        method = getattr(directory, name)

        def counted(*args: Any, _name: str = name, _method: Any = method) -> Any:
            calls[_name] += 1
            return _method(*args)

        monkeypatch.setattr(directory, name, counted)
    return calls


def cost(world, principal: Principal, query: str, **variables: Any) -> int:
    """Statements of a warm request (a first one fills the per-process caches
    every request meets: the directory's links, the read model's positions), with
    the cluster's lists of members and subjects read again (kept from the first
    request, they would leave nothing to batch: services/kept_registry.py)."""
    first = run(world, principal, query, **variables)
    world.container.queries.registries = KeptRegistry()
    with statements() as seen:
        again = run(world, principal, query, **variables)
    assert again == first
    return len(seen)


def test_viewer_id_needs_the_token_only(world, directory_calls) -> None:
    with statements() as seen:
        data = run(world, world.ivan, "{ viewer { id } }")
    assert data == {"viewer": {"id": world.ivan.person_id}}
    assert seen == []
    assert sum(directory_calls.values()) == 0


def test_viewer_name_reads_the_person_once_and_no_memberships(world, directory_calls) -> None:
    with statements() as seen:
        data = run(world, world.ivan, "{ viewer { id name email } }")
    assert data == {"viewer": {"id": world.ivan.person_id, "name": "Ivan", "email": None}}
    assert directory_calls == Counter({"person": 1})
    assert len(seen) == 1


def test_memberships_are_read_when_selected_without_reading_the_member_again(world) -> None:
    cluster_only = cost(
        world, world.ivan, "query($id: ID!) { cluster(id: $id) { id } }", id=world.cluster_id
    )
    query = "{ viewer { memberships { cluster { id } member { id name roles } } } }"
    data = run(world, world.ivan, query)
    assert data["viewer"]["memberships"] == [
        {
            "cluster": {"id": world.cluster_id},
            "member": {"id": world.ivan_id, "name": "Ivan", "roles": ["MEMBER"]},
        }
    ]
    # The cluster's own reads, and one for the person's links: the member row
    # came with the caller's, read when the cluster was opened.
    assert cost(world, world.ivan, query) == cluster_only + 1


def grow(world, subjects: int) -> None:
    """More subjects, each with a member who has acted (declared an interest)."""
    registry = world.container.registry
    for n in range(subjects):
        subject = registry.admit_subject(
            world.coordinator, world.cluster_id, SubjectAdmission(f"Lyceum {n}", "SCHOOL", None)
        ).subject
        registry.add_member(
            world.coordinator,
            world.cluster_id,
            MemberAddition(f"Teacher {n}", None, subject.id, ["MEMBER"]),
        )
        registry.declare_interest(
            world.coordinator,
            world.cluster_id,
            subject.id,
            InterestDeclaration("LEGAL", f"Statement {n}"),
        )


LISTS = {
    "members and their subject": "{ members { id subject { id name } } }",
    "subjects and their members": "{ subjects { id members { id name } } }",
    "events and their actor's subject": "{ events { events { actor { id subject { id } } } } }",
}


@pytest.mark.parametrize("selection", list(LISTS))
def test_a_list_reads_its_related_rows_in_one_batch(world, selection: str) -> None:
    query = "query($id: ID!) { cluster(id: $id) " + LISTS[selection] + " }"
    small = cost(world, world.coordinator, query, id=world.cluster_id)
    grow(world, 4)
    grown = cost(world, world.coordinator, query, id=world.cluster_id)
    assert grown == small


def test_an_unselected_relation_is_not_read(world) -> None:
    registry = world.container.registry
    registry.declare_interest(
        world.ivan, world.cluster_id, world.school_id, InterestDeclaration("LEGAL", "Ours")
    )
    base = "query($id: ID!) { cluster(id: $id) { position } }"
    page = "query($id: ID!) { cluster(id: $id) { events { events { type } } } }"
    with_actors = "query($id: ID!) { cluster(id: $id) { events { events { actor { id } } } } }"
    plain = cost(world, world.coordinator, base, id=world.cluster_id)
    # the page is one read of the log; its actors (two people) are not read
    assert cost(world, world.coordinator, page, id=world.cluster_id) == plain + 1
    assert cost(world, world.coordinator, with_actors, id=world.cluster_id) == plain + 2


def launch_with_goal(world, n: int) -> None:
    goal = world.container.goals.propose_goal(
        world.ivan, world.cluster_id, GoalProposal(title=f"Goal {n}", statement="Together")
    )
    world.container.projects.launch_project(
        world.coordinator,
        world.cluster_id,
        ProjectLaunch(
            title=f"Project {n}",
            direction="EDUCATION",
            kind="EXPERIMENTAL_INNOVATION",
            goal_id=goal.id,
            lead_id=world.school_id,
            partner_ids=[world.college_id],
        ),
    )


def test_projects_read_their_goals_in_one_batch(world) -> None:
    query = (
        "query($id: ID!) { cluster(id: $id) { projects { id lead { id } partners { id }"
        " goal { id title totality { eligible } votes { castBy { id } } } } } }"
    )
    launch_with_goal(world, 0)
    one = cost(world, world.coordinator, query, id=world.cluster_id)
    for n in range(1, 4):
        launch_with_goal(world, n)
    data = run(world, world.coordinator, query, id=world.cluster_id)
    titles = [p["goal"]["title"] for p in data["cluster"]["projects"]]
    assert titles == [f"Goal {n}" for n in range(4)]
    assert cost(world, world.coordinator, query, id=world.cluster_id) == one
