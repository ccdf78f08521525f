"""Projects through the GraphQL API, on SQLite and PostgreSQL: bad input,
conflicts and forbidden callers get the right code, name the field and record
nothing (the cluster's position is unchanged). Today is 2025-03-10."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from gql_harness import Api
from project_api_support import (  # noqa: F401
    Cast,
    act,
    cast_fixture,
    launch,
    member_principal,
    plan,
    reach,
    refused,
)
from project_support import clock, container, project_database  # noqa: F401

BAD_LAUNCHES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"title": "  "}, "title", "title must not be blank"),
    (
        {"expectedResults": [{"indicator": "Kits", "target": 0}]},
        "expectedResults[0].target",
        "expectedResults[0].target must be greater than 0",
    ),
    (
        {"expectedResults": [{"indicator": "Kits", "target": -2}]},
        "expectedResults[0].target",
        "expectedResults[0].target must be greater than 0",
    ),
    (
        {"partnerIds": ["00000000-0000-4000-8000-000000000000"]},
        "partnerIds",
        "partnerIds: no active subject 00000000-0000-4000-8000-000000000000 in this cluster",
    ),
    (
        {"goalId": "00000000-0000-4000-8000-000000000000"},
        "goalId",
        "goalId: no goal 00000000-0000-4000-8000-000000000000 in this cluster",
    ),
    ({"direction": "SPORT"}, None, None),
]


def test_bad_launch_input_names_its_field_and_records_nothing(
    api: Api, cast: Cast, subtests: pytest.Subtests
) -> None:
    # One cast for every bad launch (each its own subtest): a refusal records nothing.
    for input, field, message in BAD_LAUNCHES:
        with subtests.test(input=input):
            head = api.position(cast.reg.cluster_id, cast.reg.operator)
            said = refused(api, cast, launch(api, cast, **input), head, "BAD_USER_INPUT", field)
            assert message is None or said == message


def test_a_withdrawn_partner_is_refused(api: Api, cast: Cast) -> None:
    api.container.registry.withdraw_subject(
        cast.reg.operator, cast.reg.cluster_id, cast.reg.college_id
    )
    head = api.position(cast.reg.cluster_id, cast.reg.operator)
    refused(api, cast, launch(api, cast), head, "BAD_USER_INPUT", "partnerIds")


def test_milestone_conflicts_bad_evidence_and_forbidden_callers_record_nothing(
    api: Api, cast: Cast
) -> None:
    pid = launch(api, cast).ok()["launchProject"]["id"]
    reached, missed = plan(api, cast, pid, "2025-03-01"), plan(api, cast, pid, "2025-03-02")
    reach(api, cast, pid, reached, "2025-03-01").ok()
    act(api, cast, "miss_milestone", projectId=pid, milestoneId=missed, reason="Flood").ok()
    head = api.position(cast.reg.cluster_id, cast.reg.operator)
    said = refused(api, cast, reach(api, cast, pid, missed, "2025-03-03"), head, "CONFLICT")
    assert said == "milestone 'Due 2025-03-02' was already missed; it cannot be reached"
    missing = act(api, cast, "miss_milestone", projectId=pid, milestoneId=reached, reason="No")
    refused(api, cast, missing, head, "CONFLICT")
    fresh = plan(api, cast, pid, "2025-03-04")
    head += 1
    for url in ("ftp://kspi.uz/a", "javascript:alert(1)", "www.kspi.uz"):
        refused(
            api,
            cast,
            reach(api, cast, pid, fresh, "2025-03-04", url),
            head,
            "BAD_USER_INPUT",
            "evidenceUrl",
        )
    refused(
        api, cast, reach(api, cast, pid, fresh, "2025-03-11"), head, "BAD_USER_INPUT", "reachedOn"
    )
    for outsider in (cast.kira, cast.anna):
        refused(
            api, cast, reach(api, cast, pid, fresh, "2025-03-04", who=outsider), head, "FORBIDDEN"
        )
        refused(
            api,
            cast,
            launch(api, cast, who=outsider)
            if outsider is cast.anna
            else launch(api, cast, who=outsider, leadId=cast.reg.school_id),
            head,
            "FORBIDDEN",
        )
    unknown = act(
        api,
        cast,
        "plan_milestone",
        projectId=str(uuid.uuid4()),
        input={"title": "M", "due": "2025-03-04"},
    )
    refused(api, cast, unknown, head, "NOT_FOUND")
