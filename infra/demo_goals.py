"""The demo cluster's goals: one adopted by a qualified majority with every
voice heard, and one still open whose totality shows the missing voices.

Every subject needs a member to vote for it, so the two demo subjects that have
none get one here.
"""

from __future__ import annotations

from datetime import timedelta

from domain.cluster import MemberAddition
from domain.goal import GoalProposal, GoalVote
from infra.bootstrap import Container
from infra.cli_context import member_principal
from services.principal import Principal

# Subjects of demo.SUBJECTS without a member in demo.MEMBERS: name, e-mail, subject index.
VOICES = [
    ("Zarina Tursunova", "z.tursunova@school21.uz", 2),
    ("Rustam Khodjaev", "r.khodjaev@textile.uz", 6),
]

ADOPTED = {
    "title": "Continuous pedagogical practice from kindergarten to enterprise",
    "statement": (
        "Every student of the institute and the college practises in a partner kindergarten, "
        "school or enterprise of the valley in every year of study."
    ),
    "horizon_years": 5,
    "rule": "QUALIFIED_MAJORITY",
}
# subject index -> choice, interest link. 6 SUPPORT, 1 OBJECT, 1 ABSTAIN: 6/7 ≥ 2/3.
ADOPTED_VOTES = {
    0: ("SUPPORT", "Our pupils meet their future teachers early."),
    1: ("SUPPORT", "Paid practicum places for our teachers as mentors."),
    2: ("OBJECT", "We cannot host practice students without extra classrooms."),
    3: ("SUPPORT", "A joint curriculum agreement recognised by the ministry."),
    4: ("SUPPORT", "Paid practicum places for students in partner schools."),
    5: ("SUPPORT", None),
    6: ("ABSTAIN", None),
    7: ("SUPPORT", "Graduates teach in the schools of the region."),
}

OPEN = {
    "title": "A research institute for education science in the valley",
    "statement": (
        "The cluster founds or invites a research institute, closing the gap in its "
        "continuity chain between university and enterprise."
    ),
    "horizon_years": 3,
    "rule": "CONSENSUS",
}
OPEN_VOTES = {
    4: ("SUPPORT", "Research posts for the institute's graduates."),
    7: ("SUPPORT", "Evidence for the region's education policy."),
    5: ("SUPPORT", None),
    3: ("ABSTAIN", None),
}


def seed_goals(
    container: Container, operator: Principal, cluster_id: str, subjects: list[str]
) -> None:
    """Proposes, votes on and decides the demo goals."""
    voters = _voters(container, operator, cluster_id, subjects)
    goals = container.goals
    adopted = goals.propose_goal(voters[4], cluster_id, GoalProposal(**ADOPTED)).id  # type: ignore[arg-type]
    _vote(container, voters, cluster_id, adopted, ADOPTED_VOTES)
    goals.close_goal(operator, cluster_id, adopted)
    closes_on = container.clock.today() + timedelta(days=60)
    still_open = goals.propose_goal(
        voters[7],
        cluster_id,
        GoalProposal(closes_on=closes_on, **OPEN),  # type: ignore[arg-type]
    ).id
    _vote(container, voters, cluster_id, still_open, OPEN_VOTES)


def _voters(
    container: Container, operator: Principal, cluster_id: str, subjects: list[str]
) -> dict[int, Principal]:
    for name, email, index in VOICES:
        container.registry.add_member(
            operator, cluster_id, MemberAddition(name, email, subjects[index], ["MEMBER"])
        )
    scope = container.queries.scope(operator, cluster_id)
    first_member = {}
    for member in reversed(scope.members()):  # reversed: the first member of a subject wins
        if member.subject_id:
            first_member[member.subject_id] = member.id
    return {
        i: member_principal(container, cluster_id, first_member[s]) for i, s in enumerate(subjects)
    }


def _vote(
    container: Container,
    voters: dict[int, Principal],
    cluster_id: str,
    goal_id: str,
    votes: dict[int, tuple[str, str | None]],
) -> None:
    for index, (choice, link) in votes.items():
        container.goals.cast_goal_vote(voters[index], cluster_id, goal_id, GoalVote(choice, link))
