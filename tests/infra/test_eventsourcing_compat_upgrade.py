"""Upgrading eventsourcing, psycopg or psycopg_pool fails here, loudly, until
what Clusterwork relies on has been re-checked against the new version.

Two kinds of reliance:
- private names, only in ``infra/compat/`` (one module per library): each
  upstream function copied or overridden there is fingerprinted (sha256 of its
  source) in the module's ``UPSTREAM`` table;
- public upstream functions whose behaviour our own code replaces or mirrors
  (``MIRRORED`` below), fingerprinted the same way.
That no private name of any library is used outside a ``compat`` package is
tests/test_private_library_names.py's check.

After an upgrade: read each failing function's new source, change our code if
needed, then record the new fingerprint (the failure message prints it) and the
compat module's ``WRITTEN_AGAINST``.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from infra.compat import eventsourcing as es_compat

ROOT = Path(__file__).resolve().parents[2]

# Public upstream functions that our code replaces or mirrors: "module:qualname" ->
# (sha256 of its source, what to re-check when it changed).
MIRRORED: dict[str, tuple[str, str]] = {
    "eventsourcing.postgres:PostgresApplicationRecorder.insert_events": (
        "f1a98da0239e3ea7462c6b725cd66d0c932fc533814c92e04bf9802ac81ebddf",
        "ChainedPostgresRecorder.insert_events (infra/eventstore/postgres.py) runs its own "
        "append transaction: carry over new steps of the library's (locking, retries, "
        "pipeline error handling).",
    ),
    "eventsourcing.postgres:PostgresApplicationRecorder.__init__": (
        "db36fb3de49a5292adbe422c79bfc1ef22658df8f60915befa85d16949b3fa9e",
        "ChainedPostgresRecorder mirrors the library's table, its notification-id index name "
        "and its EXCLUSIVE lock with lock_timeout: keep them the same.",
    ),
    "eventsourcing.postgres:PostgresAggregateRecorder.__init__": (
        "78adbde8e22843caf9a353dacbe9ebfa3f9e047e6a7cce05d50067d510e1a4a7",
        "ChainedPostgresRecorder.create_table owns the events table: check the library's "
        "columns, and that __init__ still registers only type names (no query) through "
        "SchemaDatastore.register_type_adapters.",
    ),
    "eventsourcing.postgres:PostgresDatastore.__init__": (
        "e68d5fed5a405ca0bb648b3029c8ed36968a90610bbab9528ba36dd39aa66111",
        "SchemaDatastore passes the shared datastore's settings to this constructor, and "
        "event_store_pool rebuilds the pool it builds: pass on any new setting or pool argument.",
    ),
    "eventsourcing.sqlite:SQLiteApplicationRecorder.insert_events": (
        "32f60619a2ca6e6a68cc63612d17c5e2e64defa63baa14cb1800f8e7d872eed5",
        "ChainedSQLiteRecorder.insert_events (infra/eventstore/sqlite.py) runs its own append "
        "transaction: carry over new steps of the library's.",
    ),
    "eventsourcing.sqlite:SQLiteApplicationRecorder._insert_events": (
        "413cdf219c7bae6361386b240f477256549c5675adc02089fed33453160f1611",
        "ChainedSQLiteRecorder.insert_events replaces this insert: keep the stored id form "
        "(32 hex digits) and columns the same.",
    ),
    "eventsourcing.persistence:JSONTranscoder._decode_obj": (
        "7c7c0e6064fd5d73f73f0d3b985850eddc07d661038679297bc74b8251fdde45",
        "OrjsonTranscoder (services/transcoder.py) revives transcoded values as this hook "
        "does: keep both the same (tests/services/test_transcoder.py compares them).",
    ),
    "eventsourcing.persistence:JSONTranscoder.decode": (
        "d500105a1637cd891317cba048e67ef85d9ce4a4e4d105c7b293bb5ea130518c",
        "OrjsonTranscoder.decode replaces it and falls back to it.",
    ),
    "eventsourcing.application:Application.construct_repository": (
        "0b91d1e16616f82c84dfe71062c9b5a9c6ba45adde224b04f311184e963a85ce",
        "ClusterApplication.construct_repository (services/application.py) builds the same "
        "repository from the same settings, as a ClusterRepository: keep them the same.",
    ),
    "eventsourcing.application:project_aggregate": (
        "e2d05062a4fad31fd02c4fc7e3800f3e046aee37afd8ce8d323bc22f114effab",
        "services/application.project_events is this function without its per-event "
        "isinstance check against a Protocol.",
    ),
    "eventsourcing.dispatch:singledispatchmethod.__get__": (
        "b849acb4909ad5235d9e5dbfe28916eb0f91495e5e9f16edda3a0dcb6103d187",
        "The projector's _Routes (services/projections/projector.py) accesses process_event "
        "once so that the deferred registrations are made before it dispatches by class.",
    ),
}

# Public callables our code calls with these keyword arguments.
SIGNATURES: dict[str, set[str]] = {
    "psycopg_pool:ConnectionPool.__init__": {"configure", "check", "reset", "open"},
    "eventsourcing.postgres:ConnectionPool.__init__": {"get_password_func", "configure"},
    "eventsourcing.postgres:PostgresDatastore.__init__": {
        "schema",
        "lock_timeout",
        "pool_open_timeout",
        "enable_db_functions",
    },
    "eventsourcing.application:Repository.get": {"projector_func", "deepcopy_from_cache"},
}


def resolve(name: str) -> Any:
    module, qualname = name.split(":")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = inspect.getattr_static(found, part)
    return getattr(found, "__func__", found)


def fingerprint(name: str) -> str:
    return hashlib.sha256(inspect.getsource(resolve(name)).encode()).hexdigest()


def stale(table: dict[str, tuple[str, str]]) -> list[str]:
    return [
        f"{name} changed upstream (fingerprint now {fingerprint(name)}): {what}"
        for name, (recorded, what) in table.items()
        if fingerprint(name) != recorded
    ]


def locked_version(package: str) -> str:
    lock = (ROOT / "requirements.lock").read_text()
    match = re.search(rf"^{re.escape(package)}==([^\s;]+)", lock, re.MULTILINE)
    assert match, f"{package} is not pinned in requirements.lock"
    return match.group(1)


def test_compat_is_written_against_the_locked_version() -> None:
    from importlib.metadata import version

    locked = locked_version("eventsourcing")
    assert es_compat.WRITTEN_AGAINST == locked == version("eventsourcing"), (
        f"eventsourcing is locked at {locked} and installed at {version('eventsourcing')}, "
        f"infra/compat/eventsourcing.py was written against {es_compat.WRITTEN_AGAINST}: "
        "re-check its UPSTREAM entries and this file's MIRRORED ones, then update "
        "WRITTEN_AGAINST (and the module's header)."
    )
    assert es_compat.WRITTEN_AGAINST in (es_compat.__doc__ or "")


def test_copied_or_overridden_private_functions_are_unchanged_upstream() -> None:
    changed = stale(es_compat.UPSTREAM)
    assert not changed, "infra/compat/eventsourcing.py:\n" + "\n".join(changed)


def test_mirrored_public_functions_are_unchanged_upstream() -> None:
    changed = stale(MIRRORED)
    assert not changed, "\n".join(changed)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_public_callables_take_the_arguments_we_pass(name: str) -> None:
    taken = set(inspect.signature(resolve(name)).parameters)
    missing = SIGNATURES[name] - taken
    assert not missing, f"{name} no longer takes {sorted(missing)}"


def test_private_names_the_compat_module_overrides_still_exist() -> None:
    from eventsourcing.persistence import ConnectionPool
    from eventsourcing.sqlite import SQLiteConnectionPool

    # The hook every library pool implements, and the one the compat pool overrides.
    assert "_create_connection" in ConnectionPool.__abstractmethods__
    assert list(inspect.signature(SQLiteConnectionPool._create_connection).parameters) == ["self"]
    for attribute in ("db_name", "lock_timeout", "is_sqlite_memory_mode", "is_journal_mode_wal"):
        pool = SQLiteConnectionPool(db_name=":memory:")
        assert hasattr(pool, attribute), f"SQLiteConnectionPool has no {attribute} any more"
