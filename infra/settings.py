"""Settings, read from CLUSTERWORK_* environment variables (and a .env file)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CLUSTERWORK_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    data_dir: Path = Field(Path("./var"), description="SQLite files and the signing key live here.")
    database_url: str | None = Field(
        None,
        description="postgresql://user:pass@host:port/db; when set, PostgreSQL replaces SQLite.",
    )
    signing_key_path: Path | None = Field(
        None, description="Ed25519 private JWK for tokens; default <data_dir>/signing-key.jwk."
    )
    secret_key: SecretStr | None = Field(
        None, description="Encrypts identity providers' client secrets (32 bytes, base64url)."
    )
    secret_key_path: Path | None = Field(
        None,
        description="Key file when secret_key is unset; default <data_dir>/secret-key (created).",
    )
    host: str = Field("127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(8000, description="Port `serve` listens on.")
    public_base_url: str | None = Field(None, description="External URL; default http://host:port.")
    token_ttl_seconds: int = Field(3600, ge=60, le=86400 * 30, description="Access-token lifetime.")
    token_issuer: str = Field("clusterwork", description="`iss` of workspace tokens.")
    open_clusters: int | None = Field(
        None,
        ge=1,
        description="Cluster partitions kept open per process; default 1024 on PostgreSQL (all "
        "share the two pools); on SQLite (each holds its files open) as many as the open-file "
        "limit allows, up to 1024 (the limit is raised to its hard limit at start).",
    )
    pg_pool_size: int = Field(4, ge=1, description="PostgreSQL connections per pool (two pools).")
    pg_max_overflow: int = Field(
        4,
        ge=0,
        description="Extra PostgreSQL connections per pool under load: the event store closes "
        "them after 10 idle minutes, the read model keeps them open (a new connection is a new "
        "backend with cold catalog caches).",
    )
    request_threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Threads per API process that run GraphQL operations; default on SQLite the "
        "number of CPUs (at least 2), on PostgreSQL Python's default for waiting work (CPUs + 4, "
        "up to 32).",
    )
    read_threads: int | None = Field(
        None,
        ge=1,
        le=256,
        description="Threads per API process that run GraphQL queries (mutations run in "
        "request_threads); default the number of CPUs (at least 2).",
    )
    log_level: str = Field("INFO", description="Python logging level.")
    access_log: bool = Field(
        False,
        description="`serve` logs one line per HTTP request (uvicorn's access log). Off by "
        "default: the line cost a tenth of a trivial request's CPU, and a reverse proxy in "
        "front logs requests already; every answer carries its X-Request-ID either way.",
    )
    telemetry: bool = Field(
        False,
        description="FastAPI reports each request to the OpenTelemetry providers set up in the "
        "process (an OpenTelemetry SDK the operator installs and configures). Off by default: "
        "no SDK ships with Clusterwork, its logs would carry exception messages, and FastAPI "
        "otherwise asks on every request whether a provider is configured.",
    )
    switch_interval_ms: float = Field(
        0.5,
        gt=0,
        le=100,
        description="How long `serve` and `worker` let a thread hold the interpreter before "
        "handing it over (Python's default is 5 ms).",
    )
    checkpoint_every_events: int = Field(
        1000, ge=1, description="Sign a checkpoint every N events."
    )
    checkpoint_every_minutes: int = Field(
        60, ge=1, description="…or after T minutes, when a command finds new events unsigned."
    )
    project_inline: bool = Field(
        True, description="API processes project read models themselves (false: a worker does)."
    )
    rebuild_in_background: bool = Field(
        True,
        description="A process that opens a cluster whose read model older projection versions "
        "built rebuilds it beside the live one and switches (false: only "
        "`clusterwork projections rebuild` does).",
    )
    graphiql: bool = Field(True, description="Serve GraphiQL at /graphql in a browser.")
    # Hardening (infra/limits.py, infra/rate_limit.py): generous defaults that no
    # normal client, test or benchmark meets; production may tighten them.
    introspection: bool = Field(True, description="Answer introspection (GraphiQL needs it).")
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body; larger ones get 413 unread."
    )
    rate_limit: bool = Field(True, description="Token buckets per token (per IP without one).")
    rate_limit_per_second: float = Field(100.0, gt=0, description="Refill of a bucket, requests/s.")
    rate_limit_burst: int = Field(500, ge=1, description="Bucket size: requests allowed at once.")

    @property
    def key_path(self) -> Path:
        return self.signing_key_path or self.data_dir / "signing-key.jwk"

    @property
    def secret_key_file(self) -> Path:
        return self.secret_key_path or self.data_dir / "secret-key"

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def partitions_open(self) -> int:
        """open_clusters, or its default for the backend in use."""
        if self.open_clusters is not None:
            return self.open_clusters
        return OPEN_CLUSTERS_MAX if self.uses_postgres else sqlite_open_clusters()

    @property
    def request_pool_size(self) -> int:
        """request_threads, or its default for the backend in use. Python runs one
        thread at a time: threads beyond the CPUs only help while others wait. On
        SQLite an operation waits little (a local file, one fsync per commit), and
        each extra runnable thread made every request dearer (handing the
        interpreter over, waking the event loop): on 2 CPUs under 8 clients, 2
        threads served 1.40 times the writes of 6 spread over 100 clusters and 1.13
        times on one cluster (docs/performance.md, "Threads for operations"). On PostgreSQL each
        statement is a round trip, over a network in production, so more threads
        keep the CPU busy (there, 2 threads served 0.94 times the writes of 6)."""
        if self.request_threads is not None:
            return self.request_threads
        return default_request_threads(postgres=self.uses_postgres)

    @property
    def read_pool_size(self) -> int:
        """read_threads, or the CPUs (at least 2) on either backend. A query waits
        little beside its CPU (a statement or two on a nearby database), and each
        runnable thread beyond the CPUs made every query dearer: on 2 CPUs under 8
        clients reading a cluster's members from PostgreSQL, 2 threads served 1.2
        times the reads of 6 at 0.85 times the CPU per read (docs/performance.md,
        "Threads for queries"). A database far away makes each query wait longer:
        then more threads help, as for mutations."""
        if self.read_threads is not None:
            return self.read_threads
        return default_read_threads()

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)


OPEN_CLUSTERS_MAX = 1024
# A SQLite partition holds two small pools of its own (the event store's and the
# read model's: up to 2 idle connections each, 6 under load), each connection the
# database and its WAL open, plus the shared memory file: about 9 files at rest, 12
# counted to leave room for load. The rest of the process gets its own reserve.
SQLITE_FILES_PER_PARTITION = 12
FILES_RESERVED = 256
SQLITE_OPEN_CLUSTERS_MIN = 16


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where there is one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity masks on this system
        return os.cpu_count() or 1


def default_request_threads(postgres: bool) -> int:
    """Settings.request_pool_size's default: CPUs + 4 (up to 32, Python's own
    default for waiting work) on PostgreSQL, the CPUs (at least 2) on SQLite."""
    cpus = usable_cpus()
    return min(32, cpus + 4) if postgres else max(2, cpus)


def default_read_threads() -> int:
    """Settings.read_pool_size's default: the CPUs, at least 2."""
    return max(2, usable_cpus())


def open_files_limit() -> int | None:
    """The process's soft limit on open files; None where there is none to read."""
    try:
        import resource
    except ImportError:  # not a POSIX system
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def sqlite_open_clusters(limit: int | None = None) -> int:
    """The default number of open SQLite partitions: what the open-file limit
    allows (``limit``, or the process's), at most OPEN_CLUSTERS_MAX."""
    limit = open_files_limit() if limit is None else limit
    if limit is None:
        return OPEN_CLUSTERS_MAX
    allowed = (limit - FILES_RESERVED) // SQLITE_FILES_PER_PARTITION
    return max(SQLITE_OPEN_CLUSTERS_MIN, min(OPEN_CLUSTERS_MAX, allowed))
