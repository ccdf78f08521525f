"""Identity providers: registering an institution's OpenID Connect provider,
listing a cluster's providers, and handing the login flow what it needs."""

from __future__ import annotations

import uuid
from dataclasses import fields, replace

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.cluster import Cluster
from domain.errors import InvalidInput, NotFound
from domain.identity_provider import (
    IdentityProvider,
    ProviderRegistration,
    check_client_secret,
    checked_terms,
)
from services.access import actor_from_registry
from services.commands import CommandRunner
from services.ids import normalise_id, parse_cluster_id, target_id
from services.permissions import Permission, require
from services.ports.identity import (
    IdentityProviderInfo,
    IssuerDiscovery,
    IssuerUnusable,
    LoginClient,
    ProviderRecord,
    SecretStore,
)
from services.ports.storage import Partition
from services.principal import Actor, Principal
from services.queries import ClusterScope


class IdentityService:
    def __init__(
        self, runner: CommandRunner, discovery: IssuerDiscovery, secrets: SecretStore, base_url: str
    ) -> None:
        self.runner = runner
        self.discovery = discovery
        self.secrets = secrets
        self.base_url = base_url.rstrip("/")

    def register_identity_provider(
        self,
        principal: Principal | None,
        cluster_id: str,
        registration: ProviderRegistration,
    ) -> IdentityProviderInfo:
        """Registers a provider that vouches for the people of one subject."""
        subject = normalise_id(registration.subject_id, "subjectId") or ""
        _, issuer, _ = checked_terms(registration.name, registration.issuer, registration.client_id)
        check_client_secret(registration.client_secret)
        # Authorize before any network call: only coordinators make us fetch URLs.
        key = self._check_coordinator(principal, cluster_id, subject)
        try:
            self.discovery.check(issuer)
        except IssuerUnusable as error:
            raise InvalidInput(f"issuer: {error}", field="issuer") from None
        ref = self.secrets.put(key, registration.client_secret)
        provider_id = uuid.uuid4()

        def body(_: Partition, cluster: Cluster, __: Actor) -> tuple[list[Aggregate], str]:
            cluster.active_subject(subject, "subjectId")
            checked = replace(registration, subject_id=subject)
            provider = IdentityProvider.register(provider_id, checked, ref)
            return [provider], str(provider_id)

        try:
            partition, _ = self.runner.run(principal, cluster_id, Permission.ADMINISTER, body)
        except BaseException:
            # A refused command records nothing, not even the secret; but a secret
            # whose event was saved (and something failed later) must stay.
            if not self._recorded(key, provider_id):
                self.secrets.delete(ref)
            raise
        return self._info(key, _record(partition, str(provider_id)))

    def providers(self, scope: ClusterScope) -> list[IdentityProviderInfo]:
        """The cluster's providers, each with the URL where a browser starts its login."""
        found = scope.read_model.identity_provider_reader.providers()
        return [self._info(scope.cluster_id, p) for p in found]

    def login_client(self, cluster_id: str, provider_id: str) -> LoginClient:
        """A provider of this cluster and its secret; NOT_FOUND for a provider of
        another cluster, exactly as for one that does not exist."""
        key = str(parse_cluster_id(cluster_id))
        provider_key = target_id(provider_id, "identity provider")
        if not self.runner.directory.has_cluster(key):
            raise NotFound(f"no identity provider {provider_key}")
        partition = self.runner.partitions.open(key)
        self.runner.project(partition)
        record = _record(partition, provider_key)
        try:
            secret = self.secrets.get(key, record.secret_ref)
        except KeyError:
            raise NotFound(f"no identity provider {provider_key}") from None
        return LoginClient(key, record, secret)

    def login_url(self, cluster_id: str, provider_id: str) -> str:
        return f"{self.base_url}/auth/login/{cluster_id}/{provider_id}"

    def _info(self, cluster_id: str, record: ProviderRecord) -> IdentityProviderInfo:
        # By name: what members see is the record's fields of the same names (the
        # secret's reference is not among them) and the login URL.
        url = self.login_url(cluster_id, record.id)
        given = {f.name: getattr(record, f.name) for f in fields(ProviderRecord)} | {
            "login_url": url
        }
        return IdentityProviderInfo(**{f.name: given[f.name] for f in fields(IdentityProviderInfo)})

    def _recorded(self, cluster_id: str, provider_id: uuid.UUID) -> bool:
        try:
            self.runner.partitions.open(cluster_id).app.repository.get(provider_id)
        except AggregateNotFoundError:
            return False
        return True

    def _check_coordinator(self, principal: Principal | None, cluster_id: str, subject: str) -> str:
        partition, member_id = self.runner.open(principal, cluster_id)
        cluster: Cluster = partition.app.repository.get(parse_cluster_id(partition.cluster_id))
        require(actor_from_registry(cluster, member_id), Permission.ADMINISTER)
        cluster.active_subject(subject, "subjectId")
        return partition.cluster_id


def _record(partition: Partition, provider_id: str) -> ProviderRecord:
    found = partition.read_model.identity_provider_reader.provider(provider_id)
    if found is None:
        raise NotFound(f"no identity provider {provider_id}")
    return found
