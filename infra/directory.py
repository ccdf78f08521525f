"""The shared directory: the cluster registry, persons, their identities at
identity providers, and which member each person is in each cluster.

It holds nothing of a cluster's content, so a cluster's partition can be
exported or removed on its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Engine, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from services.dto import MembershipInfo


def _now() -> datetime:
    return datetime.now(UTC)


class DirCluster(SQLModel, table=True):
    __tablename__ = "dir_cluster"
    id: str = Field(primary_key=True)
    name: str
    founded_at: datetime = Field(default_factory=_now)


class DirPerson(SQLModel, table=True):
    __tablename__ = "dir_person"
    id: str = Field(primary_key=True)
    name: str | None = None
    email: str | None = None
    created_at: datetime = Field(default_factory=_now)


class DirIdentity(SQLModel, table=True):
    """(issuer, sub) at an identity provider → person."""

    __tablename__ = "dir_identity"
    issuer: str = Field(primary_key=True)
    subject: str = Field(primary_key=True)
    person_id: str = Field(index=True)


class DirMembership(SQLModel, table=True):
    __tablename__ = "dir_membership"
    __table_args__ = (UniqueConstraint("cluster_id", "member_id"),)
    person_id: str = Field(primary_key=True)
    cluster_id: str = Field(primary_key=True)
    member_id: str


_MEMBERSHIP = DirMembership.__table__.c  # type: ignore[attr-defined]

DIRECTORY_TABLES = [
    SQLModel.metadata.tables[n]
    for n in ("dir_cluster", "dir_person", "dir_identity", "dir_membership")
]


class SqlDirectory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Clusters known to be registered. Registration is never undone, so a
        # cluster seen once need not be looked up again on every request.
        self._registered: set[str] = set()

    def create(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=DIRECTORY_TABLES)

    def register_cluster(self, cluster_id: str, name: str) -> None:
        with Session(self.engine) as session:
            session.add(DirCluster(id=cluster_id, name=name))
            session.commit()

    def cluster_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(select(DirCluster.id).order_by(col(DirCluster.founded_at))))

    def has_cluster(self, cluster_id: str) -> bool:
        if cluster_id in self._registered:
            return True
        with Session(self.engine) as session:
            found = session.get(DirCluster, cluster_id) is not None
        if found:
            self._registered.add(cluster_id)
        return found

    def ensure_person(self, person_id: str, name: str | None, email: str | None) -> None:
        with Session(self.engine) as session:
            if session.get(DirPerson, person_id) is None:
                session.add(DirPerson(id=person_id, name=name, email=email))
                try:
                    session.commit()
                except IntegrityError:  # created concurrently: same outcome
                    session.rollback()

    def person(self, person_id: str) -> tuple[str | None, str | None] | None:
        with Session(self.engine) as session:
            row = session.get(DirPerson, person_id)
            return (row.name, row.email) if row else None

    def link(self, person_id: str, cluster_id: str, member_id: str) -> None:
        with Session(self.engine) as session:
            session.add(
                DirMembership(person_id=person_id, cluster_id=cluster_id, member_id=member_id)
            )
            session.commit()

    def member_of(self, person_id: str, cluster_id: str) -> str | None:
        # Core, not the ORM: every request asks this, and no cache may answer it
        # (a membership removed by another process must take effect at once).
        query = sa.select(_MEMBERSHIP.member_id).where(
            _MEMBERSHIP.person_id == person_id, _MEMBERSHIP.cluster_id == cluster_id
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def person_of(self, cluster_id: str, member_id: str) -> str | None:
        query = select(DirMembership.person_id).where(
            DirMembership.cluster_id == cluster_id, DirMembership.member_id == member_id
        )
        with Session(self.engine) as session:
            return session.exec(query).first()

    def memberships(self, person_id: str) -> list[MembershipInfo]:
        query = (
            select(DirMembership)
            .join(DirCluster, col(DirCluster.id) == col(DirMembership.cluster_id))
            .where(DirMembership.person_id == person_id)
            .order_by(col(DirCluster.founded_at))
        )
        with Session(self.engine) as session:
            return [MembershipInfo(m.cluster_id, m.member_id) for m in session.exec(query)]
