"""``viewer { personalData }`` and ``GET /me/personal-data`` through the app:
the caller's own data from every cluster, nothing of anyone else, within the
cost limit, and nothing of it in the server's log."""

from __future__ import annotations

import dataclasses
import json
import logging
import uuid
import warnings
from typing import Any

import pytest
from gql_harness import Api, Registry, operation

from graphql_api.cost import FIELD_COSTS, MAX_COST
from infra.app import create_app
from infra.bootstrap import Container
from infra.cli_context import operator_principal
from services.principal import Principal

with warnings.catch_warnings():  # starlette would rather see httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PERSONAL_DATA = operation("personal_data")


def second_cluster(api: Api, founder: Principal) -> str:
    form = {"name": "Altai cluster", "region": "Altai Krai", "form": "GEOGRAPHIC"}
    return api.run(operation("found_cluster"), {"input": form}, principal=founder).ok()[
        "foundCluster"
    ]["id"]


def personal_data(api: Api, who: Principal) -> dict[str, Any]:
    viewer = api.run(PERSONAL_DATA, principal=who).ok()["viewer"]
    assert viewer["id"] == who.person_id
    return viewer["personalData"]  # type: ignore[no-any-return]


def test_a_founder_of_two_clusters_gets_both(api: Api, registry: Registry) -> None:
    other = second_cluster(api, registry.operator)
    exported = personal_data(api, registry.operator)
    assert [m["clusterId"] for m in exported["memberships"]] == [registry.cluster_id, other]
    assert all(m["member"]["roles"] == ["COORDINATOR"] for m in exported["memberships"])
    assert exported["person"]["name"] == registry.operator.name
    types = [e["type"] for e in exported["memberships"][0]["events"]]
    assert types[:2] == ["ClusterFounded", "MemberAdded"] and "SubjectAdmitted" in types


def test_a_member_gets_only_their_own_cluster_and_nothing_of_another_person(
    api: Api, registry: Registry
) -> None:
    second_cluster(api, registry.operator)
    exported = personal_data(api, registry.member)
    [membership] = exported["memberships"]
    assert membership["clusterId"] == registry.cluster_id
    assert membership["memberId"] == registry.member_id
    assert membership["member"]["name"] == "Irina"
    assert [(e["type"], e["about"]) for e in membership["events"]] == [("MemberAdded", True)]
    assert registry.operator.name not in json.dumps(exported)


def test_a_stranger_gets_an_empty_export(api: Api, registry: Registry) -> None:
    stranger = operator_principal(f"Stranger {uuid.uuid4().hex[:6]}")
    exported = personal_data(api, stranger)
    assert exported["memberships"] == [] and exported["identities"] == []
    assert exported["person"] == {"id": stranger.person_id, "name": None, "email": None}


def test_without_a_token_it_is_unauthenticated(api: Api, registry: Registry) -> None:
    assert api.run(PERSONAL_DATA).codes == ["UNAUTHENTICATED"]


def test_the_field_counts_a_quarter_of_the_cost_limit(api: Api, registry: Registry) -> None:
    assert FIELD_COSTS[("Viewer", "personalData")] == MAX_COST // 4
    three = "{ viewer { a: personalData b: personalData c: personalData } }"
    assert len(api.run(three, principal=registry.member).ok()["viewer"]) == 3
    four = "{ viewer { a: personalData b: personalData c: personalData d: personalData } }"
    refused = api.run(four, principal=registry.member)
    assert refused.codes == ["BAD_USER_INPUT"] and "too expensive" in refused.errors[0]["message"]


@pytest.fixture
def client(container: Container) -> TestClient:
    return TestClient(create_app(container), raise_server_exceptions=False)


def bearer(container: Container, who: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {container.tokens.mint(who)}"}


def test_the_download_is_the_callers_export_as_an_attachment(
    api: Api, registry: Registry, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = client.get("/me/personal-data", headers=bearer(api.container, registry.member))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    exported = response.json()
    assert exported["person"]["id"] == registry.member.person_id
    assert [m["memberId"] for m in exported["memberships"]] == [registry.member_id]
    assert "Irina" not in caplog.text and registry.member.person_id not in caplog.text


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_the_download_needs_a_valid_token(client: TestClient, header: str | None) -> None:
    response = client.get("/me/personal-data", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"


class BrokenExport:
    def of_caller(self, principal: Principal) -> dict[str, Any]:
        raise RuntimeError(f"broken while exporting {principal.name}")


def test_a_failure_is_internal_with_a_correlation_id(
    api: Api, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    broken = dataclasses.replace(api.container, personal_data=BrokenExport())
    client = TestClient(create_app(broken), raise_server_exceptions=False)
    headers = {**bearer(api.container, registry.member), "X-Request-ID": "req-77"}
    response = client.get("/me/personal-data", headers=headers)
    assert response.status_code == 500
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "correlationId": "req-77"}
    assert "Irina" not in response.text
