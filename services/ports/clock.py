"""Today and now, as services see them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol


class Clock(Protocol):
    """Today and now, injectable so that date rules are exact in tests."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...
