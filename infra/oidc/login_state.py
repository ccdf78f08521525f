"""Server-side state of logins in progress and of the sessions they open, in
the shared directory, so that any API process can finish a login another
started, and a logout ends the session for every process.

Only SHA-256 hashes of the ``state`` and session values are stored: reading the
table does not let anyone finish someone else's login or ride their session.
Times are epoch seconds, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, update
from sqlmodel import Field, Session, SQLModel, col

SESSION_BYTES = 32


class DirLoginState(SQLModel, table=True):
    __tablename__ = "dir_login_state"
    state_hash: str = Field(primary_key=True)
    nonce: str
    code_verifier: str
    cluster_id: str
    provider_id: str
    expires_at: int = Field(index=True)


class DirSession(SQLModel, table=True):
    __tablename__ = "dir_session"
    id_hash: str = Field(primary_key=True)
    person_id: str = Field(index=True)
    created_at: int
    expires_at: int = Field(index=True)
    revoked_at: int | None = None


@dataclass(frozen=True)
class PendingLogin:
    """What the callback needs to finish a login: its checks and the provider."""

    nonce: str
    code_verifier: str
    cluster_id: str
    provider_id: str


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create_tables(engine: Engine) -> None:
    tables = [SQLModel.metadata.tables[n] for n in ("dir_login_state", "dir_session")]
    SQLModel.metadata.create_all(engine, tables=tables)


class SqlLoginStates:
    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        self.engine = engine
        self.ttl_seconds = ttl_seconds

    def save(self, state: str, login: PendingLogin) -> None:
        now = int(time.time())
        row = DirLoginState(
            state_hash=_digest(state),
            nonce=login.nonce,
            code_verifier=login.code_verifier,
            cluster_id=login.cluster_id,
            provider_id=login.provider_id,
            expires_at=now + self.ttl_seconds,
        )
        with Session(self.engine) as session:
            # Abandoned logins are swept here, so the table never grows without bound.
            session.exec(delete(DirLoginState).where(col(DirLoginState.expires_at) < now))  # type: ignore[call-overload]
            session.add(row)
            session.commit()

    def take(self, state: str) -> PendingLogin | None:
        """The login ``state`` started, once: whoever deletes the row owns it, so a
        replayed or concurrent second callback gets None, as does an expired one."""
        key = _digest(state)
        with Session(self.engine) as session:
            row = session.get(DirLoginState, key)
            if row is None:
                return None
            found = PendingLogin(row.nonce, row.code_verifier, row.cluster_id, row.provider_id)
            expired = row.expires_at < int(time.time())
            taken = session.exec(  # type: ignore[call-overload]
                delete(DirLoginState).where(col(DirLoginState.state_hash) == key)
            ).rowcount
            session.commit()
        return found if taken == 1 and not expired else None


class SqlSessions:
    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        self.engine = engine
        self.ttl_seconds = ttl_seconds

    def open(self, person_id: str) -> str:
        """A new session of ``person_id``; the returned value goes into the cookie."""
        value = secrets.token_urlsafe(SESSION_BYTES)
        now = int(time.time())
        row = DirSession(
            id_hash=_digest(value),
            person_id=person_id,
            created_at=now,
            expires_at=now + self.ttl_seconds,
        )
        with Session(self.engine) as session:
            session.add(row)
            session.commit()
        return value

    def person(self, value: str | None) -> str | None:
        """The person of a live session (not revoked, not expired), else None."""
        if not value:
            return None
        with Session(self.engine) as session:
            row = session.get(DirSession, _digest(value))
        if row is None or row.revoked_at is not None or row.expires_at < int(time.time()):
            return None
        return row.person_id

    def revoke(self, value: str | None) -> bool:
        """Ends the session for every process; False when there was none to end."""
        if not value:
            return False
        query = (
            update(DirSession)
            .where(col(DirSession.id_hash) == _digest(value), col(DirSession.revoked_at).is_(None))
            .values(revoked_at=int(time.time()))
        )
        with Session(self.engine) as session:
            ended = session.exec(query).rowcount  # type: ignore[call-overload]
            session.commit()
        return ended == 1
