"""Signing in through a provider: (issuer, sub) → person → member of the cluster.

A person has one identity however many clusters they belong to. On a person's
first sign-in to a cluster they become, in this order:
1. the member a coordinator added to the provider's subject with the e-mail the
   provider has verified (and whom nobody has claimed yet);
2. else, unless the provider says not to, a new MEMBER of the provider's subject.
Later sign-ins find the same member.
"""

from __future__ import annotations

import time
from uuid import UUID

from domain.cluster import Cluster, MemberAddition
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.stamp import Stamp, stamped
from domain.text import NAME_MAX, optional_email
from services.commands import MAX_ATTEMPTS, CommandRunner, retry_pause
from services.ids import new_id
from services.ports.identity import IdentityLinks, ProviderRecord, VerifiedIdentity
from services.ports.storage import Partition
from services.principal import Principal
from services.request import current_request_id


class SignInService:
    def __init__(self, runner: CommandRunner, links: IdentityLinks) -> None:
        self.runner = runner
        self.links = links

    def sign_in(
        self, cluster_id: str, provider: ProviderRecord, who: VerifiedIdentity
    ) -> Principal:
        """The person the provider vouched for, a member of ``cluster_id``;
        FORBIDDEN when they are not a member and may not become one."""
        directory = self.runner.directory
        person_id = self._person(who)
        if directory.member_of(person_id, cluster_id) is None:
            partition = self.runner.partitions.open(cluster_id)
            invited = self._invited(partition, provider, who)
            if invited is not None:
                directory.link(person_id, cluster_id, invited)
            elif provider.enrol_new_members:
                self._enrol(partition, provider, who, person_id)
            else:
                raise Forbidden(
                    "you are not a member of this cluster; ask its coordinator to add you"
                )
        name, email = directory.person(person_id) or (who.name, who.email)
        return Principal(person_id=person_id, name=name, email=email)

    def _person(self, who: VerifiedIdentity) -> str:
        found = self.links.person_of_identity(who.issuer, who.subject)
        if found is not None:
            return found
        person_id = new_id()
        self.runner.directory.ensure_person(person_id, display_name(who), plain_email(who.email))
        return self.links.link_identity(who.issuer, who.subject, person_id)

    def _invited(
        self, partition: Partition, provider: ProviderRecord, who: VerifiedIdentity
    ) -> str | None:
        """The unclaimed member of the provider's subject with the person's verified
        e-mail. Only the subject's own members: the provider vouches for no one else."""
        email = plain_email(who.email) if who.email_verified else None
        if email is None:
            return None
        self.runner.project(partition)
        members = partition.read_model.registry_reader.members(provider.subject_id)
        matches = [
            m.id
            for m in members
            if (m.email or "").lower() == email.lower()
            and m.roles
            and self.runner.directory.person_of(partition.cluster_id, m.id) is None
        ]
        return matches[0] if len(matches) == 1 else None

    def _enrol(
        self, partition: Partition, provider: ProviderRecord, who: VerifiedIdentity, person_id: str
    ) -> str:
        """Adds the person as a MEMBER of the provider's subject; the new member
        is the actor of their own enrolment."""
        cluster_id, member_id = partition.cluster_id, new_id()
        stamp = Stamp(cluster_id, member_id, provider.subject_id, current_request_id())
        for attempt in range(1, MAX_ATTEMPTS + 1):
            cluster: Cluster = partition.app.repository.get(UUID(cluster_id))
            try:
                with stamped(stamp):
                    enrolled = MemberAddition(
                        display_name(who), plain_email(who.email), provider.subject_id, ["MEMBER"]
                    )
                    cluster.add_member(member_id, enrolled)
            except InvalidInput:
                raise Forbidden("your institution is no longer active in this cluster") from None
            saved = self.runner.save(partition, [cluster], attempt)
            if saved is not None:
                self.runner.directory.link(person_id, cluster_id, member_id)
                self.runner.after(partition, saved)
                return member_id
            time.sleep(retry_pause(attempt))  # as CommandRunner.execute does
        raise Conflict("too many concurrent changes; please sign in again")


def display_name(who: VerifiedIdentity) -> str:
    """The provider's name for the person, else their e-mail, else their subject id."""
    name = "".join(ch for ch in (who.name or who.email or who.subject) if ord(ch) >= 32)
    return name.strip()[:NAME_MAX].strip() or "Member"


def plain_email(value: str | None) -> str | None:
    """The e-mail if it is one; a provider's odd value must not block sign-in."""
    try:
        return optional_email("email", value)
    except InvalidInput:
        return None
