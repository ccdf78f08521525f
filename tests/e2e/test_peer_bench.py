"""The peer benchmark (bench/peer.py) end to end at its smallest: a real `clusterwork
serve` and PostGraphile on one scratch PostgreSQL database, autocannon driving both
for every row at 1 and 8 clients, one second per phase."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from node_support import require_node
from pg_support import fresh_database
from psycopg import sql

from bench import peer
from bench.harness import BenchError, Stack
from bench.stores import close, settings
from infra.bootstrap import bootstrap

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.slow]


def test_both_servers_answer_every_row_over_the_same_members(tmp_path: Path) -> None:
    require_node(peer.PEER, "postgraphile", "the peer benchmark runs PostGraphile on it")
    require_node(peer.PEER, "autocannon", "the peer benchmark's load generator")
    with fresh_database("cw_peer") as url:
        container = bootstrap(settings(tmp_path, url))
        stack = Stack("postgres", tmp_path, url, container)
        try:
            with stack.exits:
                rows = peer.measure(stack, alternations=1, seconds=1, warmup=0)
        finally:
            close(container)
        with psycopg.connect(url, autocommit=True) as conn:
            (schema,) = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cluster\\_%'"
            ).fetchone() or (None,)
            assert schema is not None, "serve founded no cluster"
            in_cluster = sql.Identifier(schema)

            def count(query: str, where: sql.Identifier) -> int:
                found = conn.execute(sql.SQL(query).format(where)).fetchone()
                assert found is not None
                return int(found[0])

            members = count("SELECT count(*) FROM {}.rm_member", in_cluster)
            declared = count(
                "SELECT count(*) FROM {}.stored_events WHERE topic LIKE '%%InterestDeclared'",
                in_cluster,
            )
            notes = count("SELECT count(*) FROM {}.note", sql.Identifier(peer.WRITE_SCHEMA))

    assert [(r.label, r.clients) for r in rows] == [
        (case.label, clients) for case in peer.CASES for clients in peer.CLIENTS
    ]
    for row in rows:
        for phase in (row.ours, row.peer):
            assert phase.requests > 0 and phase.seconds >= 0.9, (row.label, row.clients)
            assert len(phase.latencies_ms) == phase.requests
            assert 0 < phase.p50 <= phase.p95
            assert phase.cpu_seconds >= 0
        assert row.ratio == row.ours.rate / row.peer.rate

    # Every answered write is a row: a declared interest is an event in our log, a note
    # PostGraphile's own INSERT. A phase ends with up to one request per client in
    # flight, written but not counted.
    writes = [r for r in rows if "declareInterest" in r.label]
    in_flight = sum(r.clients for r in writes)
    ours, theirs = sum(r.ours.requests for r in writes), sum(r.peer.requests for r in writes)
    assert ours <= declared <= ours + in_flight
    assert theirs <= notes <= theirs + in_flight
    # PostGraphile only read our rows: the members are exactly what the API wrote.
    assert members == peer.SUBJECTS + 1  # and the founding coordinator

    lines = peer.table(rows)
    assert len(lines) == 2 + len(rows)
    assert all(line.count("|") == 9 for line in lines)


def test_a_comparison_names_its_cases_and_phase_length() -> None:
    # BENCH_PEER_CASES / BENCH_PEER_SECONDS: two checkouts compared row by row.
    assert peer.chosen({}) == (peer.CASES, None)
    cases, seconds = peer.chosen({"BENCH_PEER_CASES": "floor, members", "BENCH_PEER_SECONDS": "5"})
    assert [case.key for case in cases] == ["members", "floor"]  # in the run's own order
    assert seconds == 5.0
    with pytest.raises(BenchError, match="no case typo"):
        peer.chosen({"BENCH_PEER_CASES": "members,typo"})
    for wrong in ("0.5", "61", "soon"):
        with pytest.raises(BenchError, match="BENCH_PEER_SECONDS"):
            peer.chosen({"BENCH_PEER_SECONDS": wrong})
