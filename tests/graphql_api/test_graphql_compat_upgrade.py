"""graphql_api/compat relies on internals of graphql-core and strawberry: these
tests fail on an upgrade that changes any of them, before it can answer wrongly
or quietly lose the planned fields' speed.

On a failure: read the upstream code named in the message against the compat
module that relies on it, adapt the module, then record the new fingerprints
(``.venv/bin/python tests/graphql_api/test_graphql_compat_upgrade.py`` prints them) and
the new version in the module's ``VERSION`` and header.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from types import ModuleType

import pytest
import strawberry
from strawberry.types.field import StrawberryField

from graphql import GraphQLSchema
from graphql_api.compat import fingerprint, graphql_core
from graphql_api.compat import strawberry as strawberry_compat
from graphql_api.compat.graphql_core import LeafField, MethodField
from graphql_api.compat.strawberry import (
    DEFINITION,
    ViewExecutionContext,
    graphql_core_schema,
    plan,
    strawberry_schema,
)
from graphql_api.schema import build_schema

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"
MODULES = {"graphql-core": graphql_core, "strawberry-graphql": strawberry_compat}


def locked(distribution: str) -> str:
    found = re.search(rf"^{re.escape(distribution)}==(\S+)", LOCK.read_text(), re.MULTILINE)
    assert found, f"{distribution} is not pinned in requirements.lock"
    return found.group(1)


@pytest.mark.parametrize("distribution", MODULES)
def test_the_module_names_the_locked_and_installed_version(distribution: str) -> None:
    module = MODULES[distribution]
    written_for = module.VERSION  # type: ignore[attr-defined]
    assert written_for == locked(distribution) == version(distribution), (
        f"{module.__name__} was checked against {distribution} {written_for}; "
        f"requirements.lock pins {locked(distribution)}, installed is {version(distribution)}. "
        f"Re-check everything in {module.__name__}.UPSTREAM against the new version, "
        "then set VERSION and the header to it."
    )


@pytest.mark.parametrize("distribution", MODULES)
def test_every_upstream_internal_is_the_code_it_was_written_against(distribution: str) -> None:
    module: ModuleType = MODULES[distribution]
    recorded: dict[str, str] = module.FINGERPRINTS  # type: ignore[attr-defined]
    upstream = module.UPSTREAM  # type: ignore[attr-defined]
    assert set(recorded) == set(upstream), f"{module.__name__}: record a fingerprint for each"
    changed = [name for name, code in upstream.items() if fingerprint(code) != recorded[name]]
    assert not changed, (
        f"{distribution} {version(distribution)} changed {', '.join(changed)}, which "
        f"{module.__name__} overrides, copies or relies on (written against "
        f"{module.VERSION}). Read the new code, adapt {module.__name__}, "  # type: ignore[attr-defined]
        "then record the new fingerprints."
    )


def test_the_private_names_read_are_there_with_their_meaning() -> None:
    """``Schema._schema``, ``GraphQLSchema._strawberry_schema``, the definition
    key and the default-resolver mark, on the application's own schema."""
    schema = build_schema()
    core = graphql_core_schema(schema)
    assert isinstance(core, GraphQLSchema) and core.query_type is not None
    assert core.query_type.name == "Query"
    assert strawberry_schema(core) is schema
    assert strawberry_schema(GraphQLSchema()) is None
    event = core.get_type("Event")
    assert event is not None
    definition = event.fields["position"].extensions[DEFINITION]  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryField) and definition.python_name == "position"


def test_the_application_s_plain_fields_are_planned() -> None:
    """The direct way is only worth keeping while it applies: a plain leaf and a
    method of self only still get a plan, an argument-taking field does not."""
    core = graphql_core_schema(build_schema())
    event, cluster = core.get_type("Event"), core.get_type("Cluster")
    position, actor = plan(core, event, "position"), plan(core, event, "actor")  # type: ignore[arg-type]
    assert isinstance(position, LeafField) and position.same is int
    assert isinstance(actor, MethodField) and actor.object_type is not None
    assert plan(core, cluster, "events") is None  # type: ignore[arg-type]


def test_a_schema_built_with_the_context_uses_it() -> None:
    @strawberry.type
    class Query:
        name: str = "n"

    schema = strawberry.Schema(query=Query, execution_context_class=ViewExecutionContext)
    assert schema.execute_sync("{ name }", root_value=Query()).data == {"name": "n"}
    assert issubclass(ViewExecutionContext, graphql_core.PlannedFieldsExecution)


if __name__ == "__main__":
    for module in MODULES.values():
        print(f"{module.__name__}:")
        for name, code in module.UPSTREAM.items():  # type: ignore[attr-defined]
            print(f'    "{name}": "{fingerprint(code)}",')
