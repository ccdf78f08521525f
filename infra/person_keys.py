"""Data keys of persons (docs/privacy.md): one random AES-256 key per member
of a cluster, in a table of the shared directory, outside every cluster's log.

Each key is stored wrapped (AES-256-GCM) by the server's secret key
(CLUSTERWORK_SECRET_KEY, or the key file of the embedded default) and bound to
its own id as associated data, so a wrapped key copied onto another row does
not open. An erasure overwrites the wrapped key with nothing and keeps the row
as a tombstone: "erased" and "missing" stay different things, and only the
first reads as a placeholder.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from services.ports.person_keys import PersonKeyErased, PersonKeyUnavailable

NONCE_BYTES = 12
# A key read from the directory is used this long before it is read again: an
# erasure made by another process reaches this one within that time (the
# erasing process forgets the key at once).
KEY_KEPT_SECONDS = 10.0


class DirPersonKey(SQLModel, table=True):
    __tablename__ = "dir_person_key"
    id: str = Field(primary_key=True)  # "<cluster id>/<member id>"
    wrap_key_id: str  # which wrapping key sealed it: a changed key fails loudly
    wrapped: str | None = None  # base64url(nonce ‖ ciphertext ‖ tag); None once erased
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    erased_at: datetime | None = None


def wrap_key_id(wrapping_key: bytes) -> str:
    """The id of a secret key, as infra/secrets.py names it (not the key)."""
    return hashlib.sha256(b"clusterwork secret key" + wrapping_key).hexdigest()[:16]


def key_id(scope: str, owner: str) -> str:
    return f"{scope}/{owner}"


class SqlPersonKeys:
    def __init__(self, engine: Engine, wrapping_key: bytes) -> None:
        self.engine = engine
        self._wrapping = AESGCM(wrapping_key)
        self._wrap_key_id = wrap_key_id(wrapping_key)
        self._kept: dict[str, tuple[bytes | None, float]] = {}
        self._lock = threading.Lock()

    def create(self) -> None:
        SQLModel.metadata.create_all(
            self.engine, tables=[SQLModel.metadata.tables["dir_person_key"]]
        )

    # --- the port -------------------------------------------------------------

    def for_writing(self, scope: str, owner: str) -> bytes:
        found = self._read(key_id(scope, owner), create=True)
        if found is None:
            raise PersonKeyErased(f"member {owner} was erased: nothing is recorded under them")
        return found

    def for_reading(self, scope: str, owner: str) -> bytes | None:
        return self._read(key_id(scope, owner), create=False)

    # --- erasure and rotation -------------------------------------------------

    def erase(self, scope: str, owners: Iterable[str]) -> None:
        """Destroys the keys (a tombstone stays, also for a key never created:
        nothing may be sealed under it afterwards)."""
        now = datetime.now(UTC)
        ids = [key_id(scope, owner) for owner in owners]
        with Session(self.engine) as session:
            for id_ in ids:
                row = session.get(DirPersonKey, id_)
                if row is None:
                    row = DirPersonKey(id=id_, wrap_key_id=self._wrap_key_id)
                row.wrapped = None
                row.erased_at = row.erased_at or now
                session.add(row)
            session.commit()
        with self._lock:
            for id_ in ids:
                self._kept[id_] = (None, float("inf"))

    def rewrap(self, session: Session, new_key: bytes) -> int:
        """Re-wraps every live key under ``new_key`` in the caller's transaction;
        the number of keys re-wrapped. No event is read or written."""
        new = AESGCM(new_key)
        new_id = wrap_key_id(new_key)
        count = 0
        query = select(DirPersonKey).where(col(DirPersonKey.wrapped).is_not(None))
        for row in session.exec(query):
            raw = self._unwrap(row)
            row.wrapped = _wrap(new, row.id, raw)
            row.wrap_key_id = new_id
            session.add(row)
            count += 1
        return count

    # --- a cluster's keys, as rows (export, import and move) -----------------

    @property
    def wrap_key_id(self) -> str:
        return self._wrap_key_id

    def rows(self, scope: str) -> list[DirPersonKey]:
        """Every key row of ``scope``, still wrapped, erased tombstones included."""
        query = select(DirPersonKey).where(
            col(DirPersonKey.id).startswith(f"{scope}/", autoescape=True)
        )
        with Session(self.engine) as session:
            return [DirPersonKey(**row.model_dump()) for row in session.exec(query)]

    def owners(self, scope: str) -> dict[str, str]:
        """owner → "live", "erased", or "foreign" (wrapped by another secret key
        than this store's); an owner not listed has no key here at all."""
        return {
            row.id.rsplit("/", 1)[1]: "erased"
            if row.wrapped is None
            else "live"
            if row.wrap_key_id == self._wrap_key_id
            else "foreign"
            for row in self.rows(scope)
        }

    def put_rows(self, rows: Iterable[DirPersonKey]) -> list[str]:
        """Writes rows copied from another directory, as they are (wrapped under
        the same secret key); an erased row here stays erased. The ids that were
        new here."""
        added: list[str] = []
        rows = list(rows)
        with Session(self.engine) as session:
            for row in rows:
                known = session.get(DirPersonKey, row.id)
                if known is None:
                    added.append(row.id)
                    session.add(DirPersonKey(**row.model_dump()))
                elif known.wrapped is not None:
                    known.wrapped, known.wrap_key_id = row.wrapped, row.wrap_key_id
                    known.erased_at = row.erased_at
                    session.add(known)
            session.commit()
        with self._lock:
            for row in rows:
                self._kept.pop(row.id, None)
        return added

    def remove(self, ids: Iterable[str]) -> None:
        """Deletes rows a failed import or move added (never any other)."""
        ids = list(ids)
        if not ids:
            return
        with Session(self.engine) as session:
            for row in session.exec(select(DirPersonKey).where(col(DirPersonKey.id).in_(ids))):
                session.delete(row)
            session.commit()
        with self._lock:
            for id_ in ids:
                self._kept.pop(id_, None)

    def forget(self) -> None:
        """Drops every key this process holds unwrapped: the next use reads it again."""
        with self._lock:
            self._kept.clear()

    # --- inside ---------------------------------------------------------------

    def _read(self, id_: str, *, create: bool) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(id_)
        if kept is not None and kept[1] > now:
            return kept[0]
        if create:
            with Session(self.engine) as session:
                row = session.get(DirPersonKey, id_)
            return self._keep(row or self._insert(id_), now)
        # Loading a cluster opens every member's values: its keys are read at
        # once, one query instead of one a member.
        scope = id_.rsplit("/", 1)[0]
        found = None
        with Session(self.engine) as session:
            query = select(DirPersonKey).where(
                col(DirPersonKey.id).startswith(f"{scope}/", autoescape=True)
            )
            for row in session.exec(query):
                self._keep(row, now)
                if row.id == id_:
                    found = row
        if found is None:
            raise PersonKeyUnavailable(f"person key {id_} is missing from the directory")
        return self._kept[id_][0]

    def _keep(self, row: DirPersonKey, now: float) -> bytes | None:
        if row.wrapped is None:
            raw = None
            until = float("inf")  # an erasure is never undone
        else:
            raw = self._unwrap(row)
            until = now + KEY_KEPT_SECONDS
        with self._lock:
            self._kept[row.id] = (raw, until)
        return raw

    def _insert(self, id_: str) -> DirPersonKey:
        row = DirPersonKey(
            id=id_,
            wrap_key_id=self._wrap_key_id,
            wrapped=_wrap(self._wrapping, id_, secrets.token_bytes(32)),
        )
        with Session(self.engine) as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # created concurrently: use that one
                session.rollback()
            found = session.get(DirPersonKey, id_)
        assert found is not None
        return found

    def _unwrap(self, row: DirPersonKey) -> bytes:
        if row.wrap_key_id != self._wrap_key_id:
            raise PersonKeyUnavailable(
                f"person key {row.id} was wrapped by another secret key "
                f"({row.wrap_key_id}, this server has {self._wrap_key_id})"
            )
        sealed = base64.urlsafe_b64decode((row.wrapped or "").encode())
        try:
            return self._wrapping.decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _bound(row.id)
            )
        except InvalidTag:
            raise PersonKeyUnavailable(f"person key {row.id} does not unwrap") from None


def _wrap(aead: AESGCM, id_: str, raw: bytes) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, raw, _bound(id_))).decode()


def _bound(id_: str) -> bytes:
    return f"clusterwork person key|{id_}".encode()
