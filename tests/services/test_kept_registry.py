"""A cluster's members and subjects are read from the read model once per stand
(position, and no rebuild's switch since) its settle finds (services/kept_registry.py): a second request to an unchanged
cluster sends only the settle's statement, and any change, by this process or
another, is in the next request's lists, on both backends. Each cluster has its
own lists, a view as of a past position keeps none, and a swapped read model or an
older position never gets another's lists."""

from __future__ import annotations

from domain.cluster import ClusterFounding, MemberAddition, RoleChange, SubjectAdmission
from infra.bootstrap import bootstrap
from services.kept import MAX_AGE_SECONDS
from services.kept_registry import KeptRegistry
from tests.services.test_known_callers import statements


def names(members: list) -> set[str]:  # type: ignore[type-arg]
    return {m.name for m in members}


def test_an_unchanged_cluster_reads_its_lists_once(world) -> None:
    queries = world.container.queries
    first = queries.scope(world.ivan, world.cluster_id)
    assert {"Ivan", "Petr", "Anna"} < names(first.members())
    before = (first.members(), first.subjects(), first.subjects(True), first.continuity())
    with statements() as again:
        second = queries.scope(world.ivan, world.cluster_id)
        after = (second.members(), second.subjects(), second.subjects(True), second.continuity())
    assert after == before
    assert len(again) == 1, again  # where the read model stands; no list read again
    # Each request gets a list of its own: changing it changes no other.
    after[0].clear()
    assert queries.scope(world.ivan, world.cluster_id).members() == before[0]


def test_every_change_is_in_the_next_request(world) -> None:
    queries, registry = world.container.queries, world.container.registry
    scope = queries.scope(world.ivan, world.cluster_id)
    assert "Rita" not in names(scope.members())
    assert {s.name for s in scope.subjects()} == {"School 5", "Tomsk College"}

    registry.add_member(
        world.coordinator, world.cluster_id, MemberAddition("Rita", None, None, ["AUDITOR"])
    )
    assert "Rita" in names(queries.scope(world.ivan, world.cluster_id).members())

    registry.grant_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("AUDITOR"))
    petr = queries.scope(world.ivan, world.cluster_id).member(world.petr_id)
    assert petr is not None and "AUDITOR" in petr.roles

    registry.withdraw_subject(world.coordinator, world.cluster_id, world.college_id)
    scope = queries.scope(world.ivan, world.cluster_id)
    assert world.college_id not in {s.id for s in scope.subjects()}
    assert world.college_id in {s.id for s in scope.subjects(True)}


def test_a_member_added_by_another_process_is_in_the_next_request(world) -> None:
    queries = world.container.queries
    assert "Zoya" not in names(queries.scope(world.ivan, world.cluster_id).members())
    other = bootstrap(world.container.settings)  # a second API process, same storage
    try:
        other.registry.add_member(
            world.coordinator, world.cluster_id, MemberAddition("Zoya", None, None, ["MEMBER"])
        )
    finally:
        other.close()
    assert "Zoya" in names(queries.scope(world.ivan, world.cluster_id).members())


def test_each_cluster_has_its_own_lists(world, operator) -> None:
    container = world.container
    other = container.registry.found_cluster(
        operator, ClusterFounding("Seversk cluster", "Seversk", "GEOGRAPHIC")
    )
    container.registry.admit_subject(
        operator, other.id, SubjectAdmission("Seversk Lyceum", "SCHOOL", None)
    )
    for _ in range(2):  # the second round from the kept lists
        here = container.queries.scope(operator, world.cluster_id)
        there = container.queries.scope(operator, other.id)
        assert {s.name for s in there.subjects()} == {"Seversk Lyceum"}
        assert "Seversk Lyceum" not in {s.name for s in here.subjects()}
        assert "Ivan" in names(here.members()) and "Ivan" not in names(there.members())


def test_a_view_as_of_a_past_position_keeps_nothing(world) -> None:
    queries = world.container.queries
    past_position = queries.scope(world.anna, world.cluster_id).info.position
    world.container.registry.add_member(
        world.coordinator, world.cluster_id, MemberAddition("Rita", None, None, ["MEMBER"])
    )
    assert "Rita" in names(queries.scope(world.anna, world.cluster_id).members())
    past = queries.scope(world.anna, world.cluster_id, as_of=past_position)
    assert past.kept is None
    assert "Rita" not in names(past.members())


def test_a_swapped_read_model_or_an_older_position_gets_no_other_lists() -> None:
    kept = KeptRegistry(clusters_max=2)
    blue, green = object(), object()
    at_five = kept.at("c1", blue, (0, 5))
    assert at_five is not None
    assert at_five.get("members", lambda: ("blue",)) == ("blue",)
    assert kept.at("c1", blue, (0, 5)) is at_five
    assert kept.at("c1", blue, None) is None  # stand unknown: nothing kept
    rebuilt = kept.at("c1", blue, (1, 5))  # the same position, its tables switched since
    assert rebuilt is not None and rebuilt is not at_five
    swapped = kept.at("c1", green, (0, 5))
    assert swapped is not None and swapped is not at_five
    assert swapped.get("members", lambda: ("green",)) == ("green",)
    at_six = kept.at("c1", green, (0, 6))
    assert at_six is not None and at_six.get("members", lambda: ("six",)) == ("six",)
    assert kept.at("c1", green, (0, 5)) is None  # older than what is kept: read the tables
    # At most clusters_max clusters, the first kept given up first.
    kept.at("c2", blue, (0, 1))
    kept.at("c3", blue, (0, 1))
    again = kept.at("c1", green, (0, 6))
    assert again is not None and again is not at_six
    assert again.get("members", lambda: ("read again",)) == ("read again",)


def test_lists_are_kept_ten_seconds_at_most_and_dropped_at_the_next_use() -> None:
    now = [100.0]
    kept = KeptRegistry(clock=lambda: now[0])
    blue = object()
    first = kept.at("c1", blue, (0, 5))
    assert first is not None
    first.get("members", lambda: ("Ivan",))
    now[0] += MAX_AGE_SECONDS - 0.5
    assert kept.at("c1", blue, (0, 5)) is first
    kept.at("c2", blue, (0, 1))
    now[0] += 0.5  # c1's lists are now as old as any may be
    later = kept.at("c2", blue, (0, 1))  # a use for another cluster drops them
    assert later is not None and len(kept) == 1
    fresh = kept.at("c1", blue, (0, 5))
    assert fresh is not None and fresh is not first
    assert fresh.get("members", lambda: ("read again",)) == ("read again",)
