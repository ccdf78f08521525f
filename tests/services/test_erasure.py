"""erasePerson: after it the person's name, e-mail and identity subject are
nowhere (raw SQLite files, a pg_dump, exports, DEBUG logs, views, as-of views),
while every chain, checkpoint and export taken before still verifies."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.cluster import ClusterFounding, MemberAddition
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.personal import erased_name
from infra.audit.export import write_export
from infra.audit.verify import verify_export
from infra.bootstrap import Container, bootstrap
from infra.erased_persons import REFRESH_SECONDS
from infra.export_entries import seal_entries
from infra.oidc.identities import SqlIdentityLinks
from services.dto import ClusterInfo
from services.principal import Principal

NAME = "Xenobia Quillfeather"
EMAIL = "xenobia.quillfeather@uni.example"
SUBJECT = "oidc-subject-8842-xq-quill"
SECRETS = [NAME.encode(), EMAIL.encode(), SUBJECT.encode(), b"Quillfeather", b"xenobia"]


@dataclass
class Erasable:
    person: Principal
    member_ids: dict[str, str]  # cluster -> member
    second: ClusterInfo


@pytest.fixture
def erasable(container: Container, operator: Principal, cluster: ClusterInfo) -> Erasable:
    registry = container.registry
    second = registry.found_cluster(
        operator, ClusterFounding("Seversk cluster", "Seversk", "GEOGRAPHIC")
    )
    person = Principal("person-xq", NAME, EMAIL, False)
    container.directory.ensure_person(person.person_id, NAME, EMAIL)
    SqlIdentityLinks(container.directory.engine).link_identity(
        "https://idp.example", SUBJECT, person.person_id
    )
    members = {}
    for where in (cluster.id, second.id):
        member = registry.add_member(
            operator, where, MemberAddition(NAME, EMAIL, None, ["MEMBER"])
        ).member
        container.directory.link(person.person_id, where, member.id)
        members[where] = member.id
        container.audit.sign_checkpoint(operator, where)
    return Erasable(person, members, second)


def export_of(container: Container, cluster_id: str, path: Path) -> Path:
    """As `clusterwork audit export` writes it, with the directory's entries."""
    partition = container.partitions.open(cluster_id)
    entries = seal_entries(
        container.directory.entries(cluster_id), cluster_id, container.person_keys
    )
    with path.open("w", encoding="utf-8") as out:
        write_export(partition, out, container.tokens.public_jwks(), "", directory=entries)
    return path


def assert_absent(where: str, data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data, f"{secret!r} found in {where}"
        assert secret.lower() not in data.lower(), f"{secret!r} found in {where}"


def test_after_erasure_the_person_is_nowhere_and_every_chain_verifies(
    container: Container,
    operator: Principal,
    cluster: ClusterInfo,
    erasable: Erasable,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = container.tokens.mint(erasable.person)
    assert container.tokens.verify(token).person_id == erasable.person.person_id
    before = {
        c: export_of(container, c, tmp_path / f"before-{c}.ndjson") for c in erasable.member_ids
    }
    # an as-of view built (and kept) before the erasure
    early = container.queries.scope(operator, cluster.id, as_of=cluster.position + 1)
    assert NAME in {m.name for m in early.members()}
    # the log's pages read before, as clients read them (a process keeps descriptions),
    # and the members lists (a process keeps them for the position it read them at)
    for cluster_id in erasable.member_ids:
        live = container.queries.scope(operator, cluster_id)
        assert NAME in repr(live.events(after=0, first=500))
        assert NAME in {m.name for m in live.members()}

    caplog.set_level(logging.DEBUG)
    erased = container.privacy.erase_person(operator, erasable.person.person_id, "ticket GDPR-17")
    assert set(erased.cluster_ids) == set(erasable.member_ids)

    with pytest.raises(Unauthenticated):
        container.tokens.verify(token)
    assert container.directory.person(erasable.person.person_id) is None
    links = SqlIdentityLinks(container.directory.engine)
    assert links.person_of_identity("https://idp.example", SUBJECT) is None

    for cluster_id, member_id in erasable.member_ids.items():
        scope = container.queries.scope(operator, cluster_id)
        assert_absent("the live members", repr(scope.members()).encode())
        member = scope.member(member_id)
        assert member is not None
        assert (member.name, member.email, member.roles) == (
            erased_name(member_id),
            None,
            ("MEMBER",),
        )
        integrity = container.audit.integrity(scope)
        assert integrity.verified and integrity.checkpoints
        for position in range(1, scope.info.position + 1):
            past = container.queries.scope(operator, cluster_id, as_of=position)
            assert_absent(f"as of {position}", repr(past.members()).encode())
        events = scope.events(after=0, first=500)
        assert_absent("the log's data", repr(events).encode())
        verified = verify_export(before[cluster_id])  # taken before: holds only ciphertext
        assert verified.verified and verified.checkpoints
        after = export_of(container, cluster_id, tmp_path / f"after-{cluster_id}.ndjson")
        assert verify_export(after).verified
        assert_absent("an export taken before", before[cluster_id].read_bytes())
        assert_absent("an export taken after", after.read_bytes())
        assert b"PersonErased" in after.read_bytes()

    assert_absent("the DEBUG log", "\n".join(r.getMessage() for r in caplog.records).encode())
    if container.settings.database_url:
        dump = subprocess.run(
            ["pg_dump", container.settings.database_url], capture_output=True, check=True
        ).stdout
        assert_absent("pg_dump", dump)
    else:
        for path in sorted(container.settings.data_dir.rglob("*")):
            if path.is_file():
                assert_absent(str(path), path.read_bytes())


def test_equal_names_of_two_people_are_different_ciphertext_and_only_one_is_erased(
    container: Container, operator: Principal, cluster: ClusterInfo, erasable: Erasable
) -> None:
    twin = container.registry.add_member(
        operator, cluster.id, MemberAddition(NAME, None, None, ["AUDITOR"])
    ).member
    container.privacy.erase_person(operator, erasable.person.person_id, "ticket 18")
    scope = container.queries.scope(operator, cluster.id)
    twin_now = scope.member(twin.id)
    assert twin_now is not None and twin_now.name == NAME


def test_bad_erasures_are_refused_and_record_nothing(
    container: Container,
    operator: Principal,
    cluster: ClusterInfo,
    erasable: Erasable,
    member_principal,
) -> None:
    erase = container.privacy.erase_person
    person_id = erasable.person.person_id
    heads = lambda: [container.partitions.open(c).log.head() for c in erasable.member_ids]  # noqa: E731
    start = heads()
    with pytest.raises(NotFound):
        erase(operator, "no-such-person", "ticket 1")
    with pytest.raises(InvalidInput) as blank:
        erase(operator, person_id, "   ")
    assert blank.value.field == "reason"
    member = container.registry.add_member(
        operator, cluster.id, MemberAddition("Mila", None, None, ["MEMBER"])
    ).member
    with pytest.raises(Forbidden):
        erase(member_principal(member.id), person_id, "ticket 1")
    with pytest.raises(Forbidden):
        erase(erasable.person, person_id, "ticket 1")  # not even oneself: ask an operator
    assert heads() == [start[0] + 1, start[1]]  # only Mila's MemberAdded
    assert container.directory.person(person_id) is not None
    erase(operator, person_id, "ticket 2")
    done = heads()
    with pytest.raises(Conflict):
        erase(operator, person_id, "ticket 3")
    assert heads() == done


def test_a_coordinator_may_erase_a_member_of_only_their_clusters(
    container: Container,
    operator: Principal,
    cluster: ClusterInfo,
    erasable: Erasable,
    member_principal,
) -> None:
    registry = container.registry
    coordinator = registry.add_member(
        operator, cluster.id, MemberAddition("Kira", None, None, ["COORDINATOR"])
    ).member
    kira = member_principal(coordinator.id)
    with pytest.raises(Forbidden):  # the person is also a member of a cluster Kira does not run
        container.privacy.erase_person(kira, erasable.person.person_id, "ticket 4")
    only_here = registry.add_member(
        operator, cluster.id, MemberAddition("Lev", None, None, ["MEMBER"])
    ).member
    lev = member_principal(only_here.id)
    container.privacy.erase_person(kira, lev.person_id, "ticket 5")
    gone = container.queries.scope(operator, cluster.id).member(only_here.id)
    assert gone is not None and gone.name == erased_name(only_here.id)
    with pytest.raises(NotFound):  # an erased member acts no more
        container.queries.scope(lev, cluster.id)


def test_a_write_in_flight_during_erasure_lands_before_it_or_is_refused(
    container: Container, operator: Principal, cluster: ClusterInfo, member_principal
) -> None:
    registry = container.registry
    racer = registry.add_member(
        operator, cluster.id, MemberAddition("Rada Racer", None, None, ["COORDINATOR"])
    ).member
    rada = member_principal(racer.id, name="Rada Racer")
    outcomes: list[str] = []

    def write() -> None:
        for n in range(200):
            try:
                registry.add_member(
                    rada, cluster.id, MemberAddition(f"Added {n}", None, None, ["MEMBER"])
                )
            except (NotFound, Unauthenticated) as refused:
                outcomes.append(type(refused).__name__)
                return
            outcomes.append("added")

    writer = threading.Thread(target=write)
    writer.start()
    while "added" not in outcomes:
        time.sleep(0.001)
    container.privacy.erase_person(operator, rada.person_id, "ticket 99")
    writer.join(timeout=60)
    assert outcomes[-1] in {"NotFound", "Unauthenticated"}, outcomes[-3:]

    partition = container.partitions.open(cluster.id)
    entries = partition.log.read(0, 500)
    events = [partition.app.mapper.to_domain_event(e.stored_event) for e in entries]
    erased_at = next(i for i, e in enumerate(events) if type(e).__name__ == "PersonErased")
    by_rada = [i for i, e in enumerate(events) if e.actor_member_id == racer.id]
    assert by_rada and max(by_rada) < erased_at  # every write of hers landed before
    assert len(by_rada) == outcomes.count("added")  # and every one that was answered landed
    scope = container.queries.scope(operator, cluster.id)
    assert container.audit.integrity(scope).verified
    added = [m for m in scope.members() if m.name.startswith("Added ")]
    assert len(added) == len(by_rada)


def test_another_process_refuses_the_erased_person_within_seconds(
    container: Container, operator: Principal, cluster: ClusterInfo, erasable: Erasable
) -> None:
    other = bootstrap(container.settings)  # a second process on the same stores
    try:
        token = other.tokens.mint(erasable.person)
        person = other.tokens.verify(token)  # checked in full, and remembered
        assert other.queries.scope(person, cluster.id).members()
        other.queries.check_still_follows(person, cluster.id)  # a live stream's check
        container.privacy.erase_person(operator, erasable.person.person_id, "ticket 7")
        time.sleep(REFRESH_SECONDS + 0.5)
        with pytest.raises(Unauthenticated):
            other.tokens.verify(token)
        with pytest.raises(Forbidden):
            other.queries.check_still_follows(person, cluster.id)
        member = other.queries.scope(operator, cluster.id).member(erasable.member_ids[cluster.id])
        assert member is not None and member.name.startswith("erased member ")
    finally:
        other.close()
