"""The store's mapper, encrypting each event's personal fields per person.

It is the library's extension point for the store boundary: the application
constructs it (``ClusterApplication.construct_mapper``), and every event
recorded, loaded, projected, described, replayed or viewed as of a moment goes
through it. So the domain, the projections and the views keep working on
plaintext in memory, while the log, and the hash chain over it, hold only
ciphertext.

A personal value is stored as ``{"_sealed_v1_": base64url(nonce ‖ ciphertext ‖
tag)}``: AES-256-GCM under the owner's key, a random nonce per value, and the
event's id (aggregate id and version) with the field's name as associated data,
so a sealed value copied onto another event or field does not open. Only values
in that envelope are decrypted: events recorded before encryption existed hold
plaintext, and load as they always did.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

from domain.personal import PersonalFields, erased_name, personal_fields
from services.ports.person_keys import PersonKeys, PersonKeyUnavailable

SEALED = "_sealed_v1_"
NONCE_BYTES = 12


def is_sealed(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and SEALED in value


class PersonalDataMapper(Mapper[Any]):
    def __init__(self, transcoder: Transcoder, keys: PersonKeys | None, scope: str | None) -> None:
        super().__init__(transcoder)
        self.keys = keys
        self.scope = scope

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        spec = personal_fields(type(domain_event))
        if spec is None or self.keys is None or self.scope is None:
            return super().to_stored_event(domain_event)
        state = vars(domain_event)
        key = AESGCM(self.keys.for_writing(self.scope, str(state[spec.owner])))
        event_id = _event_id(state["originator_id"], state["originator_version"])
        sealed = dict(state)
        for name in spec.fields:
            if state.get(name) is not None:
                sealed[name] = _seal(key, event_id, name, state[name])
        # The library reads the state from the event's __dict__; a twin carries
        # the sealed values, and the event the aggregate holds keeps its plaintext.
        twin = object.__new__(type(domain_event))
        object.__setattr__(twin, "__dict__", sealed)
        return super().to_stored_event(twin)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        spec = personal_fields(type(domain_event))
        if spec is not None:
            self._open(spec, domain_event.__dict__)
        return domain_event

    def _open(self, spec: PersonalFields, state: dict[str, Any]) -> None:
        names = [name for name in spec.fields if is_sealed(state.get(name))]
        if not names:
            return  # recorded in clear, before encryption
        owner = str(state[spec.owner])
        if self.keys is None or self.scope is None:
            raise PersonKeyUnavailable("a sealed personal value, and no person keys to open it")
        raw = self.keys.for_reading(self.scope, owner)
        if raw is None:  # erased
            for name in names:
                state[name] = erased_name(owner) if name in spec.text else None
            return
        key = AESGCM(raw)
        event_id = _event_id(state["originator_id"], state["originator_version"])
        for name in names:
            state[name] = _unseal(key, event_id, name, state[name][SEALED])


def _event_id(originator_id: Any, version: Any) -> str:
    return f"{originator_id}|{version}"


def _seal(key: AESGCM, event_id: str, name: str, value: Any) -> dict[str, str]:
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = key.encrypt(nonce, orjson.dumps(value), f"{event_id}|{name}".encode())
    return {SEALED: base64.urlsafe_b64encode(nonce + body).decode()}


def _unseal(key: AESGCM, event_id: str, name: str, text: str) -> Any:
    raw = base64.urlsafe_b64decode(text.encode())
    try:
        plain = key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{event_id}|{name}".encode())
    except InvalidTag:
        raise PersonKeyUnavailable(
            f"personal field {name!r} of event {event_id} does not open under its key"
        ) from None
    return orjson.loads(plain)
