"""Client secrets of identity providers: AES-256-GCM encrypted, in a table of
the shared directory, outside every cluster's event log.

The key comes from settings (CLUSTERWORK_SECRET_KEY) or from a key file that
the embedded default creates on first run, like the signing key. Each sealed
secret is bound to its reference and cluster (GCM associated data), so a row
copied onto another reference or cluster does not open.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete
from sqlmodel import Field, Session, SQLModel, select

from services.ports.identity import SecretUnreadable

NONCE_BYTES = 12


class DirSecret(SQLModel, table=True):
    __tablename__ = "dir_secret"
    ref: str = Field(primary_key=True)
    cluster_id: str = Field(index=True)
    key_id: str  # which key sealed it: a changed key fails loudly, not as "bad password"
    sealed: str  # base64url(nonce ‖ ciphertext ‖ tag)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class SecretKeyMismatch(SecretUnreadable):
    """The configured key did not seal this secret (was the key changed?)."""


def parse_key(text: str) -> bytes:
    """A 32-byte key written as base64url (e.g. `python -c "import secrets,base64;
    print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"`)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode() + b"==")
    except ValueError:
        raise ValueError("the secret key must be base64url text") from None
    if len(key) != 32:
        raise ValueError("the secret key must be 32 bytes (base64url, 43-44 characters)")
    return key


def load_or_create_secret_key(configured: str | None, path: Path) -> bytes:
    """The configured key, else the key file at ``path`` (created, mode 0600)."""
    if configured:
        return parse_key(configured)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(text + "\n")
    return parse_key(path.read_text())


class SqlSecretStore:
    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self._aead = AESGCM(key)
        self._key_id = hashlib.sha256(b"clusterwork secret key" + key).hexdigest()[:16]

    def create(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=[SQLModel.metadata.tables["dir_secret"]])

    def put(self, cluster_id: str, plaintext: str) -> str:
        ref = str(uuid.uuid4())
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plaintext.encode(), _bound(ref, cluster_id))
        row = DirSecret(
            ref=ref,
            cluster_id=cluster_id,
            key_id=self._key_id,
            sealed=base64.urlsafe_b64encode(sealed).decode(),
        )
        with Session(self.engine) as session:
            session.add(row)
            session.commit()
        return ref

    def get(self, cluster_id: str, ref: str) -> str:
        query = select(DirSecret).where(DirSecret.ref == ref, DirSecret.cluster_id == cluster_id)
        with Session(self.engine) as session:
            row = session.exec(query).first()
        if row is None:
            raise KeyError(ref)
        if row.key_id != self._key_id:
            raise SecretKeyMismatch(f"secret {ref} was sealed with another secret key")
        sealed = base64.urlsafe_b64decode(row.sealed.encode())
        try:
            bound = _bound(ref, cluster_id)
            opened = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound)
        except InvalidTag:
            raise SecretKeyMismatch(f"secret {ref} does not open (tampered?)") from None
        return opened.decode()

    def reseal(self, session: Session, new_key: bytes) -> int:
        """Seals every secret again under ``new_key``, in the caller's transaction
        (key rotation); the number resealed."""
        new = AESGCM(new_key)
        new_key_id = hashlib.sha256(b"clusterwork secret key" + new_key).hexdigest()[:16]
        count = 0
        for row in session.exec(select(DirSecret)):
            plaintext = self.get(row.cluster_id, row.ref).encode()
            nonce = secrets.token_bytes(NONCE_BYTES)
            sealed = nonce + new.encrypt(nonce, plaintext, _bound(row.ref, row.cluster_id))
            row.sealed = base64.urlsafe_b64encode(sealed).decode()
            row.key_id = new_key_id
            session.add(row)
            count += 1
        return count

    def delete(self, ref: str) -> None:
        with Session(self.engine) as session:
            session.exec(delete(DirSecret).where(DirSecret.ref == ref))  # type: ignore[call-overload,arg-type]
            session.commit()


def _bound(ref: str, cluster_id: str) -> bytes:
    return f"clusterwork idp secret|{ref}|{cluster_id}".encode()
