"""The only place where graphql_api reads a library's private names: one module
per library, each written against the version pinned in requirements.lock. Each
lists in ``UPSTREAM`` what it overrides, copies or reads, with a fingerprint of
that code as of the pinned version; tests/graphql_api/test_graphql_compat_upgrade.py
fails on an upgrade that changes any of it."""

from __future__ import annotations

import hashlib
import inspect
from functools import cached_property
from typing import Any


def source_of(upstream: Any) -> str:
    """The source text of a function, method, property or class."""
    if isinstance(upstream, property):
        upstream = upstream.fget
    elif isinstance(upstream, cached_property):
        upstream = upstream.func
    return inspect.getsource(upstream)


def fingerprint(upstream: Any) -> str:
    """The first 16 hex digits of the sha256 of its source: equal as long as
    the code is, whatever the version number says."""
    return hashlib.sha256(source_of(upstream).encode()).hexdigest()[:16]
