"""A real container on a temporary SQLite directory, the schema run against it
in-process, and a founded cluster to act in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from gql_harness import Api, Registry, operation

from infra.bootstrap import Container, bootstrap
from infra.cli_context import member_principal, operator_principal
from infra.settings import Settings


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=None,
        signing_key_path=None,
        log_level="WARNING",
    )
    built = bootstrap(settings)
    yield built
    built.directory.engine.dispose()


@pytest.fixture
def api(container: Container) -> Api:
    return Api(container)


@pytest.fixture
def registry(api: Api) -> Registry:
    operator = operator_principal(f"Operator {uuid.uuid4().hex[:6]}")
    founded = api.run(
        operation("found_cluster"),
        {"input": {"name": "Tomsk cluster", "region": "Tomsk Oblast", "form": "GEOGRAPHIC"}},
        principal=operator,
    ).ok()["foundCluster"]
    cluster_id = founded["id"]

    def admit(name: str, kind: str) -> str:
        variables = {"clusterId": cluster_id, "input": {"name": name, "kind": kind}}
        return api.run(operation("admit_subject"), variables, principal=operator).ok()[
            "admitSubject"
        ]["id"]

    school, college = admit("Tomsk School No. 4", "SCHOOL"), admit("Tomsk College", "COLLEGE")
    member = api.run(
        operation("add_member"),
        {
            "clusterId": cluster_id,
            "input": {"name": "Irina", "subjectId": school, "roles": ["MEMBER"]},
        },
        principal=operator,
    ).ok()["addMember"]
    person = member_principal(api.container, cluster_id, member["id"])
    return Registry(cluster_id, operator, school, college, member["id"], person)
