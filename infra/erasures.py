"""The directory's side of an erasure (services/erasure.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, text
from sqlmodel import Session, col, select

from infra.directory import DirIdentity, DirMembership, DirPerson, SqlDirectory
from infra.erased_persons import DirErasure
from infra.oidc.login_state import DirSession
from infra.person_keys import SqlPersonKeys
from services.dto import MembershipInfo
from services.ports.erasure import PersonStatus


class SqlErasures:
    def __init__(self, directory: SqlDirectory, keys: SqlPersonKeys, partitions: Any) -> None:
        self.directory = directory
        self.keys = keys
        self.partitions = partitions

    def status(self, person_id: str) -> PersonStatus:
        with Session(self.directory.engine) as session:
            if session.get(DirErasure, person_id) is not None:
                return PersonStatus.ERASED
            if session.get(DirPerson, person_id) is not None:
                return PersonStatus.PRESENT
            linked = session.exec(
                select(DirMembership.person_id).where(DirMembership.person_id == person_id)
            ).first()
        return PersonStatus.PRESENT if linked else PersonStatus.UNKNOWN

    def memberships(self, person_id: str) -> list[MembershipInfo]:
        if person_id in self.directory.erased:
            return []
        return self.directory.memberships(person_id)

    def destroy_keys(self, cluster_id: str, member_ids: list[str]) -> None:
        self.keys.erase(cluster_id, member_ids)

    def finish(self, person_id: str, erasure_id: str, reason: str, erased_by: str) -> None:
        with Session(self.directory.engine) as session:
            for table, column in (
                (DirIdentity, DirIdentity.person_id),
                (DirSession, DirSession.person_id),
                (DirMembership, DirMembership.person_id),
                (DirPerson, DirPerson.id),
            ):
                session.exec(delete(table).where(col(column) == person_id))  # type: ignore[call-overload]
            session.add(
                DirErasure(
                    person_id=person_id, erasure_id=erasure_id, reason=reason, erased_by=erased_by
                )
            )
            session.commit()
        self.directory.forget_person(person_id)
        _write_back(self.directory.engine)

    def scrub(self, cluster_id: str) -> None:
        """After a cluster's read model dropped the person's name: no copy of the
        old rows stays in the store's write-ahead file."""
        _write_back(self.partitions.open(cluster_id).read_model.engine)


def _write_back(engine: Engine) -> None:
    """SQLite zeroes what is deleted (secure_delete), but the write-ahead log
    still holds earlier copies of the pages until it is written back and
    emptied; PostgreSQL's dead row versions are left to its vacuum."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
