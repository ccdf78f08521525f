"""Runs the schema in-process (strawberry's ``execute_sync``) with the same
context the app builds: a principal, or the bearer of an Authorization header."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import strawberry

import graphql
from graphql import GraphQLSchema
from graphql_api.context import Context
from graphql_api.schema import build_schema
from graphql_api.services import Services
from infra.app import authenticate
from infra.bootstrap import Container
from services.principal import Principal

REPO = Path(__file__).resolve().parents[2]
OPERATIONS = REPO / "graphql" / "operations"


def operation(name: str) -> str:
    """The text of graphql/operations/<name>.graphql."""
    return (OPERATIONS / f"{name}.graphql").read_text()


@dataclass
class Outcome:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    request_id: str

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def ok(self) -> dict[str, Any]:
        assert not self.errors, self.errors
        assert self.data is not None
        return self.data


@dataclass
class Api:
    """Runs operations as a principal, or as the bearer of an Authorization header."""

    container: Container
    schema: strawberry.Schema = field(default_factory=build_schema)

    def run(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        principal: Principal | None = None,
        authorization: str | None = None,
        services: Services | None = None,
    ) -> Outcome:
        error = None
        if authorization is not None:
            principal, error = authenticate(authorization, self.container.tokens)
        request_id = f"test-{uuid.uuid4().hex[:12]}"
        context = Context(services or self.services(), principal, error, request_id)
        result = self.schema.execute_sync(query, variable_values=variables, context_value=context)
        return Outcome(result.data, [e.formatted for e in result.errors or []], request_id)

    def services(self, **replaced: Any) -> Services:
        """The container's services (as the app wires them), some replaced by fakes."""
        return replace(self.container.services, **replaced)

    def position(self, cluster_id: str, principal: Principal) -> int:
        found = self.run(
            "query($id: ID!) { cluster(id: $id) { position } }",
            {"id": cluster_id},
            principal=principal,
        )
        return found.ok()["cluster"]["position"]


@dataclass(frozen=True)
class Registry:
    """A founded cluster with two subjects and a MEMBER of the first."""

    cluster_id: str
    operator: Principal
    school_id: str
    college_id: str
    member_id: str
    member: Principal


CONTRACT = REPO / "graphql" / "schema.graphql"
RELEASES = REPO / "graphql" / "releases"


def contract_schema() -> GraphQLSchema:
    """graphql/schema.graphql: the public contract, kept equal to the code's schema."""
    return graphql.build_schema(CONTRACT.read_text())


def last_release() -> Path:
    """The newest release's schema under graphql/releases/ (named <version>.graphql)."""
    return max(RELEASES.glob("*.graphql"), key=lambda p: tuple(map(int, p.stem.split("."))))
