"""A person's own export against a server in its own process, on both backends:
``viewer { personalData }`` and ``GET /me/personal-data`` for the signed-in
person, ``clusterwork person export`` for the operator."""

from __future__ import annotations

import json
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from e2e_server import OPERATIONS, Server, clusterwork_command, codes

pytestmark = pytest.mark.e2e

PERSONAL_DATA = (OPERATIONS / "personal_data.graphql").read_text()


def found(server: Server, token: str, name: str) -> str:
    form = {"name": name, "region": "Altai", "form": "GEOGRAPHIC"}
    return server.run("found_cluster", {"input": form}, token)["foundCluster"]["id"]


def person_export(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [clusterwork_command(), "person", "export", *args],
        env=server.env,
        cwd=server.data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def two_clusters(server: Server) -> tuple[str, str, str, str, str]:
    """An operator of their own who founded two clusters, a member of the first
    (with a token of their own): the operator's token, cluster ids, member id
    and member token."""
    name, suffix = f"Founder {uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:6]
    token = server.cli_token("--operator", "--name", name)
    first, second = found(server, token, f"A {suffix}"), found(server, token, f"B {suffix}")
    variables = {"clusterId": first, "input": {"name": "Dilnoza Karimova", "roles": ["MEMBER"]}}
    member = server.run("add_member", variables, token)["addMember"]["id"]
    member_token = server.cli_token("--cluster", first, "--member", member)
    return token, first, second, member, member_token


def test_the_founder_gets_both_clusters_and_the_member_only_their_own(
    server: Server, two_clusters: tuple[str, str, str, str, str]
) -> None:
    token, first, second, member, member_token = two_clusters
    body = server.graphql(PERSONAL_DATA, token=token)
    founder = body["data"]["viewer"]["personalData"]
    assert [m["clusterId"] for m in founder["memberships"]] == [first, second]
    assert server.demo_cluster_id not in json.dumps(founder)
    assert "Dilnoza Karimova" not in json.dumps(founder)  # added by them, named by id only

    mine = server.graphql(PERSONAL_DATA, token=member_token)["data"]["viewer"]["personalData"]
    [membership] = mine["memberships"]
    assert (membership["clusterId"], membership["memberId"]) == (first, member)
    assert membership["member"]["name"] == "Dilnoza Karimova"
    assert second not in json.dumps(mine) and founder["person"]["name"] not in json.dumps(mine)


def test_the_download_route_answers_the_same_document(
    server: Server, two_clusters: tuple[str, str, str, str, str]
) -> None:
    _, _, _, member, member_token = two_clusters
    response = server.client.get(
        "/me/personal-data", headers={"Authorization": f"Bearer {member_token}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert [m["memberId"] for m in response.json()["memberships"]] == [member]
    refused = server.client.get("/me/personal-data")
    assert refused.status_code == 401 and codes(refused.json()) == ["UNAUTHENTICATED"]


def test_the_operator_exports_any_person_to_stdout_or_a_private_file(
    server: Server, two_clusters: tuple[str, str, str, str, str], tmp_path: Path
) -> None:
    token, first, second, _, _ = two_clusters
    person_id = server.graphql("{ viewer { id } }", token=token)["data"]["viewer"]["id"]
    printed = person_export(server, "--person", person_id)
    assert printed.returncode == 0, printed.stderr
    exported = json.loads(printed.stdout)
    assert [m["clusterId"] for m in exported["memberships"]] == [first, second]
    assert exported["complete"] is True

    out = tmp_path / "export.json"
    written = person_export(server, "--person", person_id, "--out", str(out), "--max-events", "2")
    assert written.returncode == 0, written.stderr
    assert json.loads(out.read_text())["complete"] is False
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "incomplete" in written.stderr and exported["person"]["name"] not in written.stderr


@pytest.mark.parametrize("person_id", [str(uuid.uuid4()), "not-a-person", " "])
def test_an_unknown_person_exits_2_with_a_clear_message(server: Server, person_id: str) -> None:
    done = person_export(server, "--person", person_id)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "person" in done.stderr.lower()
