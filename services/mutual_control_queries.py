"""Mutual-control read services over a ClusterScope: norms, rounds, latest
assessments and the mutual-control view, all from the read model."""

from __future__ import annotations

import math

from domain.errors import InvalidInput
from services.mutual_control_dto import AssessmentInfo, MutualControlInfo, NormInfo, RoundInfo
from services.mutual_control_metrics import mutual_control
from services.ports.mutual_control import MutualControlReader
from services.queries import ClusterScope

DEFAULT_OUTLIER_THRESHOLD = 0.25


def _reader(scope: ClusterScope) -> MutualControlReader:
    return scope.read_model.mutual_control_reader


def norms(scope: ClusterScope) -> list[NormInfo]:
    """Every norm the cluster adopted, in adoption order."""
    return _reader(scope).norms()


def rounds(scope: ClusterScope) -> list[RoundInfo]:
    """Every assessment round, in opening order."""
    return _reader(scope).rounds()


def round_(scope: ClusterScope, round_id: str) -> RoundInfo | None:
    return _reader(scope).round(round_id)


def assessments(
    scope: ClusterScope,
    round_id: str,
    assessor_id: str | None = None,
    assessee_id: str | None = None,
) -> list[AssessmentInfo]:
    """The latest revision of each assessment in the round, optionally filtered."""
    return _reader(scope).assessments(round_id, assessor_id, assessee_id)


def mutual_control_view(
    scope: ClusterScope, round_info: RoundInfo, outlier_threshold: float = DEFAULT_OUTLIER_THRESHOLD
) -> MutualControlInfo:
    """The round's mutual-control view over the cluster's active subjects."""
    if not math.isfinite(outlier_threshold) or outlier_threshold < 0:
        raise InvalidInput(
            "outlierThreshold must be a number of 0 or more", field="outlierThreshold"
        )
    totals = _reader(scope).weighted_totals(round_info.id)
    return mutual_control(scope.subjects(), totals, outlier_threshold)
