"""The cluster's log: gapless positions, stamped events, the hash chain, paging."""

from __future__ import annotations

import contextvars
import re
import uuid
from datetime import timedelta

from domain.base import STAMP_FIELDS
from domain.cluster import InterestDeclaration, RoleChange, SubjectAdmission
from services.chain import canonical_bytes, genesis, link
from services.request import set_request_id

# The world fixture records: ClusterFounded, MemberAdded (the coordinator),
# SubjectAdmitted x2, MemberAdded x3.
WORLD_TYPES = [
    "ClusterFounded",
    "MemberAdded",
    "SubjectAdmitted",
    "SubjectAdmitted",
    "MemberAdded",
    "MemberAdded",
    "MemberAdded",
]


def busy(world) -> list[str]:
    """Runs a mix of commands; returns the event types they must record, in order."""
    r, c, op = world.container.registry, world.cluster_id, world.coordinator
    r.declare_interest(
        world.ivan, c, world.school_id, InterestDeclaration("SOCIAL", "Graduates stay")
    )
    r.grant_role(op, c, world.ivan_id, RoleChange("MEMBER"))  # already held: nothing
    r.grant_role(op, c, world.petr_id, RoleChange("AUDITOR"))
    r.revoke_role(op, c, world.petr_id, RoleChange("COORDINATOR"))  # not held: nothing
    r.admit_subject(op, c, SubjectAdmission("TSPU", "UNIVERSITY", None))
    r.withdraw_subject(op, c, world.college_id)
    return ["InterestDeclared", "RoleGranted", "SubjectAdmitted", "SubjectWithdrawn"]


def test_positions_are_gapless_from_one_and_follow_the_commands(world) -> None:
    expected = WORLD_TYPES + busy(world)
    entries = world.partition.log.read(0, 1000)
    assert [e.position for e in entries] == list(range(1, len(expected) + 1))
    assert [e.type for e in entries] == expected
    assert world.head() == len(expected)


def test_every_event_carries_cluster_actor_subject_utc_time_and_request(world) -> None:
    busy(world)
    events = world.events()
    members = {world.coordinator_id, world.ivan_id, world.petr_id, world.anna_id}
    for event in events:
        assert event.cluster_id == world.cluster_id
        assert event.actor_member_id in members
        assert event.timestamp.utcoffset() == timedelta(0)
        assert event.request_id
    declared = next(e for e in events if type(e).__name__ == "InterestDeclared")
    assert (declared.actor_member_id, declared.actor_subject_id) == (world.ivan_id, world.school_id)
    by_coordinator = [e for e in events if type(e).__name__ != "InterestDeclared"]
    assert {(e.actor_member_id, e.actor_subject_id) for e in by_coordinator} == {
        (world.coordinator_id, None)
    }
    # Events are recorded in time order.
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_the_current_request_id_is_stamped_and_each_other_command_gets_its_own(world) -> None:
    r, c, op = world.container.registry, world.cluster_id, world.coordinator

    def in_request() -> None:
        set_request_id("req-7f3a")
        r.admit_subject(op, c, SubjectAdmission("Kindergarten 3", "PRESCHOOL", None))
        r.declare_interest(world.ivan, c, world.school_id, InterestDeclaration("LEGAL", "Charter"))

    founding = world.events()[:2]  # one command (found_cluster): one request
    assert founding[0].request_id == founding[1].request_id
    contextvars.copy_context().run(in_request)
    r.admit_subject(op, c, SubjectAdmission("Plant", "ENTERPRISE", None))
    r.admit_subject(op, c, SubjectAdmission("Institute", "RESEARCH_INSTITUTE", None))
    *_, first, second, third, fourth = world.events()
    assert first.request_id == second.request_id == "req-7f3a"
    assert third.request_id != fourth.request_id
    assert "req-7f3a" not in (third.request_id, fourth.request_id)


def test_an_event_page_describes_type_actor_data_and_hash_without_the_stamp(world) -> None:
    world.container.registry.declare_interest(
        world.ivan,
        world.cluster_id,
        world.school_id,
        InterestDeclaration("ECONOMIC", "Jobs in the region"),
    )
    page = world.container.queries.scope(world.anna, world.cluster_id).events(first=500)
    last = page.events[-1]
    assert (last.position, last.type, last.aggregate_id) == (
        8,
        "InterestDeclared",
        world.cluster_id,
    )
    assert last.version == 8  # the registry is one aggregate: its versions follow the log
    assert last.actor_member_id == world.ivan_id
    assert last.data == {
        "subject_id": world.school_id,
        "kind": "ECONOMIC",
        "statement": "Jobs in the region",
    }
    assert last.occurred_at.utcoffset() == timedelta(0)
    for info in page.events:
        assert not set(info.data) & STAMP_FIELDS
        assert re.fullmatch(r"[0-9a-f]{64}", info.hash)
    assert len({info.hash for info in page.events}) == len(page.events)


def test_the_log_hashes_chain_from_the_genesis_of_the_cluster(world) -> None:
    busy(world)
    previous = genesis(world.cluster_id)
    for entry in world.partition.log.read(0, 1000):
        stored = entry.stored_event
        previous = link(
            previous,
            canonical_bytes(
                entry.position,
                str(uuid.UUID(str(stored.originator_id))),
                stored.originator_version,
                stored.topic,
                stored.state,
            ),
        )
        assert entry.hash == previous, f"chain breaks at position {entry.position}"


def test_pages_walk_the_whole_log_in_order_without_gaps_or_repeats(world) -> None:
    total = len(WORLD_TYPES + busy(world))
    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    seen, after, pages = [], 0, []
    while True:
        page = scope.events(after=after, first=3)
        pages.append(page)
        seen += [e.position for e in page.events]
        if not page.has_more:
            break
        after = page.events[-1].position
    assert seen == list(range(1, total + 1))
    assert [len(p.events) for p in pages] == [3] * (total // 3) + ([total % 3] if total % 3 else [])
    assert [p.has_more for p in pages] == [True] * (len(pages) - 1) + [False]
    exact = scope.events(after=total - 3, first=3)
    assert (len(exact.events), exact.has_more) == (3, False)
    beyond = scope.events(after=total + 10)
    assert (beyond.events, beyond.has_more) == ((), False)


def test_the_types_filter_keeps_only_the_named_events(world) -> None:
    expected = WORLD_TYPES + busy(world)
    scope = world.container.queries.scope(world.anna, world.cluster_id)
    wanted = {"SubjectAdmitted", "SubjectWithdrawn"}
    page = scope.events(types=sorted(wanted), first=500)
    assert [e.position for e in page.events] == [
        i for i, t in enumerate(expected, start=1) if t in wanted
    ]
    first_two = scope.events(types=["SubjectAdmitted"], first=2)
    assert ([e.type for e in first_two.events], first_two.has_more) == (
        ["SubjectAdmitted"] * 2,
        True,
    )
    rest = scope.events(types=["SubjectAdmitted"], after=first_two.events[-1].position)
    assert ([e.data["name"] for e in rest.events], rest.has_more) == (["TSPU"], False)
    assert scope.events(types=["GoalVoteCast"]).events == ()


def test_the_aggregate_filter_accepts_any_uuid_spelling(world) -> None:
    scope = world.container.queries.scope(world.anna, world.cluster_id)
    everything = scope.events(first=500).events
    spelled = world.cluster_id.replace("-", "").upper()
    assert scope.events(aggregate_id=spelled, first=500).events == everything
    assert scope.events(aggregate_id=world.cluster_id, first=500).events == everything
    assert scope.events(aggregate_id=str(uuid.uuid4())).events == ()


def test_a_scope_reads_the_log_as_of_its_own_position(world) -> None:
    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    world.container.registry.admit_subject(
        world.coordinator, world.cluster_id, SubjectAdmission("TSPU", "UNIVERSITY", None)
    )
    assert [e.position for e in scope.events(first=500).events] == list(
        range(1, scope.info.position + 1)
    )
    fresh = world.container.queries.scope(world.ivan, world.cluster_id)
    assert fresh.info.position == scope.info.position + 1 == world.head()
