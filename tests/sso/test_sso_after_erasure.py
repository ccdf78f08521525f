"""After an erasure the same identity signing in again is a new person: the
identity link went with the erased person, and the erased member is claimed by
no one, not even by the verified e-mail it once had."""

from __future__ import annotations

from domain.cluster import MemberAddition, SubjectAdmission
from domain.identity_provider import ProviderRegistration
from domain.personal import erased_name
from infra.bootstrap import Container
from services.dto import ClusterInfo
from services.identity import IdentityService
from services.ports.identity import ProviderRecord, VerifiedIdentity
from services.principal import Principal

ISSUER = "https://sso.erasure.example"


class AcceptingDiscovery:
    def check(self, issuer: str) -> None:
        return None


def provider(container: Container, operator: Principal, cluster: ClusterInfo) -> ProviderRecord:
    subject = container.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School No. 9", "SCHOOL", None)
    ).subject
    service = IdentityService(
        container.runner, AcceptingDiscovery(), container.identity.secrets, "http://cw.example"
    )
    info = service.register_identity_provider(
        operator,
        cluster.id,
        ProviderRegistration("School SSO", subject.id, ISSUER, "cw", "s3cret", True),
    )
    return container.identity.login_client(cluster.id, info.id).provider


def test_the_same_identity_after_erasure_is_a_new_person(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    record = provider(container, operator, cluster)
    email = "yolanda.erasable@school9.example"
    invited = container.registry.add_member(
        operator,
        cluster.id,
        MemberAddition("Yolanda Erasable", email, record.subject_id, ["MEMBER"]),
    ).member
    who = VerifiedIdentity(ISSUER, "sub-yolanda", "Yolanda Erasable", email, email_verified=True)
    sign_in = container.sign_on.sign_in.sign_in
    first = sign_in(cluster.id, record, who)
    assert container.directory.member_of(first.person_id, cluster.id) == invited.id
    container.privacy.erase_person(operator, first.person_id, "ticket 9")

    again = sign_in(cluster.id, record, who)
    assert again.person_id != first.person_id
    member_id = container.directory.member_of(again.person_id, cluster.id)
    assert member_id not in (None, invited.id)  # enrolled anew, not the erased member
    assert container.directory.member_of(first.person_id, cluster.id) is None
    scope = container.queries.scope(operator, cluster.id)
    old = scope.member(invited.id)
    assert old is not None and old.name == erased_name(invited.id)
    new = scope.member(member_id or "")
    assert new is not None and new.name == "Yolanda Erasable"
