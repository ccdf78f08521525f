"""The mutual-control read model: writes (MutualControlView) and queries (MutualControlReader)."""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine, Table, bindparam, func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from domain.assessment_round import AssessmentRound, RoundTerms
from domain.base import facts
from domain.norm import Norm, NormTerms
from domain.scorecard import Scorecard
from infra.readmodel.by_name import dto_of, row_of, set_facts
from infra.readmodel.mutual_control_tables import AssessmentRow, NormRow, RoundNormRow, RoundRow
from infra.readmodel.tracked import BatchTracked
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo, WeightedScore
from services.ports.mutual_control import MutualControlView


class SqlMutualControlView(BatchTracked, MutualControlView):
    def norm_adopted(self, tracking: Tracking, adopted: Norm.NormAdopted) -> None:
        row = row_of(NormRow, adopted, id=str(adopted.originator_id), seq=tracking.notification_id)
        self.store.session().add(row)
        self.insert_tracking(tracking)

    def round_opened(
        self, tracking: Tracking, opened: AssessmentRound.AssessmentRoundOpened
    ) -> None:
        round_id = str(opened.originator_id)
        session = self.store.session()
        _known_rounds(session).pop(round_id, None)
        # The norms' terms are rows of their own (the round's ``norms`` fact).
        session.add(row_of(RoundRow, opened, id=round_id, seq=tracking.notification_id))
        for ord_, terms in enumerate(opened.norms):
            session.add(RoundNormRow(round_id=round_id, ord=ord_, **terms))
        self.insert_tracking(tracking)

    def round_closed(
        self, tracking: Tracking, closed: AssessmentRound.AssessmentRoundClosed
    ) -> None:
        round_id = str(closed.originator_id)
        session = self.store.session()
        _known_rounds(session).pop(round_id, None)
        row = session.get(RoundRow, round_id)
        if row is not None:
            set_facts(row, closed, is_open=False)
            session.add(row)
        self.insert_tracking(tracking)

    def round_terms(self, round_id: str) -> RoundTerms | None:
        session = self.store.session()
        known = _known_rounds(session)
        if round_id not in known:
            known[round_id] = _round_terms(session, round_id)
        return known[round_id]

    def assessment_recorded(
        self,
        tracking: Tracking,
        recorded: Scorecard.AssessmentRecorded,
        *,
        weighted: float,
        weight: float,
    ) -> None:
        # The row is the latest revision, whole: stated by key, not read first.
        row = facts(recorded)
        row.update(
            seq=tracking.notification_id,
            weighted=weighted,
            weight=weight,
            recorded_by=recorded.actor_member_id,
            recorded_at=recorded.timestamp,
        )
        key = (recorded.round_id, recorded.assessor_id, recorded.assessee_id, recorded.norm_id)
        self.store.upserts().put(_ASSESSMENTS, key, row)
        self.insert_tracking(tracking)


def _known_rounds(session: Session) -> dict[str, RoundTerms | None]:
    """Per round, its terms as projected so far.

    Remembered for the rest of the batch (the session's unit of work), which
    projects hundreds of assessments of the same round: one query per round and
    batch, not one per event. ``round_opened`` and ``round_closed`` forget the
    round, so the next look reads their change.
    """
    return session.info.setdefault(_ROUND_TERMS, {})  # type: ignore[no-any-return]


def _round_terms(session: Session, round_id: str) -> RoundTerms | None:
    session.flush()  # a round opened or closed earlier in this batch is read too
    rows = session.connection().execute(_TERMS_OF_ROUND, {"round_id": round_id}).all()
    if not rows:
        return None
    return RoundTerms(
        rows[0].is_open,
        {r.norm_id: NormTerms(r.norm_id, r.scale_min, r.scale_max, r.weight) for r in rows},
    )


_ROUND_TERMS = "clusterwork.round_terms"
_ASSESSMENTS: Table = AssessmentRow.__table__  # type: ignore[attr-defined]
_rn = RoundNormRow.__table__.c  # type: ignore[attr-defined]
_r = RoundRow.__table__.c  # type: ignore[attr-defined]
# Built once: compiled once, then taken from SQLAlchemy's cache.
_TERMS_OF_ROUND = (
    core_select(_r.is_open, _rn.norm_id, _rn.scale_min, _rn.scale_max, _rn.weight)
    .join_from(RoundNormRow.__table__, RoundRow.__table__, _r.id == _rn.round_id)  # type: ignore[attr-defined]
    .where(_rn.round_id == bindparam("round_id"))
)


class SqlMutualControlReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def norms(self) -> list[NormInfo]:
        with Session(self.engine) as session:
            return [_norm(r) for r in session.exec(select(NormRow).order_by(col(NormRow.seq)))]

    def norm(self, norm_id: str) -> NormInfo | None:
        with Session(self.engine) as session:
            row = session.get(NormRow, norm_id)
            return _norm(row) if row else None

    def rounds(self) -> list[RoundInfo]:
        return self._rounds(None)

    def round(self, round_id: str) -> RoundInfo | None:
        found = self._rounds(round_id)
        return found[0] if found else None

    def assessments(
        self, round_id: str, assessor_id: str | None = None, assessee_id: str | None = None
    ) -> list[AssessmentInfo]:
        query = select(AssessmentRow).where(col(AssessmentRow.round_id) == round_id)
        if assessor_id is not None:
            query = query.where(col(AssessmentRow.assessor_id) == assessor_id)
        if assessee_id is not None:
            query = query.where(col(AssessmentRow.assessee_id) == assessee_id)
        with Session(self.engine) as session:
            return [_assessment(r) for r in session.exec(query.order_by(col(AssessmentRow.seq)))]

    def weighted_totals(self, round_id: str) -> Sequence[WeightedScore]:
        # Added up in SQL, the mean left to services: the database sums a full
        # round's ~12k rows (one primary-key range, no join) into 2,450 pairs,
        # and only those cross into Python. Fetching the rows themselves costs
        # the mutualControl view about 1.7 times its time at 50 subjects.
        a = AssessmentRow.__table__.c  # type: ignore[attr-defined]
        query = (
            core_select(a.assessor_id, a.assessee_id, func.sum(a.weighted), func.sum(a.weight))
            .where(a.round_id == round_id)
            .group_by(a.assessor_id, a.assessee_id)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).all()  # type: ignore[return-value]

    def _rounds(self, round_id: str | None) -> list[RoundInfo]:
        rounds = select(RoundRow).order_by(col(RoundRow.seq))
        terms = select(RoundNormRow, NormRow).join(NormRow, col(NormRow.id) == RoundNormRow.norm_id)
        if round_id is not None:
            rounds = rounds.where(col(RoundRow.id) == round_id)
            terms = terms.where(col(RoundNormRow.round_id) == round_id)
        with Session(self.engine) as session:
            norms: dict[str, list[NormInfo]] = {}
            for term, norm in session.exec(terms.order_by(col(RoundNormRow.ord))):
                norms.setdefault(term.round_id, []).append(_round_norm(term, norm))
            return [
                dto_of(RoundInfo, r, open=r.is_open, norms=tuple(norms.get(r.id, ())))
                for r in session.exec(rounds)
            ]


def _norm(row: NormRow) -> NormInfo:
    return dto_of(NormInfo, row)


def _round_norm(term: RoundNormRow, norm: NormRow) -> NormInfo:
    """The norm as the round uses it: the terms the round copied at opening."""
    return dto_of(
        NormInfo, norm, scale_min=term.scale_min, scale_max=term.scale_max, weight=term.weight
    )


def _assessment(row: AssessmentRow) -> AssessmentInfo:
    return dto_of(AssessmentInfo, row)
