"""graphql/operations/*.graphql: what clients send. Each one is valid against
the schema the code builds and against the contract (graphql/schema.graphql),
and they cover the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from gql_harness import OPERATIONS, Api, Registry, contract_schema, operation

import graphql
from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql_api.schema import schema_sdl

FILES = sorted(OPERATIONS.glob("*.graphql"))
REGISTRY_MUTATIONS = {
    "foundCluster",
    "admitSubject",
    "withdrawSubject",
    "declareInterest",
    "addMember",
    "grantRole",
    "revokeRole",
}


SCHEMAS = {
    "code": lambda: graphql.build_schema(schema_sdl()),
    "contract": contract_schema,
}


def definitions(path: Path) -> list[OperationDefinitionNode]:
    document: DocumentNode = parse(path.read_text())
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def test_there_are_operations_to_check() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_an_operation_file_holds_one_named_operation(path: Path) -> None:
    found = definitions(path)
    assert len(found) == 1
    assert found[0].name is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("schema_of", ["code", "contract"])
def test_an_operation_is_valid_against_the_schema(path: Path, schema_of: str) -> None:
    schema: GraphQLSchema = SCHEMAS[schema_of]()
    errors = validate(schema, parse(path.read_text()))
    assert not errors, [e.message for e in errors]


def test_every_registry_mutation_and_the_reads_have_an_operation() -> None:
    roots: set[str] = set()
    for path in FILES:
        for op in definitions(path):
            roots |= {s.name.value for s in op.selection_set.selections}  # type: ignore[attr-defined]
    assert REGISTRY_MUTATIONS | {"viewer", "cluster"} <= roots


def test_the_overview_shows_subjects_members_and_continuity(api: Api, registry: Registry) -> None:
    found = api.run(
        operation("cluster_overview"), {"id": registry.cluster_id}, principal=registry.operator
    ).ok()["cluster"]
    assert {s["name"] for s in found["subjects"]} == {"Tomsk School No. 4", "Tomsk College"}
    assert "Irina" in {m["name"] for m in found["members"]}
    assert [s["kind"] for s in found["continuity"]["stages"]][:2] == ["PRESCHOOL", "SCHOOL"]
    assert "PRESCHOOL" in found["continuity"]["gaps"]
    assert "SCHOOL" not in found["continuity"]["gaps"]


def test_the_events_page_pages_by_position(api: Api, registry: Registry) -> None:
    events = operation("cluster_events")
    first = api.run(events, {"id": registry.cluster_id, "first": 2}, principal=registry.operator)
    page = first.ok()["cluster"]["events"]
    assert [e["position"] for e in page["events"]] == [1, 2]
    assert page["hasMore"] is True
    rest = api.run(
        events, {"id": registry.cluster_id, "after": 2, "first": 500}, principal=registry.operator
    ).ok()["cluster"]
    positions = [e["position"] for e in rest["events"]["events"]]
    assert positions == list(range(3, rest["position"] + 1))
    assert rest["events"]["hasMore"] is False
