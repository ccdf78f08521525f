"""On PostgreSQL every append wakes the LISTENing processes (infra/live.py,
workers), and it does so after the append has committed, in a statement of its
own: a NOTIFY inside the append transaction would make PostgreSQL commit every
cluster's appends one at a time (docs/performance.md, "Write path", figure 2)."""

from __future__ import annotations

import logging
import time

import psycopg
import pytest

from domain.cluster import ClusterFounding, SubjectAdmission
from infra.bootstrap import Container
from infra.eventstore import postgres as recorder_module
from infra.live import CHANNEL
from services.principal import Principal

# The container fixture on PostgreSQL only: SQLite has no NOTIFY.
pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)


def test_every_append_wakes_the_listeners_with_its_cluster(
    container: Container, postgres_url: str, operator: Principal
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        cluster = container.registry.found_cluster(
            operator, ClusterFounding("Omsk cluster", "Omsk", "GEOGRAPHIC")
        )
        container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission("School 7", "SCHOOL", None)
        )
        heard = [n.payload for n in listener.notifies(timeout=5.0, stop_after=2)]
    assert heard == [cluster.id, cluster.id]  # founding, then the admission


def test_a_failed_wake_up_neither_fails_nor_undoes_the_append(
    container: Container,
    operator: Principal,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A wake-up PostgreSQL refuses. Inside the append transaction it would abort
    # the append; after the commit it can only be logged.
    monkeypatch.setattr(recorder_module, "WAKE_LISTENERS", b"SELECT pg_notify('', $1)")
    with caplog.at_level(logging.WARNING, logger=recorder_module.__name__):
        cluster = container.registry.found_cluster(
            operator, ClusterFounding("Omsk cluster", "Omsk", "GEOGRAPHIC")
        )
        admitted = container.registry.admit_subject(
            operator, cluster.id, SubjectAdmission("School 7", "SCHOOL", None)
        ).subject
    assert container.partitions.open(cluster.id).log.head() >= 2  # both are recorded
    assert admitted.name == "School 7"
    refused = [r for r in caplog.records if "wake-up not sent" in r.getMessage()]
    assert len(refused) == 2 and all(cluster.id in r.getMessage() for r in refused)


def test_the_librarys_subscribe_refuses_at_once_instead_of_waiting_forever(
    container: Container, operator: Principal
) -> None:
    cluster = container.registry.found_cluster(
        operator, ClusterFounding("Omsk cluster", "Omsk", "GEOGRAPHIC")
    )
    recorder = container.partitions.open(cluster.id).recorder
    started = time.monotonic()
    try:
        subscription = recorder.subscribe(gt=0)
    except NotImplementedError as refused:
        message = str(refused)
    else:
        subscription.stop()  # ends its LISTEN and pull threads, so the test run can end
        pytest.fail("subscribe() gave a subscription that no append here ever wakes")
    assert time.monotonic() - started < 1.0
    assert CHANNEL in message and "LiveHub.changes" in message
