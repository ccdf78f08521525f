"""Only a ``compat`` package (one module per library, pinned, with an upgrade
test) may use a library's private names: everything else goes through public
APIs and documented extension points, so an upstream release cannot break it
unnoticed.

Found here, outside any ``compat`` package of the application's layers:
- an import of an underscored name, or from an underscored module, of a
  third-party package (``from x import _y``, ``import x._y``, ``from x._y import z``);
- an underscored attribute read on anything but ``self``/``cls`` (``pool._check``);
  the application's own classes keep their privates to themselves, so such a
  read is a library's;
- ``getattr``/``setattr``/``hasattr``/``delattr`` with an underscored name;
- strawberry's private extension key ``"strawberry-definition"``;
- a class that subclasses a library class and defines, or reads through ``self``,
  an underscored name that library class has (overriding or using its internals).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("graphql_api", "infra", "services", "domain")
OURS = frozenset({*LAYERS, "testkit", "bench", "tests"})
PRIVATE_KEYS = frozenset({"strawberry-definition"})
NAME_FUNCTIONS = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    return bool(top) and top not in OURS and top not in sys.stdlib_module_names


def sources() -> Iterator[Path]:
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            if "compat" not in path.relative_to(ROOT).parts:
                yield path


def findings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and third_party(node.module or ""):
            module = node.module or ""
            if any(is_private(part) for part in module.split(".")):
                yield node.lineno, f"import from the private module {module}"
            for alias in node.names:
                if is_private(alias.name):
                    yield node.lineno, f"import of the private name {module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if third_party(alias.name) and any(is_private(part) for part in parts):
                    yield node.lineno, f"import of the private module {alias.name}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                yield node.lineno, f"private attribute {ast.unparse(node)}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in NAME_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and is_private(node.args[1].value)
        ):
            yield node.lineno, f"{node.func.id} of the private name {node.args[1].value!r}"
        elif isinstance(node, ast.Constant) and node.value in PRIVATE_KEYS:
            yield node.lineno, f"the private key {node.value!r}"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def library_privates_used(cls: type) -> Iterator[str]:
    """Underscored names a class defines or reads through ``self`` that one of
    its library base classes has."""
    libraries = [base for base in cls.__mro__[1:] if third_party(base.__module__)]
    if not libraries:
        return
    try:
        tree = ast.parse(inspect.getsource(cls).lstrip())  # a nested class is indented
    except (OSError, TypeError, SyntaxError):
        return
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    defined = {
        target.id if isinstance(target, ast.Name) else getattr(target, "name", "")
        for statement in body
        for target in (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else [statement]
        )
    }
    defined = {name for name in defined if is_private(name)}
    read = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and is_private(node.attr)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    }
    for name in sorted(defined | read):
        owner = next((base for base in libraries if name in vars(base)), None)
        if owner is not None:
            yield f"{cls.__qualname__}.{name} is {owner.__module__}.{owner.__qualname__}.{name}"


@pytest.mark.parametrize("path", list(sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_library_private_name_outside_compat(path: Path) -> None:
    found = [f"line {line}: {what}" for line, what in findings(ast.parse(path.read_text()))]
    module = importlib.import_module(module_name(path))
    for value in vars(module).values():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            found += list(library_privates_used(value))
    assert not found, (
        f"{path.relative_to(ROOT)} uses a library's private names: "
        + "; ".join(found)
        + ". Use the library's public API or documented extension point; where there is "
        "none, put the use in that library's module of a compat package, pinned, with a test "
        "that fails on upgrade (see graphql_api/compat)."
    )


def test_the_scan_finds_each_kind() -> None:
    sample = (
        "from strawberry.schema._graphql_core import x\n"
        "from graphql.execution.executor import _y\n"
        "import psycopg_pool._acompat\n"
        "pool._check\n"
        "getattr(f, '_is_default', False)\n"
        "field.extensions['strawberry-definition']\n"
        "self._mine\n"
        "from services._local import z\n"
        "from collections import _chain\n"
    )
    assert [line for line, _ in findings(ast.parse(sample))] == [1, 2, 3, 4, 5, 6]


def test_a_subclass_that_overrides_or_reads_a_library_private_is_found() -> None:
    from starlette.responses import Response

    class Overrides(Response):
        def _private(self) -> None:
            """stands for an override of a library's private method"""

    Response._private = lambda self: None  # type: ignore[attr-defined]
    try:
        assert list(library_privates_used(Overrides)) == [
            "test_a_subclass_that_overrides_or_reads_a_library_private_is_found.<locals>."
            "Overrides._private is starlette.responses.Response._private"
        ]
    finally:
        del Response._private  # type: ignore[attr-defined]
