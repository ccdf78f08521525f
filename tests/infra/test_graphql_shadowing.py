"""strawberry imports graphql-core as ``graphql``; the repository's ``graphql/``
folder (only .graphql files) must not shadow it, even with the repository root
first on sys.path (``python -m pytest``, uvicorn's default app dir)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import sys; sys.path.insert(0, {root!r}); "
    "import strawberry, graphql; "
    "print(graphql.__file__); print(graphql.version)"
)


def probe(cwd: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(ROOT))],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_graphql_core_wins_over_the_repository_folder_with_the_root_first_on_sys_path() -> None:
    graphql_file, version = probe(ROOT)
    assert graphql_file != "None", "graphql resolved to a namespace package (the repo folder)"
    location = Path(graphql_file).resolve()
    assert not location.is_relative_to(ROOT / "graphql")
    assert location.parent.name == "graphql" and location.name == "__init__.py"
    assert "site-packages" in location.parts
    assert version.split(".")[0] == "3"


def test_the_same_holds_when_started_from_another_directory(tmp_path: Path) -> None:
    graphql_file, _ = probe(tmp_path)
    location = Path(graphql_file).resolve()
    assert not location.is_relative_to(ROOT / "graphql")
    assert "site-packages" in location.parts
