"""graphql/schema.graphql stays compatible with the last release's schema
(graphql/releases/<version>.graphql): clients written against a release keep
working. graphql-core's find_breaking_changes finds removed or renamed types,
fields, arguments and enum values and changed types; a changed default counts
too. A breaking change fails unless graphql_api/deprecations.toml accepts it
(docs/contributing.md, "The GraphQL contract"). That the committed contract is
the schema the code builds is test_schema_drift.py's check."""

from __future__ import annotations

import tomllib

from gql_harness import CONTRACT, REPO, last_release
from graphql.utilities import DangerousChangeType, find_breaking_changes, find_dangerous_changes

import graphql
from graphql import GraphQLSchema

DEPRECATIONS = REPO / "graphql_api" / "deprecations.toml"
# Dangerous changes that silently change what an existing operation means.
CHANGED_DEFAULTS = {
    DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE,
    DangerousChangeType.INPUT_FIELD_DEFAULT_VALUE_CHANGE,
}


def breaking_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[str]:
    """What breaks a client of ``old`` served by ``new``, one line per change."""
    found = [change.description for change in find_breaking_changes(old, new)]
    found += [c.description for c in find_dangerous_changes(old, new) if c.type in CHANGED_DEFAULTS]
    return sorted(found)


def accepted(text: str) -> dict[str, str]:
    """The deprecation file's accepted changes: line -> reason."""
    entries = tomllib.loads(text).get("accepted", [])
    return {entry["change"]: entry["reason"] for entry in entries}


def unaccepted(old_sdl: str, new_sdl: str, deprecations: str) -> list[str]:
    changes = breaking_changes(graphql.build_schema(old_sdl), graphql.build_schema(new_sdl))
    return [change for change in changes if change not in accepted(deprecations)]


def test_the_release_baseline_is_in_the_repository() -> None:
    assert last_release().name.endswith(".graphql")
    assert {"Query", "Mutation", "Cluster", "Subject"} <= set(
        graphql.build_schema(last_release().read_text()).type_map
    )


def test_graphql_holds_only_graphql_documents() -> None:
    stray = [p for p in (REPO / "graphql").rglob("*") if p.is_file() and p.suffix != ".graphql"]
    assert not stray, f"graphql/ holds only .graphql files: {stray}"


def test_the_contract_keeps_every_promise_of_the_last_release() -> None:
    broken = unaccepted(last_release().read_text(), CONTRACT.read_text(), DEPRECATIONS.read_text())
    assert not broken, (
        f"breaking changes since {last_release().name} (restore them, or accept each "
        f"line with a reason in {DEPRECATIONS.relative_to(REPO)}): {broken}"
    )


def test_every_accepted_change_is_one_the_check_finds() -> None:
    """A stale line would accept a breaking change nobody reviewed later."""
    found = breaking_changes(
        graphql.build_schema(last_release().read_text()),
        graphql.build_schema(CONTRACT.read_text()),
    )
    stale = sorted(set(accepted(DEPRECATIONS.read_text())) - set(found))
    assert not stale, f"accepted in {DEPRECATIONS.name} but not a change now: {stale}"


def test_the_check_fails_on_breaking_changes_unless_they_are_accepted() -> None:
    release = CONTRACT.read_text()
    assert "  members: [Member!]!\n" in release and "first: Int = 100" in release
    edited = (
        release.replace("  members: [Member!]!\n", "  people: [Member!]!\n", 1)
        .replace("  active: Boolean!", "  active: Boolean")
        .replace("first: Int = 100", "first: Int = 50")
    )
    broken = unaccepted(release, edited, "")
    assert "Field Cluster.members was removed." in broken
    assert "Field Subject.active changed type from Boolean! to Boolean." in broken
    assert any(line.endswith("has changed defaultValue from 100 to 50.") for line in broken)
    deprecations = "".join(
        f'[[accepted]]\nchange = "{line}"\nreason = "a test"\n' for line in broken
    )
    assert unaccepted(release, edited, deprecations) == []
    assert unaccepted(release, release, "") == []


def test_additions_and_optional_arguments_are_not_breaking() -> None:
    release = CONTRACT.read_text()
    added = release.replace("type Query {\n", "type Query {\n  newField(limit: Int): Int\n", 1)
    assert added != release
    assert unaccepted(release, added, "") == []
    required = release.replace("type Query {\n", "type Query {\n  x: Int\n", 1).replace(
        "first: Int = 100", "first: Int = 100, must: Int!", 1
    )
    assert any("A required argument" in line for line in unaccepted(release, required, ""))
