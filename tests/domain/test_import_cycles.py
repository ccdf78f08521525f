"""No import circles: Tarjan's strongly connected components over the project's modules.

The graph is built from the source with ``ast``: every import wherever it is written
(module level, inside functions, under ``if TYPE_CHECKING:``, ``import_module`` with
a literal name), relative ones resolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "services", "graphql_api", "infra", "bench", "testkit")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    return {
        module_name(f, root): f
        for package in PACKAGES
        for f in sorted((root / package).rglob("*.py"))
    }


def imported_names(source: str, module: str, is_package: bool) -> set[str]:
    """Absolute dotted names a module imports; ``from m import n`` yields ``m.n``.

    The graph resolves each name to its longest known module, so ``m.n`` stands for the
    submodule when there is one and for ``m`` when ``n`` is a name defined in it.
    """
    found: set[str] = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _names_import(node.func) and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def _names_import(func: ast.expr) -> bool:
    """``importlib.import_module("…")`` or ``__import__("…")``: an import all the same."""
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name in {"import_module", "__import__"}


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Edges from each module to the project modules it imports (the longest known prefix)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        is_package = path.name == "__init__.py"
        for imported in imported_names(path.read_text(encoding="utf-8"), name, is_package):
            parts = imported.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_the_project_has_no_import_circle() -> None:
    modules = project_modules()
    assert "infra.cli" in modules and "bench.write_path" in modules, "the scan found no code"
    found = cycles(import_graph(modules))
    assert found == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


# --- the scanner itself: it must see the circles it is meant to forbid ----------


def test_the_scanner_resolves_relative_and_function_level_imports(tmp_path: Path) -> None:
    package = tmp_path / "infra" / "sub"
    package.mkdir(parents=True)
    (tmp_path / "infra" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from .a import x\n")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..top import y\n"
    )
    (tmp_path / "infra" / "top.py").write_text(
        "import importlib\ndef g():\n    importlib.import_module('infra.sub.a')\n"
    )
    modules = {module_name(f, tmp_path): f for f in (tmp_path / "infra").rglob("*.py")}
    graph = import_graph(modules)
    assert graph["infra.sub"] == {"infra.sub.a"}
    assert graph["infra.sub.a"] == {"infra.sub.b"}
    assert graph["infra.sub.b"] == {"infra.top"}
    assert cycles(graph) == [["infra.sub.a", "infra.sub.b", "infra.top"]]


def test_cycles_ignores_a_chain_without_a_way_back() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
