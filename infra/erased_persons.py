"""Persons erased (docs/privacy.md): a row each in the directory, without any
personal data, and a per-process set of them that every token check and
membership lookup consults.

Another process's erasure is read within REFRESH_SECONDS; the erasing process
knows it at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, select

REFRESH_SECONDS = 2.0


class DirErasure(SQLModel, table=True):
    __tablename__ = "dir_erasure"
    person_id: str = Field(primary_key=True)
    erasure_id: str = Field(unique=True)
    reason: str  # a reference (ticket, request number): docs/privacy.md asks for no names
    erased_by: str  # the person id of the operator or coordinator
    erased_at: datetime = Field(default_factory=lambda: datetime.now(UTC), index=True)


class ErasedPersons:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._known: set[str] = set()
        self._next_read = 0.0
        self._lock = threading.Lock()

    def create(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=[SQLModel.metadata.tables["dir_erasure"]])

    def __contains__(self, person_id: object) -> bool:
        if time.monotonic() >= self._next_read:
            self._refresh()
        return person_id in self._known

    def add(self, person_id: str) -> None:
        with self._lock:
            self._known.add(person_id)

    def _refresh(self) -> None:
        with self._lock:
            if time.monotonic() < self._next_read:
                return  # another thread just read them
            # Erasures are few (a handful a year per cluster): all of them, each time.
            with Session(self.engine) as session:
                self._known.update(session.exec(select(DirErasure.person_id)))
            self._next_read = time.monotonic() + REFRESH_SECONDS
