"""graphql/schema.graphql is the schema the code builds (regenerate: make schema)."""

from __future__ import annotations

from gql_harness import CONTRACT

from graphql_api.schema import schema_sdl


def test_the_committed_schema_matches_the_code() -> None:
    committed = CONTRACT.read_text()
    assert committed == schema_sdl(), (
        "graphql/schema.graphql drifted from the code: run `make schema`"
    )
