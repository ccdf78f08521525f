"""The lock files: `make install` installs exactly requirements-dev.lock (hashes
checked), the Docker image requirements.lock; both must cover pyproject.toml's
dependencies and agree with each other, or a fresh clone would install
something nobody tested."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", re.M)


def pins(name: str) -> dict[str, str]:
    text = (REPO / name).read_text()
    found = {canonicalize_name(n): v for n, v in PIN.findall(text)}
    assert found, f"{name} pins nothing"
    return found


def entries(name: str) -> list[str]:
    """Each pinned entry with its hash lines (a blank-line-free block per package)."""
    text = (REPO / name).read_text()
    return re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.split("\n", 2)[2])


def requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    listed = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(r) for r in listed]


def test_every_dependency_is_locked_at_a_version_pyproject_allows() -> None:
    dev = pins("requirements-dev.lock")
    runtime = pins("requirements.lock")
    for lock, reqs in ((dev, requirements() + requirements("dev")), (runtime, requirements())):
        for req in reqs:
            name = canonicalize_name(req.name)
            assert name in lock, f"{req.name} is not locked: run make lock"
            assert req.specifier.contains(lock[name], prereleases=True), (req, lock[name])


def test_the_server_lock_pins_the_same_versions_as_the_dev_lock() -> None:
    dev, runtime = pins("requirements-dev.lock"), pins("requirements.lock")
    differ = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert differ == {}, f"requirements.lock and requirements-dev.lock disagree: {differ}"


def test_every_locked_package_carries_its_hashes() -> None:
    for name in ("requirements-dev.lock", "requirements.lock"):
        for entry in entries(name):
            assert "--hash=sha256:" in entry, f"{name}: no hash for {entry.splitlines()[0]}"


def test_this_environment_is_exactly_the_dev_lock() -> None:
    """What make install put in .venv is what the lock says (the markers of other
    platforms aside): a pin that did not take effect fails here."""
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    missing, wrong = [], {}
    for entry in entries("requirements-dev.lock"):
        first = entry.splitlines()[0]
        match = PIN.match(first)
        assert match, first
        name, version = canonicalize_name(match[1]), match[2]
        marker = first.split(";", 1)[1].strip(" \\") if ";" in first else None
        if marker and not Requirement(f"x; {marker}").marker.evaluate():  # type: ignore[union-attr]
            continue
        if name not in installed:
            missing.append(name)
        elif installed[name] != version:
            wrong[name] = (installed[name], version)
    assert missing == [] and wrong == {}, (missing, wrong)
