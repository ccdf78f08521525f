"""What release 0.1.0 stored, opened by the current code: a copy of its SQLite data
directory, and its PostgreSQL dump restored into a scratch database
(tests/fixtures/releases/0.1.0). A real `clusterwork serve` answers for both of its
clusters what 0.1.0 was told (scripts/fixtures/make_0_1_0.py, `seed_full`), the
chain and the old checkpoints verify, `clusterwork audit replay` rebuilds the same
views, and new writes continue the old chain."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_server import fresh_database, printed_token, printed_value

from testkit import server as launcher

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "0.1.0"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text())

# What `seed_full` recorded, written out again by hand.
ACTIVE_SUBJECTS = {
    ("Samarkand Kindergarten No. 3", "PRESCHOOL"),
    ("Samarkand School No. 14", "SCHOOL"),
    ("Samarkand Pedagogical College", "COLLEGE"),
    ("Samarkand State University", "UNIVERSITY"),
    ("Zarafshan Institute of Education Research", "RESEARCH_INSTITUTE"),
}
WITHDRAWN = "Samarkand Ceramics Works"
MEMBER_ROLES = {
    "Platform operator": ["COORDINATOR"],
    "Aziza Tursunova": ["COORDINATOR"],  # MEMBER revoked
    "Rustam Khodjaev": ["MEMBER"],
    "Laylo Ergasheva": ["AUDITOR", "MEMBER"],  # AUDITOR granted
    "Feruza Mirzaeva": ["MEMBER"],
    "Jamshid Rashidov": ["MEMBER"],
    "Kamola Yuldasheva": ["MEMBER"],
    "Timur Abdullaev": ["AUDITOR"],
}
DEMO_SUBJECTS = {
    "Kokand Kindergarten No. 12",
    "Kokand School No. 7",
    "Kokand Specialised School No. 21",
    "Kokand Pedagogical College",
    "Kokand State Pedagogical Institute",
    "Fergana EduTech Works",
    "Fergana Textile Combine",
    "Kokand City Department of Public Education",
}
DEMO_PEOPLE = {
    "Dilnoza Karimova",
    "Bakhtiyor Rakhimov",
    "Malika Yusupova",
    "Otabek Nazarov",
    "Gulnora Saidova",
    "Sherzod Aliev",
    "Nodira Ismoilova",
}

FULL_QUERY = """
query($id: ID!, $adopted: ID!, $open: ID!, $project: ID!, $spring: ID!) {
  cluster(id: $id) {
    name region form position
    subjects { name kind }
    everyone: subjects(includeInactive: true) { name active }
    members { name roles subject { name } }
    identityProviders { name issuer subject { name } }
    continuity { gaps }
    adopted: goal(id: $adopted) {
      title status rule proposedBy { name }
      totality { eligible voted supporting objecting abstaining complete }
      votes { choice revision interestLink subject { name } }
    }
    open: goal(id: $open) {
      title status rule threshold proposedBy { name }
      totality { eligible voted supporting objecting abstaining missingVoices { name } }
    }
    project(id: $project) {
      title direction kind goal { title } lead { name } partners { name }
      expectedResults { indicator target unit actual }
      milestones { title due status reachedOn actualResult evidenceUrl missedReason description }
      orientation { planned reached missed overdue onTimeRate resultAttainment }
    }
    norms { name description scaleMin scaleMax weight }
    assessmentRounds { title open }
    spring: assessmentRound(id: $spring) {
      open norms { name }
      assessments {
        assessor { name } assessee { name } norm { name } score rationale revision
        recordedBy { name }
      }
      mutualControl { reciprocity }
    }
    integrity { head verified firstBadPosition checkpoints { position } }
  }
}
"""

DEMO_QUERY = """
query($id: ID!) {
  cluster(id: $id) {
    name region form position
    subjects { name kind interests { kind } }
    members { name roles }
    continuity { gaps }
    integrity { head verified checkpoints { position } }
  }
}
"""


@dataclass
class Release:
    """A copy of 0.1.0's data on one backend, with the settings that open it."""

    backend: str
    data_dir: Path
    database_url: str | None
    ids: dict[str, Any]

    def cli(self, *args: str) -> str:
        env = launcher.server_env(self.data_dir, None, self.database_url)
        return launcher.cli(env, self.data_dir, *args)

    def token(self, cluster: str, member: str) -> str:
        env = launcher.server_env(self.data_dir, None, self.database_url)
        printed = launcher.cli_in_process(
            env, self.data_dir, "token", "--cluster", cluster, "--member", member
        )
        return printed.strip().splitlines()[-1]


@dataclass
class Client:
    http: httpx.Client
    demo_token: str
    printed_demo: str

    def gql(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def release(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Release]:
    backend = request.param
    data_dir = tmp_path / "data"
    # A copy: the committed files are never written to.
    shutil.copytree(FIXTURE / backend, data_dir, ignore=shutil.ignore_patterns("dump.sql"))
    if backend == "sqlite":
        yield Release(backend, data_dir, None, MANIFEST[backend])
        return
    with fresh_database() as url:
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(FIXTURE / backend / "dump.sql"), url],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Release(backend, data_dir, url, MANIFEST[backend])


@contextmanager
def serving(release: Release, name: str) -> Iterator[Client]:
    """`clusterwork serve --demo` over the release's data, as `make run` would start it."""
    port = launcher.free_port()
    env = launcher.server_env(release.data_dir, port, release.database_url)
    out = release.data_dir / f"{name}.out"
    with (
        launcher.serve(
            release.data_dir,
            env,
            port,
            "--demo",
            name=name,
            ready=lambda: bool(printed_token(out.read_text().splitlines())),
        ),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http,
    ):
        lines = out.read_text().splitlines()
        yield Client(http, printed_token(lines), printed_value(lines, "Demo cluster:"))


def full_view(client: Client, token: str, ids: dict[str, Any]) -> dict[str, Any]:
    return client.gql(
        token,
        FULL_QUERY,
        id=ids["cluster"],
        adopted=ids["goals"]["adopted"],
        open=ids["goals"]["open"],
        project=ids["project"],
        spring=ids["rounds"]["spring"],
    )["cluster"]


def names(items: list[dict[str, Any]]) -> set[str]:
    return {item["name"] for item in items}


def check_full(view: dict[str, Any], issuer: str) -> None:
    """What the full cluster must show, from what `seed_full` did."""
    assert (view["name"], view["region"], view["form"]) == (
        "Zarafshan Pedagogical Education Cluster",
        "Samarkand Region",
        "HORIZONTAL",
    )
    assert {(s["name"], s["kind"]) for s in view["subjects"]} == ACTIVE_SUBJECTS
    assert [s["name"] for s in view["everyone"] if not s["active"]] == [WITHDRAWN]
    assert view["continuity"]["gaps"] == ["ENTERPRISE"]
    assert {m["name"]: sorted(m["roles"]) for m in view["members"]} == MEMBER_ROLES
    [provider] = view["identityProviders"]
    assert provider["name"] == "Samarkand State University sign-in"
    assert provider["issuer"] == issuer
    assert provider["subject"]["name"] == "Samarkand State University"

    adopted = view["adopted"]
    assert (adopted["status"], adopted["rule"]) == ("ADOPTED", "CONSENSUS")
    assert adopted["proposedBy"]["name"] == "Samarkand State University"
    assert adopted["totality"] == {
        "eligible": 5,
        "voted": 5,
        "supporting": 5,
        "objecting": 0,
        "abstaining": 0,
        "complete": True,
    }
    [school_vote] = [
        v for v in adopted["votes"] if v["subject"]["name"] == "Samarkand School No. 14"
    ]
    assert (school_vote["choice"], school_vote["revision"]) == ("SUPPORT", 2)
    assert school_vote["interestLink"] == "Young teachers stay."

    still_open = view["open"]
    assert (still_open["status"], still_open["rule"]) == ("OPEN", "QUALIFIED_MAJORITY")
    assert still_open["threshold"] == pytest.approx(0.75)
    assert still_open["proposedBy"]["name"] == "Zarafshan Institute of Education Research"

    project = view["project"]
    assert project["title"] == "Research lessons in partner schools"
    assert (project["direction"], project["kind"]) == ("EDUCATION_SCIENCE", "SCIENTIFIC_RESEARCH")
    assert project["goal"]["title"] == "Every graduate of the college teaches in the region"
    assert project["lead"]["name"] == "Samarkand State University"
    assert names(project["partners"]) == {
        "Samarkand School No. 14",
        "Zarafshan Institute of Education Research",
    }
    assert {(r["indicator"], r["target"], r["actual"]) for r in project["expectedResults"]} == {
        ("Teachers trained", 40, 30),
        ("Lessons observed", 120, 150),
    }
    milestones = {m["title"]: m for m in project["milestones"]}
    seminar = milestones["Methods seminar held"]
    assert (seminar["status"], seminar["reachedOn"]) == ("REACHED", "2026-03-20")
    assert seminar["evidenceUrl"] == "https://samdu.example/seminar"
    protocol = milestones["Observation protocol published"]
    assert protocol["status"] == "MISSED"
    assert protocol["missedReason"] == "The protocol awaits ethics approval"
    assert milestones["First cohort certified"]["status"] == "PLANNED"
    # Planned before milestones had a description: the upcaster gives them none, and the
    # column that opening the partition added reads the same.
    assert [m["description"] for m in project["milestones"]] == [None, None, None]
    orientation = project["orientation"]
    assert {k: orientation[k] for k in ("planned", "reached", "missed", "overdue")} == {
        "planned": 3,
        "reached": 1,
        "missed": 1,
        "overdue": 0,
    }
    assert orientation["onTimeRate"] == pytest.approx(0.5)  # 1 on time of 2 decided
    assert orientation["resultAttainment"] == pytest.approx((30 / 40 + 1) / 2)

    norms = {n["name"]: n for n in view["norms"]}
    placed = norms["Share of graduates placed in partner schools"]
    assert (placed["scaleMin"], placed["scaleMax"], placed["weight"]) == (1, 5, 2)
    assert placed["description"] == "Counted each September"
    openness = norms["Openness of lessons to peers"]
    assert (openness["scaleMin"], openness["scaleMax"], openness["weight"]) == (0, 10, 1)
    assert {(r["title"], r["open"]) for r in view["assessmentRounds"]} == {
        ("Spring 2026 mutual review", False),
        ("Autumn 2026 mutual review", True),
    }
    spring = view["spring"]
    assert spring["open"] is False
    latest = {}
    for a in spring["assessments"]:
        key = (a["assessor"]["name"], a["assessee"]["name"], a["norm"]["name"])
        if a["revision"] >= latest.get(key, {"revision": 0})["revision"]:
            latest[key] = a
    assert set(latest) == {
        (
            "Samarkand State University",
            "Samarkand Pedagogical College",
            "Share of graduates placed in partner schools",
        ),
        (
            "Samarkand Pedagogical College",
            "Samarkand State University",
            "Share of graduates placed in partner schools",
        ),
        (
            "Zarafshan Institute of Education Research",
            "Samarkand School No. 14",
            "Openness of lessons to peers",
        ),
    }
    revised = latest[
        (
            "Samarkand State University",
            "Samarkand Pedagogical College",
            "Share of graduates placed in partner schools",
        )
    ]
    assert (revised["score"], revised["revision"]) == (5, 2)
    assert revised["rationale"] == "All graduates placed after the autumn count"
    assert revised["recordedBy"]["name"] == "Aziza Tursunova"
    # University and college assessed each other; the institute's assessment of the
    # school is not returned: 2 of 3 assessed pairs are reciprocated.
    assert spring["mutualControl"]["reciprocity"] == pytest.approx(2 / 3)


def check_demo(view: dict[str, Any]) -> None:
    assert (view["name"], view["region"], view["form"]) == (
        "Fergana Valley Pedagogical Education Cluster",
        "Fergana Region",
        "VERTICAL",
    )
    assert names(view["subjects"]) == DEMO_SUBJECTS
    assert view["continuity"]["gaps"] == ["RESEARCH_INSTITUTE"]
    assert names(view["members"]) >= DEMO_PEOPLE
    institute = next(
        s for s in view["subjects"] if s["name"] == "Kokand State Pedagogical Institute"
    )
    assert sorted(i["kind"] for i in institute["interests"]) == ["ECONOMIC", "SOCIAL"]


def check_integrity(view: dict[str, Any], head: int, checkpoints: list[int]) -> None:
    integrity = view["integrity"]
    assert integrity["verified"] is True, integrity
    assert integrity["head"] == head
    assert [c["position"] for c in integrity["checkpoints"]] == checkpoints


def test_release_0_1_0_opens_replays_and_takes_new_writes(release: Release, tmp_path: Path) -> None:
    full, demo = release.ids["full"], release.ids["demo"]
    cluster = full["cluster"]
    # Laylo Ergasheva: a MEMBER of the college and an AUDITOR, so she may read the
    # integrity, vote, assess and sign. Her token is minted with 0.1.0's key.
    auditor = release.token(cluster, full["members"]["laylo"])
    full_head, demo_head = full["checkpoint"], demo["checkpoint"]  # signed at the head

    with serving(release, "serve-opened") as client:
        # `serve --demo` finds 0.1.0's demo cluster rather than seeding another.
        assert client.printed_demo == demo["cluster_id"]
        opened = full_view(client, auditor, full)
        demo_opened = client.gql(client.demo_token, DEMO_QUERY, id=demo["cluster_id"])["cluster"]
    check_full(opened, full["issuer"])
    assert opened["position"] == full_head
    check_integrity(opened, full_head, [full_head])
    assert opened["open"]["totality"]["voted"] == 3
    assert names(opened["open"]["totality"]["missingVoices"]) == {
        "Samarkand Kindergarten No. 3",
        "Samarkand School No. 14",
    }
    check_demo(demo_opened)
    assert demo_opened["position"] == demo_head
    check_integrity(demo_opened, demo_head, [demo_head])

    for replayed, head in ((cluster, full_head), (demo["cluster_id"], demo_head)):
        printed = release.cli("audit", "replay", "--cluster", replayed)
        assert printed.strip().endswith(f"to position {head} of {head}")

    with serving(release, "serve-replayed") as client:
        assert full_view(client, auditor, full) == opened
        demo_replayed = client.gql(client.demo_token, DEMO_QUERY, id=demo["cluster_id"])
        assert demo_replayed["cluster"] == demo_opened

        changed = client.gql(
            auditor,
            "mutation($c: ID!, $g: ID!) { castGoalVote(clusterId: $c, goalId: $g, "
            "choice: SUPPORT) { totality { voted supporting objecting } } }",
            c=cluster,
            g=full["goals"]["open"],
        )
        assert changed["castGoalVote"]["totality"] == {"voted": 3, "supporting": 3, "objecting": 0}
        assessed = client.gql(
            auditor,
            "mutation($c: ID!, $r: ID!, $a: ID!, $n: ID!) { recordAssessment(clusterId: $c, "
            "roundId: $r, assesseeId: $a, normId: $n, score: 4) { score revision } }",
            c=cluster,
            r=full["rounds"]["autumn"],
            a=full["subjects"]["university"],
            n=full["norms"]["placed"],
        )
        assert assessed["recordAssessment"] == {"score": 4, "revision": 1}
        head = full_head + 3  # the vote; the scorecard started, the assessment recorded
        signed = client.gql(
            auditor, "mutation($c: ID!) { signCheckpoint(clusterId: $c) { position } }", c=cluster
        )
        assert signed["signCheckpoint"]["position"] == head
        after = client.gql(
            auditor,
            "query($c: ID!) { cluster(id: $c) { "
            "integrity { head verified checkpoints { position } } } }",
            c=cluster,
        )["cluster"]
    # 0.1.0 signed its last checkpoint (at full_head) long before this run, more than
    # checkpoint_every_minutes (60) ago: the vote, the first new write, is signed at once.
    check_integrity(after, head, [full_head, full_head + 1, head])

    export = tmp_path / "after.ndjson"
    release.cli("audit", "export", "--cluster", cluster, "--out", str(export))
    keys = str(FIXTURE / "jwks.json")
    verified = release.cli("audit", "verify", str(export), "--jwks", keys, "--require-checkpoint")
    last = verified.strip().splitlines()[-1]
    assert last.startswith("VERIFIED") and f"positions 1..{head} of {head}" in last
