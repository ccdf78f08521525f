"""Goal commands: propose a goal, cast a subject's vote, close the goal.

Each command runs through the CommandRunner, which retries the goal's
optimistic-concurrency conflicts: many subjects voting on one goal at the same
moment are all recorded, and none of them sees another's race as an error.
"""

from __future__ import annotations

import uuid

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.cluster import Cluster
from domain.errors import Forbidden, NotFound
from domain.goal import Goal, GoalProposal, GoalVote
from services.commands import Body, CommandRunner
from services.goal_model import GoalInfo
from services.ids import target_id
from services.permissions import Permission
from services.ports.storage import Partition
from services.principal import Actor, Principal


class GoalService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def propose_goal(
        self, principal: Principal | None, cluster_id: str, proposal: GoalProposal
    ) -> GoalInfo:
        """Proposes a common goal on behalf of the caller's own subject."""
        goal_id = uuid.uuid4()

        def body(_: Partition, __: Cluster, actor: Actor) -> tuple[list[Aggregate], str]:
            goal = Goal.propose(
                goal_id,
                proposal,
                proposed_by=acting_subject(actor),
                today=self.runner.clock.today(),
            )
            return [goal], str(goal_id)

        return self._goal(principal, cluster_id, Permission.PARTICIPATE, body)

    def cast_goal_vote(
        self,
        principal: Principal | None,
        cluster_id: str,
        goal_id: str,
        vote: GoalVote,
    ) -> GoalInfo:
        """Votes for the caller's own subject; a different second vote is revision +1."""
        key = target_id(goal_id, "goal")

        def body(partition: Partition, _: Cluster, actor: Actor) -> tuple[list[Aggregate], str]:
            goal = load_goal(partition, key)  # reloaded on every retry
            subject_id = acting_subject(actor)
            today = self.runner.clock.today()
            changed = goal.cast_vote(subject_id, vote, today)
            return ([goal] if changed else []), key

        return self._goal(principal, cluster_id, Permission.PARTICIPATE, body)

    def close_goal(self, principal: Principal | None, cluster_id: str, goal_id: str) -> GoalInfo:
        """Decides the goal on the voices of the subjects active now, and records it."""
        key = target_id(goal_id, "goal")

        def body(partition: Partition, cluster: Cluster, _: Actor) -> tuple[list[Aggregate], str]:
            goal = load_goal(partition, key)
            goal.close(s.id for s in cluster.subjects.values() if s.active)
            return [goal], key

        return self._goal(principal, cluster_id, Permission.ADMINISTER, body)

    def _goal(
        self,
        principal: Principal | None,
        cluster_id: str,
        permission: Permission,
        body: Body[str],
    ) -> GoalInfo:
        partition, goal_id = self.runner.run(principal, cluster_id, permission, body)
        found = partition.read_model.goal_reader.goal(goal_id)
        if found is None:
            raise NotFound(f"no goal {goal_id} in this cluster")
        return found


def load_goal(partition: Partition, goal_id: str) -> Goal:
    """The goal aggregate; NOT_FOUND for an unknown id or another aggregate's."""
    try:
        goal: object = partition.app.repository.get(uuid.UUID(goal_id))
    except AggregateNotFoundError:
        raise NotFound(f"no goal {goal_id} in this cluster") from None
    if not isinstance(goal, Goal):
        raise NotFound(f"no goal {goal_id} in this cluster")
    return goal


def acting_subject(actor: Actor) -> str:
    """Goals are proposed and voted for a subject: a caller who acts for none may not."""
    if actor.subject_id is None:
        raise Forbidden(
            "you act for no subject; only a subject's members propose and vote on goals"
        )
    return actor.subject_id
