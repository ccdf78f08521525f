"""`clusterwork cluster import` restores a cluster from its audit export: the same
positions, stored bytes, hashes and checkpoints, the read model rebuilt, the
directory's entries back; a tampered export, or a store that holds the cluster,
is refused and nothing is imported."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import close_container, drop_partitions, make_container

from domain.cluster import ClusterFounding, InterestDeclaration, MemberAddition, SubjectAdmission
from domain.personal import erased_name
from infra.audit.export import write_export
from infra.audit.verify import verify_export
from infra.bootstrap import Container
from infra.cluster_import import (
    EXIT_BROKEN,
    EXIT_EXISTS,
    EXIT_NO_KEYS,
    ImportRefused,
    import_cluster,
    stored_head,
)
from infra.export_entries import seal_entries
from infra.oidc.identities import SqlIdentityLinks
from services.dto import ClusterInfo
from services.principal import Principal
from testkit.commands import clusterwork, clusterwork_here


def export_of(container: Container, cluster_id: str, path: Path) -> Path:
    """What `clusterwork audit export` writes (with the directory's entries)."""
    partition = container.partitions.open(cluster_id)
    with path.open("w") as handle:
        write_export(
            partition,
            handle,
            container.tokens.public_jwks(),
            "Import cluster",
            directory=seal_entries(
                container.directory.entries(cluster_id), cluster_id, container.person_keys
            ),
        )
    return path


def stored_log(container: Container, cluster_id: str) -> list[tuple]:
    """Every event as stored: position, hash, aggregate, version, topic, bytes."""
    return [
        (r.position, r.stored_hash, r.aggregate_id, r.version, r.topic, r.state)
        for r in container.partitions.open(cluster_id).log.records()
    ]


@pytest.fixture
def history(container: Container, operator: Principal, cluster: ClusterInfo) -> str:
    """A cluster with subjects, interests, a member and two checkpoints."""
    for i in range(6):
        subject = container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i}", "SCHOOL", None)
        ).subject
        container.registry.declare_interest(
            operator, cluster.id, subject.id, InterestDeclaration("LEGAL", f"Statute {i}")
        )
        if i in (2, 5):
            container.audit.sign_checkpoint(operator, cluster.id)
    container.registry.add_member(
        operator, cluster.id, MemberAddition("Ann Auditor", "ann@x.example", None, ["AUDITOR"])
    )
    return cluster.id


@pytest.fixture
def empty_store(container: Container, backend: str, tmp_path: Path, request) -> Iterator[Container]:  # type: ignore[no-untyped-def]
    """A second, empty store of the same backend, with the source's keys."""
    if backend == "sqlite":
        folder = tmp_path / "restored"
        folder.mkdir()
        shutil.copy(container.settings.key_path, folder / "signing-key.jwk")
        shutil.copy(container.settings.secret_key_file, folder / "secret-key")
        built = make_container(folder)
    else:
        url = request.getfixturevalue("own_postgres_url")
        built = make_container(tmp_path / "data", url)
    yield built
    close_container(built)
    if backend != "sqlite":
        drop_partitions(url)


def test_an_import_restores_the_log_checkpoints_views_and_directory(
    container, operator, history, empty_store, tmp_path
):
    path = export_of(container, history, tmp_path / "export.ndjson")
    # The store restored into holds the cluster's person keys (its directory).
    empty_store.person_keys.put_rows(container.person_keys.rows(history))
    done = import_cluster(empty_store, path)
    assert empty_store.partitions.open(history).read_model.registry_reader.members() == (
        container.partitions.open(history).read_model.registry_reader.members()
    )
    assert empty_store.directory.person(operator.person_id) == (
        container.directory.person(operator.person_id)
    )
    source = container.partitions.open(history)
    restored = empty_store.partitions.open(history)
    assert stored_log(empty_store, history) == stored_log(container, history)
    assert done.head == source.log.head() and done.checkpoints == 2
    assert restored.checkpoints.all() == source.checkpoints.all()
    reader, original = restored.read_model.registry_reader, source.read_model.registry_reader
    assert reader.subjects() == original.subjects() and len(reader.subjects()) == 6
    assert reader.members() == original.members()
    assert restored.read_model.positions() == {
        name: done.head for name in restored.read_model.positions()
    }
    # The operator reaches the cluster as the same person, the same member.
    assert empty_store.directory.member_of(operator.person_id, history) == (
        container.directory.member_of(operator.person_id, history)
    )
    assert empty_store.directory.memberships(operator.person_id)[0].cluster_id == history
    integrity = empty_store.audit.integrity(empty_store.queries.scope(operator, history))
    assert (integrity.verified, integrity.head, len(integrity.checkpoints)) == (True, done.head, 2)
    # And writes there continue the same chain.
    empty_store.registry.admit_subject(
        operator, history, SubjectAdmission("After import", "SCHOOL", None)
    )
    assert empty_store.audit.integrity(empty_store.queries.scope(operator, history)).verified


def test_a_tampered_export_is_refused_and_nothing_is_imported(
    container, history, empty_store, tmp_path
):
    path = export_of(container, history, tmp_path / "export.ndjson")
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        if record.get("kind") == "event" and record["position"] == 5:
            record["hash"] = "0" * 64
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(ImportRefused, match="does not verify") as refused:
        import_cluster(empty_store, path)
    assert refused.value.exit_code == EXIT_BROKEN
    assert not empty_store.directory.has_cluster(history)
    assert empty_store.directory.cluster_ids() == []


def test_an_import_into_a_store_that_holds_the_cluster_is_refused(
    container, operator, history, tmp_path
):
    path = export_of(container, history, tmp_path / "export.ndjson")
    before = stored_log(container, history)
    with pytest.raises(ImportRefused, match="already exists") as refused:
        import_cluster(container, path)
    assert refused.value.exit_code == EXIT_EXISTS
    assert stored_log(container, history) == before


def test_the_command_answers_each_refusal_with_its_exit_code_and_message(tmp_path: Path):
    source = make_container(tmp_path / "source")
    try:
        operator = Principal("op-cli", "Olga Operator", None, True)
        info = source.registry.found_cluster(
            operator, ClusterFounding("Cli cluster", "Region", "GEOGRAPHIC")
        )
        source.registry.admit_subject(operator, info.id, SubjectAdmission("School", "SCHOOL", None))
        source.audit.sign_checkpoint(operator, info.id)
        assert source.directory.person(operator.person_id) == ("Olga Operator", None)
    finally:
        close_container(source)
    path = tmp_path / "export.ndjson"
    # The export through the console script in its own process; the imports in
    # this process (each answer the same, without seconds of start-up apiece).
    exported = clusterwork(
        tmp_path,
        *("audit", "export", "--cluster", info.id, "--out", str(path)),
        data_dir=str(tmp_path / "source"),
    )
    assert exported.returncode == 0, exported.stderr
    # The directory's entries are in it, the founder's name only sealed.
    assert json.loads(path.read_text().splitlines()[0])["directory"]["persons"][0]["name"]
    assert b"Olga Operator" not in path.read_bytes()
    target, other = str(tmp_path / "target"), str(tmp_path / "other")
    assert clusterwork_here(tmp_path, "init", data_dir=target).returncode == 0
    # The target's directory lacks the founder's key: refused, nothing written.
    lacking = clusterwork_here(tmp_path, "cluster", "import", str(path), data_dir=target)
    assert lacking.returncode == EXIT_NO_KEYS, lacking.stderr
    assert "--without-personal-data" in lacking.stderr
    done = clusterwork_here(
        tmp_path, "cluster", "import", "--without-personal-data", str(path), data_dir=target
    )
    assert done.returncode == 0, done.stderr
    assert "note: 1 members' keys were not in this store: they read as erased" in done.stdout
    assert f"imported cluster {info.id} (Cli cluster): 3 events" in done.stdout
    # `init` made the target a key of its own: the checkpoint's signer is not it.
    assert "warning: the checkpoints were signed with a key this store's servers" in done.stdout
    again = clusterwork_here(tmp_path, "cluster", "import", str(path), data_dir=target)
    assert again.returncode == EXIT_EXISTS
    assert f"cluster {info.id} already exists in this store" in again.stderr
    tampered = tmp_path / "tampered.ndjson"
    tampered.write_text(path.read_text().replace("School", "Schoo1", 1))
    assert clusterwork_here(tmp_path, "init", data_dir=other).returncode == 0
    refused = clusterwork_here(tmp_path, "cluster", "import", str(tampered), data_dir=other)
    assert refused.returncode == EXIT_BROKEN
    assert "the export does not verify (first bad position" in refused.stderr
    not_export = tmp_path / "not.ndjson"
    not_export.write_text('{"kind": "nothing"}\n')
    wrong = clusterwork_here(tmp_path, "cluster", "import", str(not_export), data_dir=other)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "releases" / "0.1.0"


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_0_1_0_release_export_imports_with_its_keys(backend: str, tmp_path: Path, request):  # type: ignore[no-untyped-def]
    """An export written by the first release (no directory line, events of the first
    versions) restores on the current code: the same chain, the views projected
    through the upcasters, the old checkpoints verified with the release's key."""
    data = tmp_path / "data"
    data.mkdir()
    for key in ("signing-key.jwk", "secret-key"):
        shutil.copy(RELEASE / backend / key, data / key)
    url = request.getfixturevalue("own_postgres_url") if backend == "postgres" else None
    store = make_container(data, url)
    try:
        path = RELEASE / "exports" / f"{backend}-full.ndjson"
        jwks = json.loads((RELEASE / "jwks.json").read_text())
        done = import_cluster(store, path, jwks)
        exported = [json.loads(line) for line in path.read_text().splitlines()]
        events = [(r["position"], r["hash"]) for r in exported if r["kind"] == "event"]
        assert [row[:2] for row in stored_log(store, done.cluster_id)] == events
        manifest = json.loads((RELEASE / "manifest.json").read_text())[backend]["full"]
        assert done.cluster_id == manifest["cluster"] and done.persons == 0
        reader = store.partitions.open(done.cluster_id).read_model.registry_reader
        assert {s.id for s in reader.subjects(include_inactive=True)} == set(
            manifest["subjects"].values()
        )
        operator = Principal("op-release", "Olga Operator", None, True)
        member = next(iter(manifest["members"].values()))
        store.directory.ensure_person(operator.person_id, None, None)
        store.directory.link(operator.person_id, done.cluster_id, member)
        integrity = store.audit.integrity(store.queries.scope(operator, done.cluster_id))
        assert integrity.verified and integrity.checkpoints and integrity.head == len(events)
    finally:
        close_container(store)
        if url:
            drop_partitions(url)


def test_an_identity_the_store_knows_brings_the_membership_to_its_person(
    container, operator, history, empty_store, tmp_path
):
    auditor = next(
        m
        for m in container.partitions.open(history).read_model.registry_reader.members()
        if m.name == "Ann Auditor"
    )
    container.directory.ensure_person("person-ann", "Ann Auditor", "ann@x.example")
    container.directory.link("person-ann", history, auditor.id)
    SqlIdentityLinks(container.directory.engine).link_identity("https://idp", "ann", "person-ann")
    # The store the cluster comes back to knows Ann already, as another person id.
    empty_store.directory.ensure_person("ann-here", "Ann", None)
    SqlIdentityLinks(empty_store.directory.engine).link_identity("https://idp", "ann", "ann-here")
    empty_store.person_keys.put_rows(container.person_keys.rows(history))
    import_cluster(empty_store, export_of(container, history, tmp_path / "export.ndjson"))
    assert empty_store.directory.member_of("ann-here", history) == auditor.id
    assert empty_store.directory.person("person-ann") is None
    assert empty_store.directory.member_of(operator.person_id, history) is not None


def test_the_export_holds_no_plaintext_of_a_person(container, operator, history, tmp_path):
    reader = container.partitions.open(history).read_model.registry_reader
    auditor = next(m for m in reader.members() if m.name == "Ann Auditor")
    container.directory.ensure_person("person-ann", "Ann Auditor", "ann@x.example")
    container.directory.link("person-ann", history, auditor.id)
    SqlIdentityLinks(container.directory.engine).link_identity(
        "https://idp.example", "ann-subject-7731", "person-ann"
    )
    data = export_of(container, history, tmp_path / "export.ndjson").read_bytes()
    for plain in ("Ann Auditor", "ann@x.example", "ann-subject-7731", "Olga Operator"):
        assert plain.encode() not in data, plain
    assert operator.email is None or operator.email.encode() not in data
    # The values are there, sealed: a store holding the keys opens them.
    assert b"_sealed_v1_" in data


def test_an_import_without_the_keys_is_refused_unless_read_as_erased(
    container, operator, history, empty_store, tmp_path
):
    path = export_of(container, history, tmp_path / "export.ndjson")
    with pytest.raises(ImportRefused, match="--without-personal-data") as refused:
        import_cluster(empty_store, path)
    assert refused.value.exit_code == EXIT_NO_KEYS
    assert not empty_store.directory.has_cluster(history)
    assert stored_head(empty_store, history) == 0
    assert empty_store.person_keys.rows(history) == []

    done = import_cluster(empty_store, path, without_personal_data=True)
    members = empty_store.partitions.open(history).read_model.registry_reader.members()
    original = container.partitions.open(history).read_model.registry_reader.members()
    assert done.read_as_erased == len(original) == len(members) == 2
    assert sorted(m.name for m in members) == sorted(erased_name(m.id) for m in original)
    # Their directory entries were not restored: the operator reaches nothing here.
    assert empty_store.directory.person(operator.person_id) is None
    assert empty_store.directory.member_of(operator.person_id, history) is None
    assert set(empty_store.person_keys.owners(history).values()) == {"erased"}
    assert (done.head, stored_log(empty_store, history)) == (
        container.partitions.open(history).log.head(),
        stored_log(container, history),
    )
    # The operator is no member there: the restored log is verified offline.
    again = export_of(empty_store, history, tmp_path / "again.ndjson")
    assert verify_export(again, None, lambda _: None).verified
