"""The tests' Node.js side: every folder under tests/ with a package-lock.json is
installed by `make install` (npm ci)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def require_node(folder: Path, package: str, purpose: str) -> str:
    """The node binary, with ``package`` installed in ``folder`` (skips locally,
    fails under CI=true, where every skip is a failure)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node is not installed ({purpose})")
    if not (folder / "node_modules" / package).is_dir():
        pytest.skip(f"{package} is not installed: run `make install` (npm ci in {folder})")
    return node
