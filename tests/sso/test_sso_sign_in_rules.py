"""Who a verified identity becomes, on SQLite and PostgreSQL: one person per
(issuer, sub), the same member on every sign-in, a membership per cluster, and
enrolment only as the provider allows."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.errors import Forbidden, InvalidInput
from domain.identity_provider import ProviderRegistration
from infra.bootstrap import Container
from infra.secrets import DirSecret
from services.dto import ClusterInfo
from services.identity import IdentityService
from services.ports.identity import IssuerUnusable, ProviderRecord, VerifiedIdentity
from services.principal import Principal

ISSUER = "https://sso.school4.example"


class FakeDiscovery:
    """Accepts every issuer, or refuses every one with ``refusal``."""

    def __init__(self, refusal: str | None = None) -> None:
        self.refusal = refusal

    def check(self, issuer: str) -> None:
        if self.refusal:
            raise IssuerUnusable(self.refusal)


def identity(container: Container, refusal: str | None = None) -> IdentityService:
    secrets = container.identity.secrets
    return IdentityService(container.runner, FakeDiscovery(refusal), secrets, "http://cw.example")


def provider(
    container: Container, operator: Principal, cluster: ClusterInfo, enrol: bool = True
) -> ProviderRecord:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School No. 4", "SCHOOL", None)
    ).subject
    info = identity(container).register_identity_provider(
        operator,
        cluster.id,
        ProviderRegistration("School SSO", subject.id, ISSUER, "cw", "s3cret", enrol),
    )
    return container.identity.login_client(cluster.id, info.id).provider


def person(sub: str, email: str | None = None, verified: bool = False) -> VerifiedIdentity:
    return VerifiedIdentity(ISSUER, sub, f"Person {sub}", email, email_verified=verified)


def sign_in(
    container: Container, cluster: ClusterInfo, record: ProviderRecord, who: VerifiedIdentity
) -> Principal:
    return container.sign_on.sign_in.sign_in(cluster.id, record, who)


def test_the_same_identity_is_the_same_person_and_member(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster)
    first = sign_in(container, cluster, record, person("alice"))
    again = sign_in(container, cluster, record, person("alice"))
    assert again.person_id == first.person_id
    assert container.directory.memberships(first.person_id) == container.directory.memberships(
        again.person_id
    )
    assert len(container.directory.memberships(first.person_id)) == 1


def test_one_person_has_a_membership_in_each_cluster(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    other = container.registry.found_cluster(
        operator, ClusterFounding("Seversk cluster", "Seversk", "GEOGRAPHIC")
    )
    here = sign_in(container, cluster, provider(container, operator, cluster), person("vera"))
    there = sign_in(container, other, provider(container, operator, other), person("vera"))
    assert there.person_id == here.person_id
    clusters = [m.cluster_id for m in container.directory.memberships(here.person_id)]
    assert clusters == [cluster.id, other.id]


def test_a_new_member_is_the_actor_of_their_own_enrolment(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster)
    signed_in = sign_in(container, cluster, record, person("boris"))
    member_id = container.directory.member_of(signed_in.person_id, cluster.id)
    scope = container.queries.scope(signed_in, cluster.id)
    added = [e for e in scope.events(0, 500).events if e.type == "MemberAdded"][-1]
    assert added.actor_member_id == member_id
    assert added.data["roles"] == ["MEMBER"] and added.data["subject_id"] == record.subject_id


def test_without_enrolment_only_an_invited_member_with_a_verified_email_gets_in(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster, enrol=False)
    invited = container.registry.add_member(
        operator,
        cluster.id,
        MemberAddition("Galina", "galina@school4.example", record.subject_id, ["MEMBER"]),
    ).member
    with pytest.raises(Forbidden):
        sign_in(container, cluster, record, person("g1", "galina@school4.example", verified=False))
    with pytest.raises(Forbidden):
        sign_in(container, cluster, record, person("stranger", "who@else.example", verified=True))
    galina = sign_in(
        container, cluster, record, person("g2", "Galina@School4.example", verified=True)
    )
    assert container.directory.member_of(galina.person_id, cluster.id) == invited.id


def test_nobody_enrols_into_a_withdrawn_subject(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster)
    container.registry.withdraw_subject(operator, cluster.id, record.subject_id)
    with pytest.raises(Forbidden):
        sign_in(container, cluster, record, person("late"))


def test_an_unusable_issuer_is_bad_input_on_the_issuer(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("College", "COLLEGE", None)
    ).subject
    refusing = identity(container, refusal="unreachable")
    with pytest.raises(InvalidInput) as refused:
        refusing.register_identity_provider(
            operator,
            cluster.id,
            ProviderRegistration("College SSO", subject.id, ISSUER, "cw", "s3cret"),
        )
    assert refused.value.field == "issuer"
    assert refusing.providers(container.queries.scope(operator, cluster.id)) == []


def test_a_registration_refused_after_the_secret_was_sealed_leaves_no_secret(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("Lyceum", "SCHOOL", None)
    ).subject

    class WithdrawingDiscovery(FakeDiscovery):
        """The subject is withdrawn while the issuer is being checked."""

        def check(self, issuer: str) -> None:
            container.registry.withdraw_subject(operator, cluster.id, subject.id)

    secrets = container.identity.secrets
    racing = IdentityService(container.runner, WithdrawingDiscovery(), secrets, "http://cw.example")
    with pytest.raises(InvalidInput) as refused:
        racing.register_identity_provider(
            operator,
            cluster.id,
            ProviderRegistration("Lyceum SSO", subject.id, ISSUER, "cw", "s3cret"),
        )
    assert refused.value.field == "subjectId"
    with Session(container.directory.engine) as session:
        assert session.exec(select(DirSecret)).all() == []
