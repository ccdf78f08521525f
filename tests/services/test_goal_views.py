"""The goal views on SQLite and PostgreSQL: latest votes, the totality worked
out by hand, withdrawn subjects, frozen decisions, and the closing date."""

from __future__ import annotations

from goal_support import TODAY, GoalWorld, SettableClock

from domain.cluster import SubjectAdmission
from domain.goal import GoalProposal, GoalVote
from services.goal_model import GoalViewInfo
from services.goal_queries import find_goal, list_goals

GOAL = {"title": "Continuous practice", "statement": "Every student practises in a school."}

pytest_plugins = ["goal_support"]


def propose(w: GoalWorld, **changes) -> str:  # type: ignore[no-untyped-def]
    return w.container.goals.propose_goal(
        w.voters["school"], w.cluster_id, GoalProposal(**{**GOAL, **changes})
    ).id


def vote(w: GoalWorld, who: str, goal_id: str, choice: str, link: str | None = None) -> None:
    w.container.goals.cast_goal_vote(w.voters[who], w.cluster_id, goal_id, GoalVote(choice, link))


def view(w: GoalWorld, goal_id: str) -> GoalViewInfo:
    found = find_goal(w.container.queries.scope(w.auditor, w.cluster_id), goal_id)
    assert found is not None
    return found


def names(w: GoalWorld, subjects) -> list[str]:  # type: ignore[no-untyped-def]
    by_id = {v: k for k, v in w.subjects.items()}
    return [by_id.get(s.id, s.name) for s in subjects]


def test_the_totality_counts_voices_links_and_missing_subjects(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)
    vote(w, "kindergarten", goal_id, "SUPPORT", "every pupil continues to school")
    vote(w, "school", goal_id, "SUPPORT")
    t = view(w, goal_id).totality
    assert (t.eligible, t.voted, t.supporting, t.objecting, t.abstaining) == (3, 2, 2, 0, 0)
    assert names(w, t.missing_voices) == ["college"]
    assert names(w, t.unlinked_interests) == ["school"]
    assert (t.index, t.complete) == (1 / 3, False)
    vote(w, "college", goal_id, "OBJECT", "our graduates need jobs first")
    vote(w, "school", goal_id, "ABSTAIN", "  ")  # a blank link is no link
    t = view(w, goal_id).totality
    assert (t.voted, t.supporting, t.objecting, t.abstaining) == (3, 1, 1, 1)
    assert (t.missing_voices, names(w, t.unlinked_interests)) == ((), ["school"])
    assert (t.index, t.complete) == (1 / 3, True)


def test_votes_show_the_latest_vote_of_each_subject(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)
    vote(w, "college", goal_id, "OBJECT")
    vote(w, "school", goal_id, "SUPPORT", "practice places")
    vote(w, "college", goal_id, "SUPPORT", "graduates teach here")
    votes = {v.subject_id: v for v in view(w, goal_id).votes}
    college, school = votes[w.subjects["college"]], votes[w.subjects["school"]]
    assert (college.choice, college.interest_link, college.revision) == (
        "SUPPORT",
        "graduates teach here",
        2,
    )
    assert (school.choice, school.revision, len(votes)) == ("SUPPORT", 1, 2)
    assert college.cast_by == w.voter_ids["college"]
    assert college.cast_at.tzinfo is not None and college.cast_at >= school.cast_at


def test_a_withdrawn_subject_is_no_longer_eligible(goal_world: GoalWorld) -> None:
    w = goal_world
    goal_id = propose(w)
    vote(w, "college", goal_id, "OBJECT", "no")
    w.container.registry.withdraw_subject(w.coordinator, w.cluster_id, w.subjects["college"])
    shown = view(w, goal_id)
    t = shown.totality
    assert (t.eligible, t.voted, t.objecting) == (2, 0, 0)
    assert names(w, t.missing_voices) == ["kindergarten", "school"]
    assert [v.subject_id for v in shown.votes] == [w.subjects["college"]]  # shown, not counted


def test_a_closed_goal_keeps_the_totality_it_was_decided_on(goal_world: GoalWorld) -> None:
    w = goal_world
    closed_id, open_id = propose(w), propose(w)
    for who in ("kindergarten", "school", "college"):
        vote(w, who, closed_id, "SUPPORT", "link")
    w.container.goals.close_goal(w.coordinator, w.cluster_id, closed_id)
    w.container.registry.admit_subject(
        w.coordinator, w.cluster_id, SubjectAdmission("Tomsk University", "UNIVERSITY", None)
    )
    closed = view(w, closed_id)
    assert (closed.status, closed.goal.closed_at is not None) == ("ADOPTED", True)
    assert (closed.totality.eligible, closed.totality.complete, closed.totality.index) == (
        3,
        True,
        1.0,
    )
    assert names(w, view(w, open_id).totality.missing_voices)[-1] == "Tomsk University"


def test_a_goal_past_its_closing_date_shows_the_decision_closing_will_record(
    goal_world: GoalWorld, goal_clock: SettableClock
) -> None:
    w = goal_world
    goal_id = propose(w, closes_on=TODAY)
    vote(w, "kindergarten", goal_id, "SUPPORT")
    vote(w, "school", goal_id, "SUPPORT")
    assert view(w, goal_id).status == "OPEN"  # the closing day is still open
    goal_clock.advance(1)
    assert (view(w, goal_id).status, view(w, goal_id).goal.closed_at) == ("REJECTED", None)
    # Decided on the subjects active when it is recorded: without the silent college it passes.
    w.container.registry.withdraw_subject(w.coordinator, w.cluster_id, w.subjects["college"])
    assert view(w, goal_id).status == "ADOPTED"
    recorded = w.container.goals.close_goal(w.coordinator, w.cluster_id, goal_id)
    assert (recorded.recorded_status, view(w, goal_id).status) == ("ADOPTED", "ADOPTED")


def test_goals_filter_by_the_status_they_show(
    goal_world: GoalWorld, goal_clock: SettableClock
) -> None:
    w = goal_world
    still_open, lapsed, rejected = propose(w), propose(w, closes_on=TODAY), propose(w)
    for who in ("kindergarten", "school", "college"):
        vote(w, who, lapsed, "SUPPORT")
    w.container.goals.close_goal(w.coordinator, w.cluster_id, rejected)
    goal_clock.advance(1)
    scope = w.container.queries.scope(w.voters["college"], w.cluster_id)
    assert [g.goal.id for g in list_goals(scope)] == [still_open, lapsed, rejected]
    assert [g.goal.id for g in list_goals(scope, "OPEN")] == [still_open]
    assert [g.goal.id for g in list_goals(scope, "ADOPTED")] == [lapsed]
    assert [g.goal.id for g in list_goals(scope, "REJECTED")] == [rejected]
