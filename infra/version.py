"""The release this code is: the installed package's version, from pyproject.toml.
Operators see it in `clusterwork --version`, GET /healthz and every audit export's
header; the release fixtures (tests/fixtures/releases/) are named after it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

PACKAGE = "clusterwork"


def release() -> str | None:
    """The installed version, e.g. "0.1.0"; None when the package is not installed
    (a bare source checkout on sys.path)."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return None


def application_version() -> str:
    """How an audit export names the code that wrote it."""
    found = release()
    return f"{PACKAGE} {found}" if found else f"{PACKAGE} (source checkout)"
