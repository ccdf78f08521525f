"""As-of views equal what the live views showed right after that position."""

from __future__ import annotations

import pytest

from domain.cluster import InterestDeclaration, MemberAddition, RoleChange, SubjectAdmission
from domain.errors import Forbidden, InvalidInput
from infra.bootstrap import Container
from services.dto import ClusterInfo
from services.principal import Principal
from services.queries import ClusterScope


def snapshot(scope: ClusterScope) -> dict[str, object]:
    """Every registry view a client can ask for, as plain values."""
    return {
        "cluster": (scope.info.name, scope.info.region, scope.info.form, scope.info.position),
        "subjects": scope.subjects(include_inactive=True),
        "active": scope.subjects(),
        "members": scope.members(),
        "continuity": scope.continuity(),
    }


def test_every_as_of_view_equals_the_live_view_captured_after_that_event(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    registry, queries = container.registry, container.queries
    captured = {}

    def capture() -> None:
        live = queries.scope(operator, cluster.id)
        captured[live.info.position] = snapshot(live)

    capture()
    kinds = ["PRESCHOOL", "SCHOOL", "COLLEGE", "UNIVERSITY", "ENTERPRISE", "SCHOOL"]
    subjects = []
    for i, kind in enumerate(kinds):
        subjects.append(
            registry.admit_subject(
                operator, cluster.id, SubjectAdmission(f"Subject {i}", kind, None)
            ).subject.id
        )
        capture()
    for i, subject in enumerate(subjects[:4]):
        registry.declare_interest(
            operator, cluster.id, subject, InterestDeclaration("SOCIAL", f"Interest {i}")
        )
        capture()
        member = registry.add_member(
            operator, cluster.id, MemberAddition(f"Member {i}", None, subject, ["MEMBER"])
        ).member
        capture()
        registry.grant_role(operator, cluster.id, member.id, RoleChange("AUDITOR"))
        capture()
    registry.withdraw_subject(operator, cluster.id, subjects[1])
    capture()
    registry.declare_interest(
        operator, cluster.id, subjects[0], InterestDeclaration("SOCIAL", "Interest replaced")
    )
    capture()

    head = queries.scope(operator, cluster.id).info.position
    assert len(captured) >= 20 and max(captured) == head
    for position, expected in captured.items():
        assert snapshot(queries.scope(operator, cluster.id, as_of=position)) == expected, position


def test_as_of_outside_the_log_is_bad_user_input(container, operator, cluster) -> None:
    head = container.queries.scope(operator, cluster.id).info.position
    for position in (0, -1, head + 1):
        with pytest.raises(InvalidInput) as refused:
            container.queries.scope(operator, cluster.id, as_of=position)
        assert refused.value.field == "asOf"


def test_as_of_is_for_coordinators_and_auditors_only(
    container, operator, cluster, member_principal
) -> None:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School", "SCHOOL", None)
    ).subject
    member = container.registry.add_member(
        operator, cluster.id, MemberAddition("Ann", None, subject.id, ["MEMBER"])
    ).member
    auditor = container.registry.add_member(
        operator, cluster.id, MemberAddition("Aud", None, None, ["AUDITOR"])
    ).member
    with pytest.raises(Forbidden):
        container.queries.scope(member_principal(member.id), cluster.id, as_of=1)
    as_auditor = container.queries.scope(member_principal(auditor.id), cluster.id, as_of=2)
    assert as_auditor.info.position == 2 and as_auditor.subjects() == []


def test_events_of_an_as_of_view_stop_at_its_position(container, operator, cluster) -> None:
    for i in range(3):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"S{i}", "SCHOOL", None)
        )
    page = container.queries.scope(operator, cluster.id, as_of=3).events(after=0, first=100)
    assert [e.position for e in page.events] == [1, 2, 3] and not page.has_more
