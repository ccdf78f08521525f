"""`clusterwork keys rotate` (every person key re-wrapped under a new secret key, no
log touched) and `clusterwork privacy report` (logs with personal data in clear)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from store_support import AcceptingDiscovery, close_container, make_container, member_added

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.identity_provider import ProviderRegistration
from infra.bootstrap import Container
from services.ports.identity import SecretUnreadable
from services.ports.person_keys import PersonKeyUnavailable
from services.principal import Principal
from testkit.commands import clusterwork_here as clusterwork


def log_bytes(container: Container, cluster_id: str) -> list[bytes]:
    partition = container.partitions.open(cluster_id)
    return [e.stored_event.state for e in partition.log.read(0, 1000)]


def names(container: Container, operator: Principal, cluster_id: str) -> set[str]:
    return {m.name for m in container.queries.scope(operator, cluster_id).members()}


CLIENT_SECRET = "client-secret-of-school-5"


def registered_provider(container: Container, operator: Principal, cluster_id: str) -> str:
    """An identity provider of a new subject, its client secret sealed in the directory."""
    subject = container.registry.admit_subject(
        operator, cluster_id, SubjectAdmission("School No. 5", "SCHOOL", None)
    ).subject
    container.identity.discovery = AcceptingDiscovery()  # type: ignore[assignment]
    registration = ProviderRegistration(
        "School SSO", subject.id, "https://sso.school5.example", "cw", CLIENT_SECRET, True
    )
    return container.identity.register_identity_provider(operator, cluster_id, registration).id


def test_rotate_rewraps_the_keys_and_leaves_the_log(tmp_path: Path, operator: Principal) -> None:
    data = tmp_path / "data"
    container = make_container(data)
    cluster = container.registry.found_cluster(
        operator, ClusterFounding("Keys", "Tomsk", "GEOGRAPHIC")
    )
    container.registry.add_member(
        operator, cluster.id, MemberAddition("Vera Lis", None, None, ["MEMBER"])
    )
    provider = registered_provider(container, operator, cluster.id)
    before = log_bytes(container, cluster.id)
    close_container(container)
    old_key = (data / "secret-key").read_text()

    done = clusterwork(data, "keys", "rotate", data_dir=str(data))
    assert done.returncode == 0, done.stderr
    assert "re-wrapped 2 person keys and 1 client secrets" in done.stdout
    new_key = (data / "secret-key").read_text()
    assert new_key != old_key and new_key.strip() not in done.stdout + done.stderr
    assert not (data / "secret-key.new").exists()
    assert oct((data / "secret-key").stat().st_mode & 0o777) == "0o600"

    rotated = make_container(data)
    try:
        assert log_bytes(rotated, cluster.id) == before  # not a byte of the log changed
        assert names(rotated, operator, cluster.id) == {"Olga Operator", "Vera Lis"}
        # The provider signs members in as before: its client secret opens.
        assert rotated.identity.login_client(cluster.id, provider).client_secret == CLIENT_SECRET
    finally:
        close_container(rotated)

    (data / "secret-key").write_text(old_key)  # the old key opens nothing now
    stale = make_container(data)
    try:
        with pytest.raises(SecretUnreadable):
            stale.identity.login_client(cluster.id, provider)
        partition = stale.partitions.open(cluster.id)
        stored = member_added(partition)
        with pytest.raises(PersonKeyUnavailable):
            partition.app.mapper.to_domain_event(stored)
    finally:
        close_container(stale)


def test_rotate_with_a_configured_key_needs_a_place_for_the_new_one(
    tmp_path: Path, operator: Principal
) -> None:
    data = tmp_path / "data"
    configured = "A" * 43
    container = make_container(data, secret_key=configured)
    container.registry.found_cluster(operator, ClusterFounding("Keys", "Tomsk", "GEOGRAPHIC"))
    close_container(container)
    refused = clusterwork(data, "keys", "rotate", data_dir=str(data), secret_key=configured)
    assert refused.returncode == 2 and "--new-key-file" in refused.stderr
    out = tmp_path / "new-key"
    done = clusterwork(
        data,
        "keys",
        "rotate",
        "--new-key-file",
        str(out),
        data_dir=str(data),
        secret_key=configured,
    )
    assert done.returncode == 0, done.stderr
    new_key = out.read_text().strip()
    rotated = make_container(data, secret_key=new_key)
    try:
        cluster_id = rotated.directory.cluster_ids()[0]
        assert names(rotated, operator, cluster_id) == {"Olga Operator"}
    finally:
        close_container(rotated)


RELEASE_0_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "0.1.0"


def test_the_report_lists_the_clusters_recorded_in_clear(
    tmp_path: Path, operator: Principal
) -> None:
    data = tmp_path / "data"
    shutil.copytree(RELEASE_0_1_0 / "sqlite", data)
    old_clusters = sorted(p.stem for p in (data / "clusters").glob("*.sqlite"))
    container = make_container(data)
    new = container.registry.found_cluster(
        operator, ClusterFounding("Sealed", "Tomsk", "GEOGRAPHIC")
    )
    close_container(container)

    done = clusterwork(data, "privacy", "report", data_dir=str(data))
    assert done.returncode == 0, done.stderr
    listed = {
        line.split()[1].rstrip(":")
        for line in done.stdout.splitlines()
        if line.startswith("cluster ")
    }
    assert listed == set(old_clusters)
    assert new.id not in done.stdout
    assert "NEW chain" in done.stdout and "docs/privacy.md" in done.stdout

    fresh = tmp_path / "fresh"
    make_container(fresh).close()
    assert (
        "every personal value"
        in clusterwork(fresh, "privacy", "report", data_dir=str(fresh)).stdout
    )
