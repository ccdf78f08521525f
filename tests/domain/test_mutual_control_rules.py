"""The rules of norms, rounds and scorecards, without any storage."""

from __future__ import annotations

import uuid

import pytest

from domain.assessment_round import AssessmentRound, RoundOpening, RoundTerms
from domain.errors import Conflict, InvalidInput
from domain.norm import Norm, NormAdoption, NormTerms
from domain.scorecard import Assessment, Scorecard, scorecard_id

ASSESSOR, ASSESSEE = str(uuid.uuid4()), str(uuid.uuid4())


def norm(low: int = 1, high: int = 5, weight: float = 2.0) -> Norm:
    return Norm.adopt(uuid.uuid4(), NormAdoption(" Teaching quality ", None, low, high, weight))


def open_round(*norms: Norm) -> AssessmentRound:
    return AssessmentRound.open(uuid.uuid4(), RoundOpening("2024/25"), [n.terms for n in norms])


def test_a_norm_is_adopted_with_its_checked_values() -> None:
    adopted = norm(0, 10, 1.5)
    (event,) = adopted.collect_events()
    assert type(event).__name__ == "NormAdopted"
    assert (event.name, event.scale_min, event.scale_max, event.weight) == (
        "Teaching quality",
        0,
        10,
        1.5,
    )


@pytest.mark.parametrize(
    ("low", "high", "weight", "field"),
    [
        (5, 5, 1.0, "scaleMax"),
        (6, 5, 1.0, "scaleMax"),
        (1, 5, 0.0, "weight"),
        (1, 5, -0.5, "weight"),
        (1, 5, float("inf"), "weight"),
        (1, 5, 1001.0, "weight"),
    ],
)
def test_a_norm_needs_a_rising_scale_and_a_positive_weight(
    low: int, high: int, weight: float, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        norm(low, high, weight)
    assert raised.value.field == field


def test_normalising_puts_every_scale_on_zero_to_one() -> None:
    terms = NormTerms("n", 1, 5, 1.0)
    assert [terms.normalised(s) for s in (1, 2, 5)] == [0.0, 0.25, 1.0]
    assert NormTerms("m", 0, 100, 1.0).normalised(40) == 0.4


def test_a_round_copies_its_norms_terms_and_counts_a_repeated_norm_once() -> None:
    quality, openness = norm(1, 5, 2.0), norm(0, 10, 1.0)
    round_ = AssessmentRound.open(
        uuid.uuid4(), RoundOpening("2024/25"), [quality.terms, openness.terms, quality.terms]
    )
    assert list(round_.norms) == [str(quality.id), str(openness.id)]
    assert round_.norm(str(openness.id)) == NormTerms(str(openness.id), 0, 10, 1.0)


def test_a_round_needs_a_norm_and_a_title() -> None:
    with pytest.raises(InvalidInput) as no_norms:
        AssessmentRound.open(uuid.uuid4(), RoundOpening("2024/25"), [])
    with pytest.raises(InvalidInput) as no_title:
        AssessmentRound.open(uuid.uuid4(), RoundOpening(" "), [norm().terms])
    assert (no_norms.value.field, no_title.value.field) == ("normIds", "title")


def test_a_round_closes_once() -> None:
    round_ = open_round(norm())
    round_.close()
    assert round_.is_open is False
    with pytest.raises(Conflict):
        round_.close()


def test_a_scorecards_id_follows_from_its_round_and_assessor() -> None:
    round_id = uuid.uuid4()
    assert scorecard_id(round_id, ASSESSOR) == scorecard_id(round_id, ASSESSOR)
    assert scorecard_id(round_id, ASSESSOR) != scorecard_id(round_id, ASSESSEE)
    assert scorecard_id(round_id, ASSESSOR) != scorecard_id(uuid.uuid4(), ASSESSOR)
    assert Scorecard.start(round_id, ASSESSOR).id == scorecard_id(round_id, ASSESSOR)


def test_recording_the_same_assessee_and_norm_again_is_a_revision() -> None:
    teaching = norm()
    round_ = open_round(teaching)
    card = Scorecard.start(round_.id, ASSESSOR)
    key = str(teaching.id)
    revisions = [card.record(round_, Assessment(ASSESSEE, key, s, None)) for s in (2, 4, 5)]
    events = card.collect_events()[1:]
    assert revisions == [1, 2, 3]
    assert [(e.score, e.revision, e.round_id, e.assessor_id) for e in events] == [
        (2.0, 1, str(round_.id), ASSESSOR),
        (4.0, 2, str(round_.id), ASSESSOR),
        (5.0, 3, str(round_.id), ASSESSOR),
    ]


@pytest.mark.parametrize(
    ("assessee", "norm_key", "score", "field"),
    [
        (ASSESSOR, "teaching", 3, "assesseeId"),
        (ASSESSEE, "other", 3, "normId"),
        (ASSESSEE, "teaching", 0.5, "score"),
        (ASSESSEE, "teaching", 5.5, "score"),
        (ASSESSEE, "teaching", float("nan"), "score"),
    ],
    # Named, not derived from the random ids: parallel workers must collect the same tests.
    ids=["itself", "foreign-norm", "score-0.5", "score-5.5", "score-nan"],
)
def test_a_scorecard_refuses_itself_foreign_norms_and_off_scale_scores(
    assessee: str, norm_key: str, score: float, field: str
) -> None:
    teaching, other = norm(), norm()
    round_ = open_round(teaching)
    card = Scorecard.start(round_.id, ASSESSOR)
    norm_id = str({"teaching": teaching, "other": other}[norm_key].id)
    with pytest.raises(InvalidInput) as raised:
        card.record(round_, Assessment(assessee, norm_id, score, None))
    assert raised.value.field == field
    assert len(card.collect_events()) == 1  # only ScorecardStarted


def test_a_closed_round_takes_no_assessment() -> None:
    teaching = norm()
    round_ = open_round(teaching)
    round_.close()
    with pytest.raises(Conflict):
        Scorecard.start(round_.id, ASSESSOR).record(
            round_, Assessment(ASSESSEE, str(teaching.id), 3, None)
        )


def test_a_score_is_weighted_by_its_norm_on_a_common_scale() -> None:
    terms = NormTerms("n", 0, 10, 1.5)
    assert terms.normalised(4) == 0.4
    assert terms.weighted(4) == pytest.approx(0.6)  # 1.5 x (4 - 0) / (10 - 0)
    assert NormTerms("n", 1, 5, 2.0).weighted(5) == 2.0  # the top of the scale: the weight
    assert NormTerms("n", 1, 5, 2.0).weighted(1) == 0.0


def test_only_the_rounds_own_norms_count_and_only_while_it_is_open() -> None:
    inside = NormTerms("in", 1, 5, 2.0)
    open_ = RoundTerms(True, {"in": inside})
    assert open_.counting("in") == inside
    assert open_.counting("out") is None  # a norm the round does not assess
    assert RoundTerms(False, {"in": inside}).counting("in") is None  # logged after the close
