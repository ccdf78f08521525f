"""Exports verify offline; any edit to one makes verification fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.cluster import InterestDeclaration, SubjectAdmission
from infra.audit.export import write_export
from infra.audit.verify import ExportError, verify_export

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def export_file(container, operator, cluster, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    for i in range(8):
        subject = container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i}", "SCHOOL", None)
        ).subject
        container.registry.declare_interest(
            operator, cluster.id, subject.id, InterestDeclaration("LEGAL", f"Statute {i}")
        )
        if i in (3, 6):
            container.audit.sign_checkpoint(operator, cluster.id)
    partition = container.partitions.open(cluster.id)
    path = tmp_path / "export.ndjson"
    with path.open("w") as handle:
        write_export(partition, handle, container.tokens.public_jwks(), cluster.name)
    return path


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def rewrite(path: Path, records: list[dict]) -> Path:
    edited = path.with_name("edited.ndjson")
    edited.write_text("".join(json.dumps(r) + "\n" for r in records))
    return edited


def event_at(records: list[dict], position: int) -> dict:
    return next(r for r in records if r["kind"] == "event" and r["position"] == position)


def test_a_fresh_export_verifies_with_its_checkpoints(
    export_file, container, operator, cluster
) -> None:
    result = verify_export(export_file)
    head = container.queries.scope(operator, cluster.id).info.position
    assert (result.verified, result.head, result.checkpoints) == (True, head, 2)
    assert result.cluster == cluster.id


def test_the_export_holds_what_auditors_need_and_no_private_key(export_file, container) -> None:
    records = lines(export_file)
    header, keys = records[0], records[-1]
    assert header["kind"] == "header" and header["application"].startswith("clusterwork")
    event = event_at(records, 3)
    assert {"position", "type", "aggregateId", "actor", "occurredAt", "data", "hash"} <= set(event)
    assert event["type"] == "SubjectAdmitted" and event["data"]["name"] == "School 0"
    assert all("d" not in key for key in keys["jwks"]["keys"])  # public halves only


@pytest.mark.parametrize(
    ("edit", "bad"),
    [
        (lambda rs: event_at(rs, 4)["data"].update(statement="Edited"), 4),
        (lambda rs: event_at(rs, 5).update(type="SubjectWithdrawn"), 5),
        (lambda rs: event_at(rs, 6)["actor"].update(memberId="someone-else"), 6),
        (lambda rs: event_at(rs, 7).update(hash="0" * 64), 7),
        (lambda rs: rs.remove(event_at(rs, 5)), 5),
    ],
    ids=["data", "type", "actor", "hash", "deleted-line"],
)
def test_an_edited_export_fails_at_the_edited_position(export_file, edit, bad) -> None:
    records = lines(export_file)
    edit(records)
    result = verify_export(rewrite(export_file, records))
    assert (result.verified, result.first_bad_position) == (False, bad)


def test_swapped_lines_fail_at_the_first_of_them(export_file) -> None:
    records = lines(export_file)
    i, j = records.index(event_at(records, 4)), records.index(event_at(records, 8))
    records[i], records[j] = records[j], records[i]
    assert verify_export(rewrite(export_file, records)).first_bad_position == 4


def test_a_forged_checkpoint_or_foreign_keys_fail(export_file, tmp_path) -> None:
    from joserfc.jwk import KeySet, OKPKey

    records = lines(export_file)
    checkpoint = next(r for r in records if r["kind"] == "checkpoint")
    checkpoint["jws"] = checkpoint["jws"][:-4] + "AAAA"
    assert verify_export(rewrite(export_file, records)).first_bad_position == checkpoint["position"]
    stranger = KeySet([OKPKey.generate_key("Ed25519")]).as_dict(private=False)
    assert not verify_export(export_file, pinned_jwks=stranger).verified


def test_a_truncated_export_fails_just_past_what_is_left(export_file) -> None:
    records = [r for r in lines(export_file) if not (r["kind"] == "event" and r["position"] > 10)]
    assert verify_export(rewrite(export_file, records)).first_bad_position == 11


def test_a_file_that_is_not_an_export_is_refused(tmp_path) -> None:
    path = tmp_path / "nope.ndjson"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(ExportError):
        verify_export(path)


def test_the_cli_verifies_offline_without_settings_or_database(export_file, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    env["CLUSTERWORK_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # unusable on purpose
    command = [sys.executable, "-c", "from infra.cli import main; main()", "audit", "verify"]
    ok = subprocess.run(
        [*command, str(export_file)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "VERIFIED" in ok.stdout
    records = lines(export_file)
    event_at(records, 3)["data"]["name"] = "Forged"
    bad = subprocess.run(
        [*command, str(rewrite(export_file, records))],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and "first bad position 3" in bad.stdout


def verify_cli(path: Path, cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERWORK_")}
    command = [sys.executable, "-c", "from infra.cli import main; main()", "audit", "verify"]
    return subprocess.run(
        [*command, str(path), *flags],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def unanchored_file(container, operator, cluster, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    """An export of a cluster nobody signed a checkpoint for."""
    container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School", "SCHOOL", None)
    )
    partition = container.partitions.open(cluster.id)
    path = tmp_path / "unanchored.ndjson"
    with path.open("w") as handle:
        write_export(partition, handle, container.tokens.public_jwks(), cluster.name)
    return path


def test_verify_says_when_no_checkpoint_anchors_the_chain(unanchored_file, tmp_path) -> None:
    result = verify_export(unanchored_file)
    assert (result.verified, result.anchored, result.checkpoints) == (True, False, 0)
    done = verify_cli(unanchored_file, tmp_path)
    assert done.returncode == 3, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "CONSISTENT, UNANCHORED: the chain holds but no signed checkpoint anchors it; "
        "a full rewrite would not be detected"
    )
    assert "VERIFIED" not in done.stdout


def test_require_checkpoint_fails_an_unanchored_export(unanchored_file, tmp_path) -> None:
    done = verify_cli(unanchored_file, tmp_path, "--require-checkpoint")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1].startswith("CONSISTENT, UNANCHORED:")


def test_require_checkpoint_passes_an_anchored_export(export_file, tmp_path) -> None:
    head = verify_export(export_file).head
    done = verify_cli(export_file, tmp_path, "--require-checkpoint")
    assert done.returncode == 0, done.stderr
    last = verify_export(export_file).last_checkpoint
    assert 0 < last <= head
    assert done.stdout.splitlines()[-1] == (
        "VERIFIED: the chain and every checkpoint hold "
        f"(signed checkpoints anchor positions 1..{last} of {head})"
    )
