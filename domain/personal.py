"""Which fields of an event hold personal data, and whose key they are under.

An event class declares it once (``declare_personal``); the store encrypts
those fields when it records the event and decrypts them when it loads it
(services/personal_mapper.py). The domain itself only ever sees plaintext, or
the placeholder of an erased person. A declaration works alike on a class that
``@event("Name")`` generated and on an explicit event class.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSONAL_ATTRIBUTE = "personal_fields"


@dataclass(frozen=True)
class PersonalFields:
    """``owner`` names the event field whose value (a member id) selects the
    key; ``text`` fields read as the erased placeholder once the key is gone,
    ``optional`` ones as None."""

    owner: str
    text: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return self.text + self.optional


def declare_personal(
    event_class: type, *, owner: str, text: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> None:
    setattr(event_class, PERSONAL_ATTRIBUTE, PersonalFields(owner, text, optional))


def personal_fields(event_class: type) -> PersonalFields | None:
    found = getattr(event_class, PERSONAL_ATTRIBUTE, None)
    return found if isinstance(found, PersonalFields) else None


def erased_name(member_id: str) -> str:
    """The stable placeholder shown for an erased member's name: the same for
    every view of the same member, and nothing of the person in it."""
    return f"erased member {member_id.replace('-', '')[:4]}…"
