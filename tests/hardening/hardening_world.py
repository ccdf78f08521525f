"""A cluster with one of everything the schema's arguments can name, built
through the GraphQL schema in-process, and a runner for generated calls."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from store_support import AcceptingDiscovery

from graphql_api.context import Context
from graphql_api.schema import build_schema
from graphql_api.services import Services
from infra.app import create_app
from infra.bootstrap import Container
from infra.cli_context import member_principal, operator_principal
from services.principal import Principal

with warnings.catch_warnings():  # starlette would rather see httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCHEMA = build_schema()
# A refusal comes at once; an accepted subscription with nothing to send yet just waits.
SUBSCRIPTION_WAIT = 2.0


@dataclass
class Gql:
    """Runs documents against the schema as the app does (no HTTP)."""

    container: Container

    def services(self) -> Services:
        return self.container.services

    def run(self, document: str, variables: dict[str, Any], who: Principal) -> dict[str, Any]:
        """The formatted result: {"data": …, "errors": [...]}."""
        context = Context(self.services(), who, None, f"hardening-{uuid.uuid4().hex[:8]}")
        if document.lstrip().startswith("subscription"):
            return asyncio.run(first_message(document, variables, context))
        result = SCHEMA.execute_sync(document, variable_values=variables, context_value=context)
        return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}

    def ok(self, document: str, variables: dict[str, Any], who: Principal) -> dict[str, Any]:
        done = self.run(document, variables, who)
        assert not done["errors"], done["errors"]
        return done["data"]  # type: ignore[no-any-return]

    def head(self, cluster_id: str) -> int:
        partition = self.container.partitions.open(cluster_id)
        return int(partition.log.head())


async def first_message(
    document: str, variables: dict[str, Any], context: Context
) -> dict[str, Any]:
    """The first result a subscription delivers (or its refusal)."""
    stream = await SCHEMA.subscribe(document, variable_values=variables, context_value=context)
    if not hasattr(stream, "__aiter__"):
        return {"data": stream.data, "errors": [e.formatted for e in stream.errors or []]}
    try:
        result = await asyncio.wait_for(anext(stream), timeout=SUBSCRIPTION_WAIT)
        return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}
    except TimeoutError:  # accepted, and waiting for an event (e.g. after the head)
        return {"data": None, "errors": []}
    finally:
        await stream.aclose()


@dataclass
class World:
    """One cluster: ``ids`` maps every kind the generator knows to an id in it."""

    cluster_id: str
    coordinator: Principal
    ids: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)


def build_world(gql: Gql, label: str) -> World:
    """A cluster with two subjects, a coordinator of the first, a member of the
    second, a goal, a project with a result and a milestone, a norm and an open round."""
    gql.container.identity.discovery = AcceptingDiscovery()  # type: ignore[assignment]
    operator = operator_principal(f"Operator {label} {uuid.uuid4().hex[:6]}")
    tag = f"{label}-{uuid.uuid4().hex[:6]}"
    cluster = gql.ok(
        "mutation($i: FoundClusterInput!) { foundCluster(input: $i) { id } }",
        {"i": {"name": f"Cluster {tag}", "region": f"Region {tag}", "form": "GEOGRAPHIC"}},
        operator,
    )["foundCluster"]["id"]
    world = World(cluster, operator, {"cluster": cluster}, [f"Cluster {tag}", f"Region {tag}"])
    own = admit(gql, world, operator, f"School {tag}", "SCHOOL")
    other = admit(gql, world, operator, f"College {tag}", "COLLEGE")
    coordinator = add_member(gql, world, operator, f"Coordinator {tag}", own, ["COORDINATOR"])
    member = add_member(gql, world, operator, f"Member {tag}", other, ["MEMBER", "AUDITOR"])
    world.coordinator = member_principal(gql.container, cluster, coordinator)
    world.ids.update(own_subject=own, subject=other, member=member)
    seed_activity(gql, world, tag)
    return world


def admit(gql: Gql, world: World, who: Principal, name: str, kind: str) -> str:
    world.names.append(name)
    return gql.ok(
        "mutation($c: ID!, $i: AdmitSubjectInput!) "
        "{ admitSubject(clusterId: $c, input: $i) { id } }",
        {"c": world.cluster_id, "i": {"name": name, "kind": kind}},
        who,
    )["admitSubject"]["id"]


def add_member(
    gql: Gql, world: World, who: Principal, name: str, subject: str, roles: list[str]
) -> str:
    world.names.append(name)
    return gql.ok(
        "mutation($c: ID!, $i: AddMemberInput!) { addMember(clusterId: $c, input: $i) { id } }",
        {"c": world.cluster_id, "i": {"name": name, "subjectId": subject, "roles": roles}},
        who,
    )["addMember"]["id"]


def seed_activity(gql: Gql, world: World, tag: str) -> None:
    c, who, ids = world.cluster_id, world.coordinator, world.ids
    world.names += [f"Goal {tag}", f"Project {tag}", f"Norm {tag}", f"Round {tag}"]
    ids["goal"] = gql.ok(
        "mutation($c: ID!, $i: ProposeGoalInput!) { proposeGoal(clusterId: $c, input: $i) { id } }",
        {"c": c, "i": {"title": f"Goal {tag}", "statement": "Practice in schools."}},
        who,
    )["proposeGoal"]["id"]
    project = gql.ok(
        "mutation($c: ID!, $i: LaunchProjectInput!) { launchProject(clusterId: $c, input: $i) "
        "{ id expectedResults { id } } }",
        {
            "c": c,
            "i": {
                "title": f"Project {tag}",
                "direction": "EDUCATION",
                "kind": "SCIENTIFIC_RESEARCH",
                "goalId": ids["goal"],
                "partnerIds": [ids["subject"]],
                "expectedResults": [{"indicator": "Teachers trained", "target": 10}],
            },
        },
        who,
    )["launchProject"]
    ids.update(project=project["id"], result=project["expectedResults"][0]["id"])
    due = (date.today() + timedelta(days=60)).isoformat()
    ids["milestone"] = gql.ok(
        "mutation($c: ID!, $p: ID!, $i: PlanMilestoneInput!) "
        "{ planMilestone(clusterId: $c, projectId: $p, input: $i) { id } }",
        {"c": c, "p": ids["project"], "i": {"title": "First cohort", "due": due}},
        who,
    )["planMilestone"]["id"]
    ids["norm"] = gql.ok(
        "mutation($c: ID!, $i: NormInput!) { adoptNorm(clusterId: $c, input: $i) { id } }",
        {"c": c, "i": {"name": f"Norm {tag}"}},
        who,
    )["adoptNorm"]["id"]
    ids["round"] = gql.ok(
        "mutation($c: ID!, $t: String!, $n: [ID!]!) "
        "{ openAssessmentRound(clusterId: $c, title: $t, normIds: $n) { id } }",
        {"c": c, "t": f"Round {tag}", "n": [ids["norm"]]},
        who,
    )["openAssessmentRound"]["id"]


VIEWER = {"query": "{ viewer { id } }"}


def app_client(container: Container, **settings: Any) -> TestClient:
    """The app as `serve` builds it, with some settings changed (the container's stay)."""
    changed = dataclasses.replace(
        container, settings=container.settings.model_copy(update=settings)
    )
    return TestClient(create_app(changed), raise_server_exceptions=False)


def codes(outcome: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in outcome["errors"]]
