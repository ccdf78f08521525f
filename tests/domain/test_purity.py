"""Dependencies point inwards: an AST scan of every import in each layer.

Imports are found wherever they are written: at module level, inside functions,
under ``if TYPE_CHECKING:``, and as ``importlib.import_module("...")`` /
``__import__("...")`` calls with a literal name.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Only the library's domain-level modules: no application, persistence or stores.
EVENTSOURCING_DOMAIN_LEVEL = {
    "eventsourcing",
    "eventsourcing.domain",
    "eventsourcing.dispatch",
    "eventsourcing.utils",
}
SERVICES_FORBIDDEN = {
    "fastapi",
    "starlette",
    "strawberry",
    "sqlalchemy",
    "sqlmodel",
    "psycopg",
    "psycopg_pool",
    "uvicorn",
    "authlib",
    "joserfc",
    "infra",
    "graphql_api",
    "eventsourcing.postgres",
    "eventsourcing.sqlite",
}
GRAPHQL_API_FORBIDDEN = {"sqlalchemy", "sqlmodel", "infra", "psycopg", "psycopg_pool"}


def imported_modules(source: str, package: str) -> set[str]:
    """Every module a source file imports, as absolute dotted names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside its own package
                found.add(package)
                continue
            assert node.module is not None
            found.add(node.module)
            # `from eventsourcing import postgres` imports a submodule too.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            arg = node.args[0] if node.args else None
            found.add(arg.value if isinstance(arg, ast.Constant) else "<dynamic import>")
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in {"import_module", "__import__"}


def layer_imports(layer: str) -> dict[str, set[str]]:
    files = sorted((ROOT / layer).rglob("*.py"))
    return {
        str(f.relative_to(ROOT)): imported_modules(f.read_text(encoding="utf-8"), layer)
        for f in files
    }


def matches(module: str, prefixes: set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def domain_allows(module: str) -> bool:
    top = module.split(".")[0]
    if top == "domain" or top == "__future__":
        return True
    if top == "eventsourcing":
        # `from eventsourcing.domain import Aggregate` yields eventsourcing.domain.Aggregate:
        # the module is the first two parts.
        return ".".join(module.split(".")[:2]) in EVENTSOURCING_DOMAIN_LEVEL
    return top in sys.stdlib_module_names


def test_domain_imports_only_the_stdlib_eventsourcing_domain_and_itself() -> None:
    scanned = layer_imports("domain")
    assert "domain/cluster.py" in scanned, "the scan found no domain code"
    offenders = {
        path: sorted(m for m in modules if not domain_allows(m))
        for path, modules in scanned.items()
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_services_import_no_web_graphql_or_database_framework() -> None:
    scanned = layer_imports("services")
    assert "services/registry.py" in scanned, "the scan found no services code"
    offenders = {
        p: sorted(m for m in ms if matches(m, SERVICES_FORBIDDEN)) for p, ms in scanned.items()
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_graphql_api_imports_no_database_layer_and_no_infra() -> None:
    # graphql_api/ may not exist yet or may hold no code; then there is nothing to break.
    scanned = layer_imports("graphql_api")
    offenders = {
        p: sorted(m for m in ms if matches(m, GRAPHQL_API_FORBIDDEN)) for p, ms in scanned.items()
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_production_code_imports_no_test_or_benchmark_helpers() -> None:
    # testkit and bench are not installed with the package, so importing them would break it.
    helpers = {"testkit", "bench", "tests"}
    scanned = {
        path: modules
        for layer in ("domain", "services", "graphql_api", "infra")
        for path, modules in layer_imports(layer).items()
    }
    assert "infra/cli.py" in scanned, "the scan found no infra code"
    offenders = {p: sorted(m for m in ms if matches(m, helpers)) for p, ms in scanned.items()}
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_repository_has_no_python_package_named_graphql() -> None:
    # graphql/ holds .graphql files only: a package there would shadow graphql-core.
    assert not (ROOT / "graphql" / "__init__.py").exists()
    assert not (ROOT / "graphql.py").exists()


# --- the scanner itself: it must see what the rules forbid ---------------------

SNEAKY = """
from __future__ import annotations
from typing import TYPE_CHECKING
import json, os.path
from eventsourcing.domain import Aggregate
from eventsourcing import persistence
if TYPE_CHECKING:
    from sqlalchemy import Engine
def later():
    import fastapi
    from .sibling import thing
    importlib.import_module("infra.settings")
"""


def test_the_scanner_finds_imports_in_functions_type_checking_blocks_and_dynamic_calls() -> None:
    found = imported_modules(SNEAKY, "domain")
    assert {
        "json",
        "os.path",
        "eventsourcing.domain",
        "eventsourcing.persistence",
        "sqlalchemy",
        "fastapi",
        "domain",
        "infra.settings",
    } <= found


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("dataclasses", True),
        ("domain.errors", True),
        ("eventsourcing.domain", True),
        ("eventsourcing.domain.Aggregate", True),
        ("eventsourcing.dispatch", True),
        ("eventsourcing.persistence", False),
        ("eventsourcing.application", False),
        ("eventsourcing.postgres", False),
        ("sqlalchemy", False),
        ("pydantic", False),
        ("services.ids", False),
        ("infra", False),
        ("<dynamic import>", False),
    ],
)
def test_the_domain_rule_tells_allowed_from_forbidden_modules(module: str, allowed: bool) -> None:
    assert domain_allows(module) is allowed
