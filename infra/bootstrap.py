"""The composition root: the one place that builds settings, stores,
services, tokens and the app. Everything else receives what it needs."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.pool import NullPool

from graphql_api.services import Services
from infra.audit.jws import CheckpointSigner
from infra.clock import SystemClock
from infra.directory import SqlDirectory
from infra.erasures import SqlErasures
from infra.eventstore.postgres import (
    IDLE_PING_SECONDS,
    PREPARED_PER_CONNECTION,
    shared_datastore,
)
from infra.leases import AdvisoryLease, FileLease
from infra.live import LiveHub
from infra.oidc.flow import SignOn
from infra.oidc.wiring import identity_parts
from infra.partitions import PostgresPartitions, SqlitePartitions, sqlite_engine
from infra.person_keys import SqlPersonKeys
from infra.rebuild import Rebuilds
from infra.secrets import load_or_create_secret_key
from infra.settings import Settings
from infra.tokens import TokenService, load_or_create_key
from services.application import ClusterApplication
from services.audit.service import AuditService
from services.commands import CommandRunner
from services.erasure import ErasureService
from services.goals import GoalService
from services.mutual_control import MutualControlService
from services.personal_data import PersonalDataService
from services.ports.clock import Clock
from services.projections.goals import GoalProjection
from services.projections.identity import IdentityProviderProjection
from services.projections.mutual_control import MutualControlProjection
from services.projections.projector import Projector
from services.projections.projects import ProjectsProjection
from services.projections.registry import RegistryProjection
from services.projections.sync import LeasedProjection
from services.projects import ProjectService
from services.queries import ClusterQueries
from services.registry import RegistryService

DIRECTORY_SCHEMA = "clusterwork_directory"

log = logging.getLogger(__name__)


@dataclass
class Container(Services):
    """Every service resolvers call (the fields of ``Services``, their one list),
    and beside them what only the app, the commands and the tests use."""

    settings: Settings
    directory: SqlDirectory
    partitions: SqlitePartitions | PostgresPartitions
    projector: Projector
    tokens: TokenService
    runner: CommandRunner
    clock: Clock
    sync: LeasedProjection
    sign_on: SignOn
    rebuilds: Rebuilds
    person_keys: SqlPersonKeys

    @property
    def services(self) -> Services:
        """Only the services, for the GraphQL context: resolvers see no settings,
        keys or stores."""
        return Services(**{field.name: getattr(self, field.name) for field in fields(Services)})

    def close(self) -> None:
        """Returns every pooled connection (tests and benchmarks drop their
        databases afterwards; a process that ends needs no call)."""
        self.partitions.close()
        self.directory.engine.dispose()


def projector() -> Projector:
    """Every projection of a cluster's read model, in one list."""
    return Projector(
        [
            lambda model: RegistryProjection(model.registry),
            lambda model: MutualControlProjection(model.mutual_control),
            lambda model: GoalProjection(model.goals),
            lambda model: ProjectsProjection(model.projects),
            lambda model: IdentityProviderProjection(model.identity_providers),
        ]
    )


class StateMissing(Exception):
    """The settings point at no Clusterwork state, and the caller may not create it."""


@dataclass(frozen=True)
class StatePart:
    """One thing `serve` and `init` create on first run, and where the settings put it."""

    name: str
    setting: str
    exists: bool


def state_parts(settings: Settings) -> list[StatePart]:
    """The data directory or database schema, then the keys; raises StateMissing
    when the configured PostgreSQL database cannot be opened at all."""
    if settings.database_url:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        store = StatePart(
            f'directory schema "{DIRECTORY_SCHEMA}" in the database {where}',
            "CLUSTERWORK_DATABASE_URL",
            _directory_schema_exists(settings.database_url, where),
        )
    else:
        store = StatePart(
            f"data directory {settings.data_dir.resolve()}",
            "CLUSTERWORK_DATA_DIR",
            (settings.data_dir / "directory.sqlite").is_file(),
        )
    parts = [
        store,
        StatePart(
            f"signing key {settings.key_path.resolve()}",
            "CLUSTERWORK_SIGNING_KEY_PATH" if settings.signing_key_path else "CLUSTERWORK_DATA_DIR",
            settings.key_path.is_file(),
        ),
    ]
    if settings.secret_key is None:
        parts.append(
            StatePart(
                f"secret key {settings.secret_key_file.resolve()}",
                "CLUSTERWORK_SECRET_KEY_PATH"
                if settings.secret_key_path
                else "CLUSTERWORK_DATA_DIR",
                settings.secret_key_file.is_file(),
            )
        )
    return parts


def require_state(settings: Settings) -> None:
    """Raises StateMissing naming the first missing part and the setting that places it."""
    missing = next((part for part in state_parts(settings) if not part.exists), None)
    if missing is not None:
        raise StateMissing(
            f"no {missing.name}: set {missing.setting} to where the server keeps it, "
            "or create it with `clusterwork init`"
        )


def _directory_schema_exists(url: str, where: str) -> bool:
    engine = create_engine(_sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
                {"name": DIRECTORY_SCHEMA},
            ).first()
    except exc.OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[-1]
        raise StateMissing(
            f"cannot open the database {where} ({reason}): "
            "set CLUSTERWORK_DATABASE_URL to an existing database"
        ) from None
    finally:
        engine.dispose()
    return found is not None


def bootstrap(
    settings: Settings | None = None, clock: Clock | None = None, *, create: bool = True
) -> Container:
    """The container; with ``create=False`` (commands that only use existing state)
    it raises StateMissing instead of creating a data directory, schema or key."""
    settings = settings or Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    if not create:
        require_state(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    partitions: SqlitePartitions | PostgresPartitions
    keys = PersonKeysBox()
    if settings.database_url:
        directory, partitions = _postgres(settings, keys.app)
    else:
        raise_open_files_limit()  # before the default number of open partitions is read
        directory = SqlDirectory(sqlite_engine(settings.data_dir / "directory.sqlite"))
        partitions = SqlitePartitions(settings.data_dir, keys.app, settings.partitions_open)
    directory.create()
    person_keys = keys.fill(SqlPersonKeys(directory.engine, secret_key(settings)))
    person_keys.create()
    proj = projector()
    clock = clock or SystemClock()
    lease = (
        AdvisoryLease(partitions.engine)
        if isinstance(partitions, PostgresPartitions)
        else FileLease(settings.data_dir / "locks")
    )
    sync = LeasedProjection(proj, lease, inline=settings.project_inline)
    # Off until `serve` (infra/app.py) or `worker` turns it on: a one-off command
    # must not start a rebuild that its exit would cut short.
    rebuilds = Rebuilds(partitions, proj, lease, background=False)
    partitions.versions = proj.versions
    partitions.on_open = rebuilds.check
    runner = CommandRunner(partitions, directory, proj, clock, sync)
    key = load_or_create_key(settings.key_path)
    tokens = TokenService(
        key, settings.token_issuer, settings.token_ttl_seconds, revoked=directory.erased
    )
    queries = ClusterQueries(partitions, directory, proj, clock, sync)
    audit = AuditService(
        runner,
        queries,
        CheckpointSigner(key),
        settings.checkpoint_every_events,
        settings.checkpoint_every_minutes,
    )
    runner.after_save.append(audit.maybe_checkpoint)
    live = LiveHub()
    runner.after_save.append(lambda partition, _: live.wake(partition.cluster_id))
    identity, sign_on = identity_parts(settings, directory.engine, runner, tokens)
    return Container(
        # The services resolvers reach: a new one is a field of Services and a line here.
        registry=RegistryService(runner),
        queries=queries,
        audit=audit,
        projects=ProjectService(runner),
        goals=GoalService(runner),
        mutual_control=MutualControlService(runner),
        live=live,
        identity=identity,
        privacy=ErasureService(runner, SqlErasures(directory, person_keys, partitions)),
        personal_data=PersonalDataService(directory, partitions, sync, clock),
        settings=settings,
        directory=directory,
        partitions=partitions,
        projector=proj,
        tokens=tokens,
        runner=runner,
        clock=clock,
        sync=sync,
        sign_on=sign_on,
        rebuilds=rebuilds,
        person_keys=person_keys,
    )


def secret_key(settings: Settings) -> bytes:
    """The server's secret key: it seals client secrets and wraps person keys."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    return load_or_create_secret_key(configured, settings.secret_key_file)


class PersonKeysBox:
    """The person keys live in the directory, which is built with the partitions:
    the partitions get this factory first, and the keys before any cluster opens."""

    def __init__(self) -> None:
        self.keys: SqlPersonKeys | None = None

    def fill(self, keys: SqlPersonKeys) -> SqlPersonKeys:
        self.keys = keys
        return keys

    def app(self, recorder: Any, cluster_id: str) -> ClusterApplication:
        return ClusterApplication(recorder, cluster_id, self.keys)


def raise_open_files_limit() -> int | None:
    """Raises the soft limit on open files to the hard limit (each open SQLite
    partition holds files open); returns the soft limit now in force."""
    try:
        import resource
    except ImportError:  # not a POSIX system: nothing to raise
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > soft):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as refused:
            log.warning("open-file limit stays at %d (hard %d): %s", soft, hard, refused)
            return int(soft)
        log.info("open-file limit raised from %d to %s", soft, hard)
        soft = hard
    return None if soft == resource.RLIM_INFINITY else int(soft)


def _postgres(settings: Settings, app_factory: Any) -> tuple[SqlDirectory, PostgresPartitions]:
    url = settings.database_url or ""
    engine = _postgres_engine(url, settings)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{DIRECTORY_SCHEMA}"'))
    directory = SqlDirectory(
        engine.execution_options(schema_translate_map={None: DIRECTORY_SCHEMA})  # type: ignore[arg-type]
    )
    datastore = shared_datastore(url, settings.pg_pool_size, settings.pg_max_overflow)
    return directory, PostgresPartitions(datastore, engine, app_factory, settings.partitions_open)


def _sqlalchemy_url(url: str) -> str:
    """A postgresql:// URL with SQLAlchemy's driver name for psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1).replace(
        "postgres://", "postgresql+psycopg://", 1
    )


def _postgres_engine(url: str, settings: Settings) -> Engine:
    sa_url = _sqlalchemy_url(url)
    # No overflow, the whole bound pooled: an overflow connection closes at check-in, and
    # each new one is a new backend that refills its catalog caches for every cluster
    # schema it touches (docs/performance.md, "Connection churn on PostgreSQL").
    engine = create_engine(
        sa_url,
        pool_size=settings.pg_pool_size + settings.pg_max_overflow,
        max_overflow=0,
    )
    _ping_when_idle(engine, IDLE_PING_SECONDS)

    @event.listens_for(engine, "connect")
    def _keep_prepared(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # As for the event store (infra/eventstore/postgres.py): each cluster
        # schema's queries are texts of their own, prepared after 5 uses.
        dbapi_connection.prepared_max = PREPARED_PER_CONNECTION

    return engine


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """pool_pre_ping, but only for a connection that sat in the pool longer than
    ``seconds``: one that was just used is alive, and pinging it on every checkout
    cost a round trip per query (about a fifth of a command's round trips). A dead
    one is replaced before use, as with pool_pre_ping (docs/performance.md)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces it and checks out again
            raise exc.DisconnectionError(str(error)) from error
