"""(issuer, sub) → person, in the shared directory's ``dir_identity`` table."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from infra.directory import DirIdentity


class SqlIdentityLinks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def person_of_identity(self, issuer: str, subject: str) -> str | None:
        with Session(self.engine) as session:
            row = session.get(DirIdentity, (issuer, subject))
            return row.person_id if row else None

    def link_identity(self, issuer: str, subject: str, person_id: str) -> str:
        with Session(self.engine) as session:
            session.add(DirIdentity(issuer=issuer, subject=subject, person_id=person_id))
            try:
                session.commit()
            except IntegrityError:  # a concurrent first sign-in linked it: theirs wins
                session.rollback()
                winner = self.person_of_identity(issuer, subject)
                if winner is None:
                    raise
                return winner
        return person_id
