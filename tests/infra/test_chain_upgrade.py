"""A partition written in the earlier layout (positions and hashes in a
separate ``event_chain`` table; on PostgreSQL, notification ids from a
sequence, with gaps) is moved into the events' own rows when it is opened:
same positions, same hashes, the chain verifies, and appends continue it."""

from __future__ import annotations

import pytest
from storage import storage

from domain.cluster import SubjectAdmission
from infra.bootstrap import Container, bootstrap
from services.dto import ClusterInfo
from services.principal import Principal


def make_old_layout(container: Container, cluster_id: str) -> None:
    with storage(container, cluster_id) as db:
        db.run(
            "CREATE TABLE {t}event_chain (position bigint PRIMARY KEY, originator_id "
            + ("uuid" if db.pos == "notification_id" else "TEXT")
            + " NOT NULL, originator_version bigint NOT NULL, type text NOT NULL, "
            "hash text NOT NULL, UNIQUE (originator_id, originator_version))"
        )
        db.run(
            "INSERT INTO {t}event_chain SELECT {pos}, originator_id, originator_version, "
            "'T', hash FROM {t}stored_events"
        )
        # The old notification ids: not the positions (a sequence leaves gaps).
        db.run("UPDATE {t}stored_events SET {pos} = -({pos} * 3 + 7)")
        db.run("UPDATE {t}stored_events SET {pos} = -{pos} WHERE {pos} < 0")
        db.run("ALTER TABLE {t}stored_events DROP COLUMN hash")
        if db.pos == "notification_id":
            db.run("CREATE SEQUENCE {t}stored_events_notification_id_seq START 1000")
            db.run(
                "ALTER TABLE {t}stored_events ALTER COLUMN notification_id SET DEFAULT "
                "nextval('{t}stored_events_notification_id_seq')"
            )


@pytest.fixture
def reopened(container: Container):  # type: ignore[no-untyped-def]
    """The same stores composed again, as a restarted process opens them."""
    built: list[Container] = []

    def reopen() -> Container:
        built.append(bootstrap(container.settings))
        return built[-1]

    yield reopen
    for c in built:
        c.close()


def test_an_old_partition_is_upgraded_when_opened(
    container: Container, operator: Principal, cluster: ClusterInfo, reopened
) -> None:
    for i in range(5):
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission(f"School {i}", "SCHOOL", None)
        )
    before = container.partitions.open(cluster.id).log.read(0, 1_000)
    make_old_layout(container, cluster.id)

    again = reopened()
    partition = again.partitions.open(cluster.id)
    after = partition.log.read(0, 1_000)
    assert [(e.position, e.hash, e.stored_event) for e in after] == [
        (e.position, e.hash, e.stored_event) for e in before
    ]
    scope = again.queries.scope(operator, cluster.id)
    assert again.audit.integrity(scope).verified
    again.registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School after", "SCHOOL", None)
    )
    report = again.audit.integrity(again.queries.scope(operator, cluster.id))
    assert (report.verified, report.head) == (True, before[-1].position + 1)
    with storage(again, cluster.id) as db:
        tables = db.run(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'event_chain'"
            if db.pos == "notification_id"
            else "SELECT count(*) FROM sqlite_master WHERE name = 'event_chain'"
        )
        assert tables[0][0] == 0
