"""The services resolvers reach are listed once, in ``Services``: the composition
root builds each of them and the app hands exactly those to the GraphQL context."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

from graphql_api.services import Services
from infra.bootstrap import Container

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("domain", "services", "graphql_api", "infra")


def test_the_composition_root_builds_every_service_and_the_context_gets_only_those(
    container: Container,
) -> None:
    services = container.services
    assert type(services) is Services, "the GraphQL context must not see settings, keys or stores"
    names = [field.name for field in fields(Services)]
    assert "registry" in names, "Services lists no services"
    for name in names:
        built = getattr(container, name)
        assert built is not None, f"the composition root does not build {name}"
        assert getattr(services, name) is built, f"the context's {name} is not the root's"


def test_every_service_on_the_container_is_one_resolvers_can_reach(container: Container) -> None:
    listed = {field.name for field in fields(Services)}
    unreachable = [
        field.name
        for field in fields(container)
        if field.name not in listed
        and type(getattr(container, field.name)).__module__.startswith("services.")
        and type(getattr(container, field.name)).__name__.endswith(("Service", "Queries"))
    ]
    assert unreachable == [], f"add {unreachable} to graphql_api.context.Services, not to Container"


def services_built_by_hand() -> list[str]:
    """Where shipped code calls ``Services(...)``, as ``path:line``."""
    found = []
    for package in SHIPPED:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name == "Services":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_composition_root_builds_services() -> None:
    built = services_built_by_hand()
    assert [where.split(":")[0] for where in built] == ["infra/bootstrap.py"], built
