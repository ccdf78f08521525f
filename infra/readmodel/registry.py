"""The registry read model: writes (RegistryView) and queries (RegistryReader)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from infra.readmodel.tables import ClusterRow, InterestRow, MemberRow, SubjectRow, TrackingRow
from infra.readmodel.tracked import BatchTracked
from services.dto import CallerInfo, ClusterInfo, InterestInfo, MemberInfo, SubjectInfo
from services.ports.registry import RegistryView


class SqlRegistryView(BatchTracked, RegistryView):
    def cluster_founded(
        self, tracking: Tracking, *, cluster_id: str, name: str, region: str, form: str
    ) -> None:
        self.store.session().add(ClusterRow(id=cluster_id, name=name, region=region, form=form))
        self.insert_tracking(tracking)

    def subject_admitted(
        self,
        tracking: Tracking,
        *,
        subject_id: str,
        name: str,
        kind: str,
        region: str | None,
        at: datetime,
    ) -> None:
        self.store.session().add(
            SubjectRow(
                id=subject_id,
                seq=tracking.notification_id,
                name=name,
                kind=kind,
                region=region,
                admitted_at=at,
            )
        )
        self.insert_tracking(tracking)

    def subject_withdrawn(self, tracking: Tracking, *, subject_id: str) -> None:
        session = self.store.session()
        row = session.get(SubjectRow, subject_id)
        if row is not None:
            row.active = False
            session.add(row)
        self.insert_tracking(tracking)

    def interest_declared(
        self, tracking: Tracking, *, subject_id: str, kind: str, statement: str
    ) -> None:
        # The row is the latest statement of its kind, whole: stated by key, not
        # read first (a SELECT and an ORM update were a third of a declaration's pass).
        self.store.upserts().put(
            InterestRow.__table__,  # type: ignore[attr-defined]
            (subject_id, kind),
            {"subject_id": subject_id, "kind": kind, "statement": statement},
        )
        self.insert_tracking(tracking)

    def member_added(
        self,
        tracking: Tracking,
        *,
        member_id: str,
        name: str,
        email: str | None,
        subject_id: str | None,
        roles: list[str],
        at: datetime,
    ) -> None:
        self.store.session().add(
            MemberRow(
                id=member_id,
                seq=tracking.notification_id,
                name=name,
                email=email,
                subject_id=subject_id,
                roles=",".join(sorted(roles)),
                added_at=at,
            )
        )
        self.insert_tracking(tracking)

    def roles_changed(
        self, tracking: Tracking, *, member_id: str, add: str | None, remove: str | None
    ) -> None:
        session = self.store.session()
        row = session.get(MemberRow, member_id)
        if row is not None:
            roles = set(filter(None, row.roles.split(","))) | ({add} if add else set())
            row.roles = ",".join(sorted(roles - {remove}))
            session.add(row)
        self.insert_tracking(tracking)


# Reads go through SQLAlchemy Core: plain rows, no ORM session or instances
# (a request reads a few hundred rows; the ORM cost more than the database).
_CLUSTER = ClusterRow.__table__.c  # type: ignore[attr-defined]
_SUBJECT = SubjectRow.__table__.c  # type: ignore[attr-defined]
_INTEREST_TABLE = InterestRow.__table__  # type: ignore[attr-defined]
_INTEREST = _INTEREST_TABLE.c
_MEMBER = MemberRow.__table__.c  # type: ignore[attr-defined]
_TRACKING = TrackingRow.__table__.c  # type: ignore[attr-defined]
_SUBJECTS = sa.select(
    _SUBJECT.id, _SUBJECT.name, _SUBJECT.kind, _SUBJECT.region, _SUBJECT.active
).order_by(_SUBJECT.seq)
_MEMBERS = sa.select(
    _MEMBER.id, _MEMBER.name, _MEMBER.email, _MEMBER.subject_id, _MEMBER.roles
).order_by(_MEMBER.seq)
_MEMBER_BY_ID = _MEMBERS.where(_MEMBER.id == sa.bindparam("member_id"))
_REACHED = sa.select(sa.func.min(_TRACKING.position)).scalar_subquery()
_CLUSTER_ROW = sa.select(_CLUSTER.id, _CLUSTER.name, _CLUSTER.region, _CLUSTER.form, _REACHED)
# The cluster (one row per partition), the caller's member and their subject's
# standing: outer joins, so a member that does not exist reads as NULLs.
_CALLER = (
    _CLUSTER_ROW.add_columns(
        _MEMBER.id, _MEMBER.name, _MEMBER.email, _MEMBER.subject_id, _MEMBER.roles, _SUBJECT.active
    )
    .select_from(ClusterRow.__table__)  # type: ignore[attr-defined]
    .outerjoin(MemberRow.__table__, _MEMBER.id == sa.bindparam("member_id"))  # type: ignore[attr-defined]
    .outerjoin(SubjectRow.__table__, _SUBJECT.id == _MEMBER.subject_id)  # type: ignore[attr-defined]
)


def _with_interests(subjects: sa.Select[Any]) -> sa.Select[Any]:
    """Subjects with their interests, in one round trip (an outer join)."""
    return (
        subjects.outerjoin(_INTEREST_TABLE, _INTEREST.subject_id == _SUBJECT.id)
        .add_columns(_INTEREST.kind, _INTEREST.statement)
        .order_by(_INTEREST.kind)
    )


# Built once: a statement built per call costs more Python than its SQLite query.
_ALL_SUBJECTS = _with_interests(_SUBJECTS)
_ACTIVE_SUBJECTS = _with_interests(_SUBJECTS.where(_SUBJECT.active.is_(True)))
_SUBJECT_BY_ID = _with_interests(_SUBJECTS.where(_SUBJECT.id == sa.bindparam("subject_id")))
_MEMBERS_OF = _MEMBERS.where(_MEMBER.subject_id == sa.bindparam("subject_id"))


class SqlRegistryReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def cluster(self) -> ClusterInfo | None:
        with self.engine.connect() as connection:  # one round trip: the cluster and its position
            row = connection.execute(_CLUSTER_ROW).first()
        return _cluster(row) if row is not None else None

    def caller(self, member_id: str) -> CallerInfo:
        with self.engine.connect() as connection:  # one round trip instead of three
            row = connection.execute(_CALLER, {"member_id": member_id}).first()
        if row is None:
            return CallerInfo(None, None, False)
        member = _member(row[5:10]) if row[5] is not None else None
        return CallerInfo(_cluster(row), member, bool(member and member.subject_id and row[10]))

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]:
        return self._subjects(_ALL_SUBJECTS if include_inactive else _ACTIVE_SUBJECTS)

    def subject(self, subject_id: str) -> SubjectInfo | None:
        found = self._subjects(_SUBJECT_BY_ID, {"subject_id": subject_id})
        return found[0] if found else None

    def members(self, subject_id: str | None = None) -> list[MemberInfo]:
        with self.engine.connect() as connection:
            # .all(): the rows in one fetch, not one fetch per row
            if subject_id is None:
                return [_member(r) for r in connection.execute(_MEMBERS).all()]
            rows = connection.execute(_MEMBERS_OF, {"subject_id": subject_id}).all()
            return [_member(r) for r in rows]

    def member(self, member_id: str) -> MemberInfo | None:
        with self.engine.connect() as connection:
            row = connection.execute(_MEMBER_BY_ID, {"member_id": member_id}).first()
            return _member(row) if row else None

    def _subjects(
        self, query: sa.Select[Any], parameters: dict[str, Any] | None = None
    ) -> list[SubjectInfo]:
        found: dict[str, tuple[sa.Row[Any], list[InterestInfo]]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query, parameters or {}).all():
                subject_id = row[0]
                entry = found.get(subject_id)
                if entry is None:
                    entry = found[subject_id] = (row, [])
                if row[5] is not None:
                    entry[1].append(InterestInfo(row[5], row[6]))
        return [_subject(row[:5], tuple(interests)) for row, interests in found.values()]


def _subject(row: Any, interests: tuple[InterestInfo, ...]) -> SubjectInfo:
    id_, name, kind, region, active = row
    return SubjectInfo(id_, name, kind, region, bool(active), interests)


def _cluster(row: Any) -> ClusterInfo:
    return ClusterInfo(row[0], row[1], row[2], row[3], row[4] or 0)


def _member(row: Any) -> MemberInfo:
    id_, name, email, subject_id, roles = row
    return MemberInfo(id_, name, email, subject_id, tuple(r for r in roles.split(",") if r))
