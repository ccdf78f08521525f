"""The directory's entries of a cluster in its audit export, personal values sealed.

An export leaves the store (to an auditor, a backup, another store), so the
persons' names and e-mails and their identities at identity providers (issuer,
subject) are sealed in it as the log seals members' names (docs/privacy.md):
AES-256-GCM under the key of the person's member in that cluster, a random
nonce per value, and the cluster, the person and the field as associated data,
so a value copied onto another person or field does not open. The export holds
no plaintext of a person, and an erased person (keys destroyed, directory rows
removed) is not in it at all.

Importing opens them with the keys of the importing store's directory: a store
without a member's key cannot read that member's values, in the log or here
(``clusterwork cluster import --without-personal-data`` reads them as erased).
Plain values (an export written before sealing) are taken as they are.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.personal_mapper import SEALED, is_sealed
from services.ports.person_keys import PersonKeyErased, PersonKeys, PersonKeyUnavailable

NONCE_BYTES = 12
PERSON_FIELDS = ("name", "email")
IDENTITY_FIELDS = ("issuer", "subject")


def _bound(cluster_id: str, person_id: str, field: str) -> bytes:
    return f"clusterwork directory entry|{cluster_id}|{person_id}|{field}".encode()


def _members(entries: dict[str, Any]) -> dict[str, str]:
    return {str(m["personId"]): str(m["memberId"]) for m in entries.get("memberships", [])}


def seal_entries(entries: dict[str, Any], cluster_id: str, keys: PersonKeys) -> dict[str, Any]:
    """``entries`` (SqlDirectory.entries) with every personal value sealed. A
    person whose key was destroyed (an erasure under way) is left out whole."""
    members = _members(entries)
    ciphers: dict[str, AESGCM | None] = {}
    for person_id, member_id in members.items():
        try:
            ciphers[person_id] = AESGCM(keys.for_writing(cluster_id, member_id))
        except PersonKeyErased:
            ciphers[person_id] = None

    def seal(person_id: str, field: str, value: Any) -> Any:
        cipher = ciphers.get(person_id)
        if value is None or cipher is None:
            return None
        nonce = secrets.token_bytes(NONCE_BYTES)
        body = cipher.encrypt(nonce, orjson.dumps(value), _bound(cluster_id, person_id, field))
        return {SEALED: base64.urlsafe_b64encode(nonce + body).decode()}

    def kept(person_id: str) -> bool:
        return ciphers.get(person_id) is not None

    return {
        "cluster": entries.get("cluster"),
        "persons": [
            {"id": p["id"], **{f: seal(p["id"], f, p[f]) for f in PERSON_FIELDS}}
            for p in entries.get("persons", [])
            if kept(p["id"])
        ],
        "identities": [
            {
                **{f: seal(i["personId"], f"identity.{f}", i[f]) for f in IDENTITY_FIELDS},
                "personId": i["personId"],
            }
            for i in entries.get("identities", [])
            if kept(i["personId"])
        ],
        "memberships": [m for m in entries.get("memberships", []) if kept(str(m["personId"]))],
    }


def sealed_members(entries: dict[str, Any] | None) -> set[str]:
    """The members whose keys the entries' sealed values are under."""
    entries = entries or {}
    members = _members(entries)
    found: set[str] = set()
    for person in entries.get("persons", []):
        if any(is_sealed(person.get(f)) for f in PERSON_FIELDS):
            found.add(members.get(str(person["id"]), ""))
    for identity in entries.get("identities", []):
        if any(is_sealed(identity.get(f)) for f in IDENTITY_FIELDS):
            found.add(members.get(str(identity["personId"]), ""))
    return found


def open_entries(
    entries: dict[str, Any] | None, cluster_id: str, keys: PersonKeys
) -> dict[str, Any]:
    """The entries with their values opened; a person whose key is erased here is
    left out whole (person, identities, membership), as an erasure leaves them.
    Raises PersonKeyUnavailable for a key that is missing or does not open."""
    entries = entries or {}
    members = _members(entries)
    erased: set[str] = set()
    ciphers: dict[str, AESGCM] = {}

    def open_(person_id: str, field: str, value: Any) -> Any:
        if not is_sealed(value):
            return value
        if person_id not in ciphers:
            member_id = members.get(person_id)
            if member_id is None:
                raise PersonKeyUnavailable(f"a sealed value of person {person_id}, not a member")
            raw = keys.for_reading(cluster_id, member_id)
            if raw is None:
                erased.add(person_id)
                return None
            ciphers[person_id] = AESGCM(raw)
        sealed = base64.urlsafe_b64decode(str(value[SEALED]).encode())
        try:
            plain = ciphers[person_id].decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _bound(cluster_id, person_id, field)
            )
        except InvalidTag:
            raise PersonKeyUnavailable(
                f"the export's {field} of person {person_id} does not open under its key"
            ) from None
        return orjson.loads(plain)

    persons = [
        {"id": p["id"], **{f: open_(p["id"], f, p.get(f)) for f in PERSON_FIELDS}}
        for p in entries.get("persons", [])
    ]
    identities = [
        {
            **{f: open_(i["personId"], f"identity.{f}", i.get(f)) for f in IDENTITY_FIELDS},
            "personId": i["personId"],
        }
        for i in entries.get("identities", [])
    ]
    return {
        "cluster": entries.get("cluster"),
        "persons": [p for p in persons if p["id"] not in erased],
        "identities": [i for i in identities if i["personId"] not in erased],
        "memberships": [m for m in entries.get("memberships", []) if m["personId"] not in erased],
    }
