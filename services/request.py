"""The correlation id of the request being served (set by the API edge)."""

from __future__ import annotations

import itertools
import os
import secrets
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("clusterwork_request_id", default=None)


def current_request_id() -> str:
    """The id of the current request, or a fresh one for work outside a request."""
    return _request_id.get() or new_request_id()


# A request id is unique, not secret (a client may send its own): this process's
# random half, drawn once, then a count. Drawing 16 random bytes for every request
# (a UUID's way) was a system call and 4 % of a trivial operation's CPU.
_PROCESS_PART = secrets.token_hex(8)
_requests = itertools.count()


def _new_process() -> None:
    """A forked child draws its own part: it would otherwise repeat its parent's ids."""
    global _PROCESS_PART, _requests
    _PROCESS_PART, _requests = secrets.token_hex(8), itertools.count()


os.register_at_fork(after_in_child=_new_process)


def new_request_id() -> str:
    """32 hex digits: this process's random part, then the request's number.
    ``next`` on a count is atomic, so threads never share a number."""
    return f"{_PROCESS_PART}{next(_requests) & 0xFFFFFFFFFFFFFFFF:016x}"


def set_request_id(request_id: str) -> None:
    _request_id.set(request_id)
