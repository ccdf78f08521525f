"""The shared directory: the cluster registry, persons, their identities at
identity providers, and which member each person is in each cluster.

It holds nothing of a cluster's content, so a cluster's partition can be
exported or removed on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from infra.erased_persons import ErasedPersons
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


DIRECTORY_TABLES = [
    SQLModel.metadata.tables[n]
    for n in ("dir_cluster", "dir_person", "dir_identity", "dir_membership")
]


MEMBERSHIPS_KNOWN_MAX = 65_536


class SqlDirectory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Clusters known to be registered. Registration is never undone, so a
        # cluster seen once need not be looked up again on every request.
        self._registered: set[str] = set()
        # (person, cluster) -> member, as found. A link is never changed, and only
        # undone by an erasure, which ``erased`` answers first; so one found stays true; only
        # found ones are kept, so a new link is seen at once. What a member may do
        # (roles, removal, a withdrawn subject) is not here: every request reads
        # it from the cluster's registry or read model.
        self._memberships: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._memberships_lock = threading.Lock()
        # An erased person is a member of nothing, whatever was found before.
        self.erased = ErasedPersons(engine)

    def create(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=DIRECTORY_TABLES)
        self.erased.create()

    def forget_person(self, person_id: str) -> None:
        """Drops what this process found about the person (at their erasure)."""
        self.erased.add(person_id)
        with self._memberships_lock:
            for key in [k for k in self._memberships if k[0] == person_id]:
                del self._memberships[key]

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

    def identities(self, person_id: str) -> list[tuple[str, str]]:
        query = (
            select(DirIdentity.issuer, DirIdentity.subject)
            .where(DirIdentity.person_id == person_id)
            .order_by(col(DirIdentity.issuer), col(DirIdentity.subject))
        )
        with Session(self.engine) as session:
            return [(issuer, subject) for issuer, subject in session.exec(query)]

    def link(self, person_id: str, cluster_id: str, member_id: str) -> None:
        with Session(self.engine) as session:
            session.add(
                DirMembership(person_id=person_id, cluster_id=cluster_id, member_id=member_id)
            )
            session.commit()

    def member_of(self, person_id: str, cluster_id: str) -> str | None:
        if person_id in self.erased:
            return None
        key = (person_id, cluster_id)
        with self._memberships_lock:
            known = self._memberships.get(key)
            if known is not None:
                self._memberships.move_to_end(key)
                return known
        with Session(self.engine) as session:
            row = session.get(DirMembership, key)
            member_id = row.member_id if row else None
        if member_id is not None:
            with self._memberships_lock:
                self._memberships[key] = member_id
                while len(self._memberships) > MEMBERSHIPS_KNOWN_MAX:
                    self._memberships.popitem(last=False)
        return member_id

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

    def entries(self, cluster_id: str) -> dict[str, Any]:
        """What the directory holds of one cluster, as plain JSON values: the
        cluster, its members' persons, their identities and the memberships.
        Written into the cluster's audit export, so an import restores them."""
        with Session(self.engine) as session:
            cluster = session.get(DirCluster, cluster_id)
            links = list(
                session.exec(select(DirMembership).where(DirMembership.cluster_id == cluster_id))
            )
            ids = [m.person_id for m in links]
            persons = list(session.exec(select(DirPerson).where(col(DirPerson.id).in_(ids))))
            identities = list(
                session.exec(select(DirIdentity).where(col(DirIdentity.person_id).in_(ids)))
            )
        return {
            "cluster": None
            if cluster is None
            else {
                "id": cluster.id,
                "name": cluster.name,
                "foundedAt": cluster.founded_at.isoformat(),
            },
            "persons": [{"id": p.id, "name": p.name, "email": p.email} for p in persons],
            "identities": [
                {"issuer": i.issuer, "subject": i.subject, "personId": i.person_id}
                for i in identities
            ],
            "memberships": [{"personId": m.person_id, "memberId": m.member_id} for m in links],
        }

    def restore_entries(self, cluster_id: str, name: str, entries: dict[str, Any] | None) -> None:
        """Registers an imported cluster with the entries ``entries()`` gave, in one
        transaction. A person or identity this directory already holds is kept: an
        identity linked here to another person brings the memberships to that person,
        so whoever signs in with it reaches the cluster."""
        entries = entries or {}
        founded = (entries.get("cluster") or {}).get("foundedAt")
        with Session(self.engine) as session:
            session.add(
                DirCluster(
                    id=cluster_id,
                    name=name,
                    founded_at=datetime.fromisoformat(founded) if founded else _now(),
                )
            )
            same: dict[str, str] = {}
            for identity in entries.get("identities", []):
                known = session.get(DirIdentity, (identity["issuer"], identity["subject"]))
                if known is None:
                    session.add(DirIdentity(**_snake(identity)))
                else:
                    same[identity["personId"]] = known.person_id
            for person in entries.get("persons", []):
                if person["id"] not in same and session.get(DirPerson, person["id"]) is None:
                    session.add(
                        DirPerson(id=person["id"], name=person["name"], email=person["email"])
                    )
            linked: set[str] = set()
            for link in entries.get("memberships", []):
                person_id = same.get(link["personId"], link["personId"])
                if person_id in linked:  # two imported persons are one here: one member each
                    continue
                linked.add(person_id)
                session.add(
                    DirMembership(
                        person_id=person_id, cluster_id=cluster_id, member_id=link["memberId"]
                    )
                )
            session.commit()


def _snake(identity: dict[str, str]) -> dict[str, str]:
    return {
        "issuer": identity["issuer"],
        "subject": identity["subject"],
        "person_id": identity["personId"],
    }
