"""The registry read model: writes (RegistryView) and queries (RegistryReader)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from domain.base import facts
from domain.cluster import Cluster
from infra.readmodel.by_name import dto_of, read_columns, row_of
from infra.readmodel.tables import (
    ClusterRow,
    InterestRow,
    MemberRow,
    RoleChangeRow,
    SubjectRow,
    TrackingRow,
)
from infra.readmodel.tracked import BatchTracked
from services.dto import (
    CallerInfo,
    ClusterInfo,
    InterestInfo,
    MemberInfo,
    RoleChangeInfo,
    SubjectInfo,
)
from services.ports.registry import RegistryView


class SqlRegistryView(BatchTracked, RegistryView):
    def cluster_founded(self, tracking: Tracking, founded: Cluster.ClusterFounded) -> None:
        self.store.session().add(row_of(ClusterRow, founded, id=str(founded.originator_id)))
        self.insert_tracking(tracking)

    def subject_admitted(self, tracking: Tracking, admitted: Cluster.SubjectAdmitted) -> None:
        row = row_of(
            SubjectRow,
            admitted,
            id=admitted.subject_id,
            seq=tracking.notification_id,
            admitted_at=admitted.timestamp,
        )
        self.store.session().add(row)
        self.insert_tracking(tracking)

    def subject_withdrawn(self, tracking: Tracking, withdrawn: Cluster.SubjectWithdrawn) -> None:
        session = self.store.session()
        row = session.get(SubjectRow, withdrawn.subject_id)
        if row is not None:
            row.active = False
            session.add(row)
        self.insert_tracking(tracking)

    def interest_declared(self, tracking: Tracking, declared: Cluster.InterestDeclared) -> None:
        # The row is the latest statement of its kind, whole: stated by key, not
        # read first (a SELECT and an ORM update were a third of a declaration's pass).
        self.store.upserts().put(
            InterestRow.__table__,  # type: ignore[attr-defined]
            (declared.subject_id, declared.kind),
            facts(declared),
        )
        self.insert_tracking(tracking)

    def member_added(self, tracking: Tracking, added: Cluster.MemberAdded) -> None:
        row = row_of(
            MemberRow,
            added,
            id=added.member_id,
            seq=tracking.notification_id,
            roles=",".join(sorted(added.roles)),
            added_at=added.timestamp,
        )
        self.store.session().add(row)
        self.insert_tracking(tracking)

    def member_erased(self, tracking: Tracking, *, member_id: str, name: str) -> None:
        session = self.store.session()
        row = session.get(MemberRow, member_id)
        if row is not None:
            row.name, row.email = name, None
            session.add(row)
        self.insert_tracking(tracking)

    def role_granted(self, tracking: Tracking, granted: Cluster.RoleGranted) -> None:
        self._role_changed(tracking, granted, granted=True)

    def role_revoked(self, tracking: Tracking, revoked: Cluster.RoleRevoked) -> None:
        self._role_changed(tracking, revoked, granted=False)

    def _role_changed(
        self, tracking: Tracking, change: Cluster.RoleGranted | Cluster.RoleRevoked, granted: bool
    ) -> None:
        session = self.store.session()
        row = session.get(MemberRow, change.member_id)
        if row is not None:
            roles = set(filter(None, row.roles.split(",")))
            roles = roles | {change.role} if granted else roles - {change.role}
            row.roles = ",".join(sorted(roles))
            session.add(row)
        changed = row_of(
            RoleChangeRow,
            change,
            position=tracking.notification_id,
            granted=granted,
            changed_at=change.timestamp,
            changed_by=change.actor_member_id,
        )
        session.add(changed)
        self.insert_tracking(tracking)


# Reads go through SQLAlchemy Core: plain rows, no ORM session or instances
# (a request reads a few hundred rows; the ORM cost more than the database).
_CLUSTER = ClusterRow.__table__.c  # type: ignore[attr-defined]
_SUBJECT = SubjectRow.__table__.c  # type: ignore[attr-defined]
_INTEREST_TABLE = InterestRow.__table__  # type: ignore[attr-defined]
_INTEREST = _INTEREST_TABLE.c
_MEMBER = MemberRow.__table__.c  # type: ignore[attr-defined]
_TRACKING = TrackingRow.__table__.c  # type: ignore[attr-defined]
_ROLE_CHANGE = RoleChangeRow.__table__.c  # type: ignore[attr-defined]
_ROLE_CHANGES_OF = (
    sa.select(*_ROLE_CHANGE)
    .where(_ROLE_CHANGE.member_id.in_(sa.bindparam("member_ids", expanding=True)))
    .order_by(_ROLE_CHANGE.position)
)
# The columns of the DTOs' fields, read by name (infra/readmodel/by_name.py): a
# column added for a new fact reaches its DTO field without an edit here.
_SUBJECT_READ = read_columns(SubjectInfo, _SUBJECT)
_MEMBER_READ = read_columns(MemberInfo, _MEMBER)
_SUBJECTS = sa.select(*_SUBJECT_READ).order_by(_SUBJECT.seq)
_MEMBERS = sa.select(*_MEMBER_READ).order_by(_MEMBER.seq)
_MEMBER_BY_ID = _MEMBERS.where(_MEMBER.id == sa.bindparam("member_id"))
_REACHED = sa.select(sa.func.min(_TRACKING.position)).scalar_subquery()
_CLUSTER_ROW = sa.select(*_CLUSTER, _REACHED.label("position"))
_MEMBER_OF_CALLER = "member_"  # the caller's member columns, named apart from the cluster's
# The cluster (one row per partition), the caller's member and their subject's
# standing: outer joins, so a member that does not exist reads as NULLs.
_CALLER = (
    _CLUSTER_ROW.add_columns(
        *(c.label(_MEMBER_OF_CALLER + c.name) for c in _MEMBER_READ),
        _SUBJECT.active.label("subject_active"),
    )
    .select_from(ClusterRow.__table__)  # type: ignore[attr-defined]
    .outerjoin(MemberRow.__table__, _MEMBER.id == sa.bindparam("member_id"))  # type: ignore[attr-defined]
    .outerjoin(SubjectRow.__table__, _SUBJECT.id == _MEMBER.subject_id)  # type: ignore[attr-defined]
)


_INTEREST_OF_SUBJECT = "interest_"


def _with_interests(subjects: sa.Select[Any]) -> sa.Select[Any]:
    """Subjects with their interests, in one round trip (an outer join)."""
    return (
        subjects.outerjoin(_INTEREST_TABLE, _INTEREST.subject_id == _SUBJECT.id)
        .add_columns(*(c.label(_INTEREST_OF_SUBJECT + c.name) for c in _INTEREST))
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
        found = _Prefixed(row, _MEMBER_OF_CALLER)
        member = _member(found) if found.id is not None else None
        return CallerInfo(
            _cluster(row), member, bool(member and member.subject_id and row.subject_active)
        )

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

    def role_changes(self, member_ids: set[str]) -> dict[str, tuple[RoleChangeInfo, ...]]:
        found: dict[str, list[RoleChangeInfo]] = {}
        with self.engine.connect() as connection:
            rows = connection.execute(_ROLE_CHANGES_OF, {"member_ids": sorted(member_ids)}).all()
        for row in rows:
            found.setdefault(row.member_id, []).append(dto_of(RoleChangeInfo, row))
        return {member_id: tuple(changes) for member_id, changes in found.items()}

    def _subjects(
        self, query: sa.Select[Any], parameters: dict[str, Any] | None = None
    ) -> list[SubjectInfo]:
        found: dict[str, tuple[sa.Row[Any], list[InterestInfo]]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(query, parameters or {}).all():
                entry = found.get(row.id)
                if entry is None:
                    entry = found[row.id] = (row, [])
                if row.interest_kind is not None:
                    entry[1].append(dto_of(InterestInfo, _Prefixed(row, _INTEREST_OF_SUBJECT)))
        return [_subject(row, tuple(interests)) for row, interests in found.values()]


def _subject(row: Any, interests: tuple[InterestInfo, ...]) -> SubjectInfo:
    return dto_of(SubjectInfo, row, active=bool(row.active), interests=interests)


def _cluster(row: Any) -> ClusterInfo:
    return dto_of(ClusterInfo, row, position=row.position or 0)


def _member(row: Any) -> MemberInfo:
    return dto_of(MemberInfo, row, roles=tuple(r for r in row.roles.split(",") if r))


class _Prefixed:
    """The columns of a joined row labelled with a prefix, under their own names."""

    __slots__ = ("_prefix", "_row")

    def __init__(self, row: Any, prefix: str) -> None:
        self._row = row
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)
