"""The server-side stores of SSO, on SQLite and on PostgreSQL: login state
(single use, expiring), sessions (revocable) and sealed client secrets."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update
from sqlmodel import Session

from infra.bootstrap import Container
from infra.oidc.login_state import PendingLogin, SqlLoginStates, SqlSessions
from infra.secrets import DirSecret, SecretKeyMismatch, SqlSecretStore

LOGIN = PendingLogin("nonce", "verifier", "cluster-1", "provider-1")


def test_a_login_state_is_taken_once(container: Container) -> None:
    states = SqlLoginStates(container.directory.engine, 600)
    states.save("state-1", LOGIN)
    assert states.take("state-1") == LOGIN
    assert states.take("state-1") is None
    assert states.take("never-issued") is None


def test_concurrent_callbacks_with_one_state_sign_in_once(container: Container) -> None:
    states = SqlLoginStates(container.directory.engine, 600)
    states.save("raced", LOGIN)
    with ThreadPoolExecutor(8) as pool:
        taken = list(pool.map(lambda _: states.take("raced"), range(8)))
    assert taken.count(LOGIN) == 1


def test_an_expired_login_state_is_not_taken(container: Container) -> None:
    states = SqlLoginStates(container.directory.engine, -1)
    states.save("stale", LOGIN)
    assert states.take("stale") is None


def test_a_session_lasts_until_revoked(container: Container) -> None:
    sessions = SqlSessions(container.directory.engine, 600)
    value = sessions.open("person-1")
    assert sessions.person(value) == "person-1"
    assert sessions.revoke(value) is True
    assert sessions.person(value) is None
    assert sessions.revoke(value) is False


def test_an_expired_session_is_no_session(container: Container) -> None:
    sessions = SqlSessions(container.directory.engine, -1)
    assert sessions.person(sessions.open("person-1")) is None


def store(container: Container, key: bytes | None = None) -> SqlSecretStore:
    return SqlSecretStore(container.directory.engine, key or secrets.token_bytes(32))


def test_a_secret_opens_only_in_its_cluster_and_with_its_key(container: Container) -> None:
    key = secrets.token_bytes(32)
    ref = store(container, key).put("cluster-1", "the client secret")
    assert store(container, key).get("cluster-1", ref) == "the client secret"
    with pytest.raises(KeyError):
        store(container, key).get("cluster-2", ref)
    with pytest.raises(SecretKeyMismatch):
        store(container).get("cluster-1", ref)


def test_a_tampered_secret_does_not_open(container: Container) -> None:
    key = secrets.token_bytes(32)
    first = store(container, key).put("cluster-1", "first secret")
    second = store(container, key).put("cluster-1", "second secret")
    with Session(container.directory.engine) as session:
        sealed = session.get(DirSecret, second).sealed  # type: ignore[union-attr]
        session.exec(update(DirSecret).where(DirSecret.ref == first).values(sealed=sealed))  # type: ignore[call-overload,arg-type]
        session.commit()
    with pytest.raises(SecretKeyMismatch):  # bound to its reference: no swapping rows
        store(container, key).get("cluster-1", first)


def test_a_deleted_secret_is_gone(container: Container) -> None:
    secret_store = store(container)
    ref = secret_store.put("cluster-1", "short-lived")
    secret_store.delete(ref)
    with pytest.raises(KeyError):
        secret_store.get("cluster-1", ref)
