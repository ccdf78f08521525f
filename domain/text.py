"""Limits on free text. Documented in README ("Input limits")."""

from __future__ import annotations

import re

from domain.errors import InvalidInput

NAME_MAX = 200  # names and titles
REGION_MAX = 200
STATEMENT_MAX = 4000  # interests, goal statements, rationales
EMAIL_MAX = 254  # RFC 5321 path limit

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def required_text(field: str, value: str | None, max_len: int = NAME_MAX) -> str:
    """Stripped text that must not be blank and must fit ``max_len``."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{field} must not be blank", field=field)
    return _fit(field, text, max_len)


def optional_text(field: str, value: str | None, max_len: int = NAME_MAX) -> str | None:
    """Stripped text or None when absent or blank."""
    text = (value or "").strip()
    return _fit(field, text, max_len) if text else None


def optional_email(field: str, value: str | None) -> str | None:
    email = optional_text(field, value, EMAIL_MAX)
    if email is not None and not _EMAIL.match(email):
        raise InvalidInput(f"{field} is not an e-mail address", field=field)
    return email


def _fit(field: str, text: str, max_len: int) -> str:
    if len(text) > max_len:
        raise InvalidInput(f"{field} must be at most {max_len} characters", field=field)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    return text
