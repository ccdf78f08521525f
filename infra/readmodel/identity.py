"""The identity-provider read model: writes (IdentityProviderView) and queries.

The table holds ``secret_ref`` (a reference) and never a secret: the secret
lives encrypted in the secret table (infra/secrets.py)."""

from __future__ import annotations

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from domain.identity_provider import IdentityProvider
from infra.readmodel.by_name import dto_of, row_of
from infra.readmodel.tracked import BatchTracked
from services.ports.identity import IdentityProviderView, ProviderRecord


class IdentityProviderRow(SQLModel, table=True):
    __tablename__ = "rm_identity_provider"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of registration: the listing order
    name: str
    subject_id: str = Field(index=True)
    issuer: str
    client_id: str
    secret_ref: str
    enrol_new_members: bool = True


IDENTITY_TABLES = [SQLModel.metadata.tables["rm_identity_provider"]]


class SqlIdentityProviderView(BatchTracked, IdentityProviderView):
    def provider_registered(
        self, tracking: Tracking, registered: IdentityProvider.IdentityProviderRegistered
    ) -> None:
        row = row_of(
            IdentityProviderRow,
            registered,
            id=str(registered.originator_id),
            seq=tracking.notification_id,
        )
        self.store.session().add(row)
        self.insert_tracking(tracking)


class SqlIdentityProviderReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def providers(self) -> list[ProviderRecord]:
        query = select(IdentityProviderRow).order_by(col(IdentityProviderRow.seq))
        with Session(self.engine) as session:
            return [_record(row) for row in session.exec(query).all()]

    def provider(self, provider_id: str) -> ProviderRecord | None:
        with Session(self.engine) as session:
            row = session.get(IdentityProviderRow, provider_id)
            return _record(row) if row else None


def _record(row: IdentityProviderRow) -> ProviderRecord:
    return dto_of(ProviderRecord, row)
