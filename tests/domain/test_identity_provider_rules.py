"""An identity provider names an https issuer (plain http only on this machine),
a client id and a reference to its secret; its event never holds the secret."""

from __future__ import annotations

import uuid

import pytest

from domain.errors import InvalidInput
from domain.identity_provider import (
    CLIENT_SECRET_MAX,
    IdentityProvider,
    ProviderRegistration,
    check_client_secret,
    checked_issuer,
)


def register(issuer: str = "https://sso.school4.example/realms/school") -> IdentityProvider:
    registration = ProviderRegistration(
        "School No. 4", str(uuid.uuid4()), issuer, "clusterwork", "s3cret-never-stored"
    )
    return IdentityProvider.register(uuid.uuid4(), registration, "ref-1")


def test_the_registered_event_holds_a_reference_and_never_a_secret() -> None:
    [event] = register().collect_events()
    assert type(event).__name__ == "IdentityProviderRegistered"
    assert event.secret_ref == "ref-1"  # type: ignore[attr-defined]
    assert not {"secret", "client_secret"} & set(vars(event))
    assert "s3cret-never-stored" not in repr(vars(event))


def test_the_registration_value_never_shows_its_secret() -> None:
    registration = ProviderRegistration("S", "id", "https://sso.example", "cw", "s3cret")
    assert "s3cret" not in repr(registration)


@pytest.mark.parametrize(
    "issuer",
    [
        "https://login.microsoftonline.com/0b0c2c8a-1d5e-4e39-9d2d-6a1c1f0b5e11/v2.0",
        "https://accounts.google.com",
        "http://127.0.0.1:3000",
        "http://localhost:8080/realms/dev",
        "http://idp.localhost:3000",
    ],
)
def test_https_issuers_and_local_http_ones_are_accepted(issuer: str) -> None:
    assert checked_issuer(issuer) == issuer


@pytest.mark.parametrize(
    "issuer",
    [
        "",
        "sso.school4.example",
        "http://sso.school4.example",
        "ftp://sso.school4.example",
        "https://sso.school4.example/?tenant=1",
        "https://sso.school4.example/#top",
        "https://user:pw@sso.school4.example",
    ],
)
def test_other_issuers_are_refused_naming_the_issuer(issuer: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(issuer)
    assert refused.value.field == "issuer"


@pytest.mark.parametrize("secret", ["", "   ", "x" * (CLIENT_SECRET_MAX + 1)])
def test_a_blank_or_huge_secret_is_refused_without_repeating_it(secret: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_client_secret(secret)
    assert refused.value.field == "clientSecret"
    assert secret.strip() == "" or secret not in refused.value.message
