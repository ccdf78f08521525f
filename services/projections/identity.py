"""Projects the cluster's identity providers (never their secrets: the events
carry only a reference to the encrypted secret)."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.identity_provider import IdentityProvider
from services.ports.identity import IdentityProviderView


class IdentityProviderProjection(Projection[IdentityProviderView]):
    name = "identity_providers"
    version = 1  # raise when a change needs its tables rebuilt (docs/operations.md)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: IdentityProvider.IdentityProviderRegistered, tracking: Tracking) -> None:
        self.view.provider_registered(tracking, e)
