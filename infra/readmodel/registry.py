"""The registry read model: writes (RegistryView) and queries (RegistryReader)."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from infra.readmodel.tables import ClusterRow, InterestRow, MemberRow, SubjectRow, TrackingRow
from infra.readmodel.tracked import BatchTracked
from services.dto import ClusterInfo, InterestInfo, MemberInfo, SubjectInfo
from services.projections.registry import RegistryView


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
        session = self.store.session()
        row = session.get(InterestRow, (subject_id, kind))
        if row is None:
            row = InterestRow(subject_id=subject_id, kind=kind, statement=statement)
        row.statement = statement
        session.add(row)
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


class SqlRegistryReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def cluster(self) -> ClusterInfo | None:
        with Session(self.engine) as session:
            row = session.exec(select(ClusterRow)).first()
            if row is None:
                return None
            positions = session.exec(select(TrackingRow.position)).all()
            return ClusterInfo(row.id, row.name, row.region, row.form, min(positions, default=0))

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]:
        query = select(SubjectRow).order_by(col(SubjectRow.seq))
        if not include_inactive:
            query = query.where(col(SubjectRow.active).is_(True))
        with Session(self.engine) as session:
            rows = session.exec(query).all()
            interests = self._interests(session, [r.id for r in rows])
            return [_subject(r, interests.get(r.id, ())) for r in rows]

    def subject(self, subject_id: str) -> SubjectInfo | None:
        with Session(self.engine) as session:
            row = session.get(SubjectRow, subject_id)
            if row is None:
                return None
            return _subject(row, self._interests(session, [row.id]).get(row.id, ()))

    def members(self, subject_id: str | None = None) -> list[MemberInfo]:
        query = select(MemberRow).order_by(col(MemberRow.seq))
        if subject_id is not None:
            query = query.where(MemberRow.subject_id == subject_id)
        with Session(self.engine) as session:
            return [_member(r) for r in session.exec(query).all()]

    def member(self, member_id: str) -> MemberInfo | None:
        with Session(self.engine) as session:
            row = session.get(MemberRow, member_id)
            return _member(row) if row else None

    @staticmethod
    def _interests(session: Session, ids: list[str]) -> dict[str, tuple[InterestInfo, ...]]:
        if not ids:
            return {}
        found: dict[str, list[InterestInfo]] = {}
        query = select(InterestRow).where(col(InterestRow.subject_id).in_(ids))
        for row in session.exec(query.order_by(col(InterestRow.kind))).all():
            found.setdefault(row.subject_id, []).append(InterestInfo(row.kind, row.statement))
        return {k: tuple(v) for k, v in found.items()}


def _subject(row: SubjectRow, interests: tuple[InterestInfo, ...]) -> SubjectInfo:
    return SubjectInfo(row.id, row.name, row.kind, row.region, row.active, tuple(interests))


def _member(row: MemberRow) -> MemberInfo:
    roles = tuple(r for r in row.roles.split(",") if r)
    return MemberInfo(row.id, row.name, row.email, row.subject_id, roles)
