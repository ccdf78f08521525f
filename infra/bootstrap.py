"""The composition root: the one place that builds settings, stores,
services, tokens and the app. Everything else receives what it needs."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text

from infra.audit.jws import CheckpointSigner
from infra.clock import SystemClock
from infra.directory import SqlDirectory
from infra.eventstore.postgres import shared_datastore
from infra.partitions import PostgresPartitions, SqlitePartitions, sqlite_engine
from infra.settings import Settings
from infra.tokens import TokenService, load_or_create_key
from services.application import ClusterApplication
from services.audit.service import AuditService
from services.commands import CommandRunner
from services.ports import Clock
from services.projections.projector import Projector
from services.projections.registry import RegistryProjection
from services.queries import ClusterQueries
from services.registry import RegistryService

DIRECTORY_SCHEMA = "clusterwork_directory"


@dataclass
class Container:
    settings: Settings
    directory: SqlDirectory
    partitions: SqlitePartitions | PostgresPartitions
    projector: Projector
    registry: RegistryService
    queries: ClusterQueries
    tokens: TokenService
    runner: CommandRunner
    clock: Clock
    audit: AuditService


def projector() -> Projector:
    """Every projection of a cluster's read model, in one list."""
    return Projector([lambda model: RegistryProjection(model.registry)])


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.database_url:
        directory, partitions = _postgres(settings)
    else:
        directory = SqlDirectory(sqlite_engine(settings.data_dir / "directory.sqlite"))
        partitions = SqlitePartitions(settings.data_dir, ClusterApplication, settings.open_clusters)
    directory.create()
    proj = projector()
    clock = clock or SystemClock()
    runner = CommandRunner(partitions, directory, proj, clock)
    key = load_or_create_key(settings.key_path)
    tokens = TokenService(key, settings.token_issuer, settings.token_ttl_seconds)
    queries = ClusterQueries(partitions, directory, proj, clock)
    audit = AuditService(
        runner, queries, CheckpointSigner(key),
        settings.checkpoint_every_events, settings.checkpoint_every_minutes,
    )
    runner.after_save.append(audit.maybe_checkpoint)
    return Container(
        settings, directory, partitions, proj, RegistryService(runner), queries, tokens,
        runner, clock, audit,
    )


def _postgres(settings: Settings) -> tuple[SqlDirectory, PostgresPartitions]:
    url = settings.database_url or ""
    engine = _postgres_engine(url, settings)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{DIRECTORY_SCHEMA}"'))
    directory = SqlDirectory(
        engine.execution_options(schema_translate_map={None: DIRECTORY_SCHEMA})  # type: ignore[arg-type]
    )
    datastore = shared_datastore(url, settings.pg_pool_size, settings.pg_max_overflow)
    return directory, PostgresPartitions(datastore, engine, ClusterApplication, settings.open_clusters)


def _postgres_engine(url: str, settings: Settings) -> Engine:
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1).replace(
        "postgres://", "postgresql+psycopg://", 1
    )
    return create_engine(
        sa_url, pool_size=settings.pg_pool_size, max_overflow=settings.pg_max_overflow,
        pool_pre_ping=True,
    )
