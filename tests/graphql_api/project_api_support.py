"""What the project API tests share: who plays which part in a cluster, and
short ways to run the project operations of graphql/operations.

Test modules import the fixtures (``from project_api_support import cast,
member_principal``) beside those of project_support.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from gql_harness import Api, Outcome, Registry, operation

from domain.cluster import MemberAddition, SubjectAdmission
from services.principal import Principal


@dataclass(frozen=True)
class Cast:
    """Who plays which part: Irina (school, lead), Pavel (college, partner),
    Kira (kindergarten, no part in the project) and Anna (auditor)."""

    reg: Registry
    pavel: Principal
    kira: Principal
    anna: Principal


@pytest.fixture(name="cast")
def cast_fixture(api: Api, registry: Registry, member_principal) -> Cast:  # type: ignore[no-untyped-def]
    services, c, op = api.container.registry, registry.cluster_id, registry.operator
    kindergarten = services.admit_subject(
        op, c, SubjectAdmission("Kindergarten 3", "PRESCHOOL", None)
    ).subject.id

    def person(name: str, subject: str | None, role: str) -> Principal:
        member = services.add_member(op, c, MemberAddition(name, None, subject, [role])).member
        return member_principal(member.id, c, name)

    return Cast(
        registry,
        person("Pavel", registry.college_id, "MEMBER"),
        person("Kira", kindergarten, "MEMBER"),
        person("Anna", None, "AUDITOR"),
    )


@pytest.fixture
def member_principal(api: Api):  # type: ignore[no-untyped-def]
    def make(member_id: str, cluster_id: str, name: str) -> Principal:
        person = Principal(f"person-{uuid.uuid4().hex[:8]}", name, None, False)
        api.container.directory.ensure_person(person.person_id, name, None)
        api.container.directory.link(person.person_id, cluster_id, member_id)
        return person

    return make


def launch(api: Api, cast: Cast, who: Principal | None = None, **input: Any) -> Outcome:
    values = {
        "title": "Pedagogical practicum",
        "direction": "EDUCATION",
        "kind": "EXPERIMENTAL_INNOVATION",
        "partnerIds": [cast.reg.college_id],
        "expectedResults": [
            {"indicator": "Students placed", "target": 10, "unit": "students"},
            {"indicator": "Kits", "target": 4},
        ],
        **input,
    }
    variables = {"clusterId": cast.reg.cluster_id, "input": values}
    return api.run(operation("launch_project"), variables, principal=who or cast.reg.member)


def act(api: Api, cast: Cast, name: str, who: Principal | None = None, **variables: Any) -> Outcome:
    variables["clusterId"] = cast.reg.cluster_id
    return api.run(operation(name), variables, principal=who or cast.reg.member)


def plan(api: Api, cast: Cast, project: str, due: str, who: Principal | None = None) -> str:
    found = act(
        api,
        cast,
        "plan_milestone",
        who,
        projectId=project,
        input={"title": f"Due {due}", "due": due, "expectedResult": "Signed papers"},
    )
    return found.ok()["planMilestone"]["id"]


def reach(
    api: Api,
    cast: Cast,
    project: str,
    milestone: str,
    on: str,
    url: str | None = None,
    who: Principal | None = None,
) -> Outcome:
    return act(
        api,
        cast,
        "reach_milestone",
        who,
        projectId=project,
        milestoneId=milestone,
        input={"reachedOn": on, "actualResult": "Done", "evidenceUrl": url},
    )


def project_view(api: Api, cast: Cast, project: str) -> dict[str, Any]:
    found = act(api, cast, "project", cast.anna, id=project)
    return found.ok()["cluster"]["project"]


def refused(
    api: Api, cast: Cast, outcome: Outcome, head: int, code: str, field: str | None = None
) -> str:
    assert outcome.codes == [code], outcome.errors
    assert outcome.errors[0].get("extensions", {}).get("field") == field
    assert api.position(cast.reg.cluster_id, cast.reg.operator) == head
    return outcome.errors[0]["message"]
