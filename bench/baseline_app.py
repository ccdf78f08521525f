"""The baselines that run behind HTTP: plain FastAPI endpoints, served by uvicorn
exactly as `clusterwork serve` serves Clusterwork (same server, same event loop,
same log level), reading the same rows with hand-written SQL and encoding them
with the standard json module. No GraphQL, no ORM, no authorization.

    python -m bench.baseline_app --port P   (settings from CLUSTERWORK_* like serve)

- ``GET /plain/viewer?id=…``: the JSON of ``{ viewer { id } }``, from memory.
- ``GET /raw/totality``, ``/raw/mutual-control``, ``/raw/events``: the rows the
  matching GraphQL operation shows, by SQL, as JSON.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Response

from infra.partitions import schema_name
from infra.settings import Settings

SETTINGS = Settings()


class Database:
    """Raw connections to a cluster's partition: a small psycopg pool, or a
    SQLite connection per thread and cluster file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self.pool = None
        if settings.database_url:
            from psycopg_pool import ConnectionPool

            self.pool = ConnectionPool(
                settings.database_url, min_size=2, max_size=8, kwargs={"autocommit": True}
            )

    @contextmanager
    def cursor(self, cluster_id: str) -> Iterator[tuple[Any, str, str]]:
        """A cursor, the table prefix for this cluster and the parameter marker."""
        if self.pool is not None:
            with self.pool.connection() as conn, conn.cursor() as cursor:
                yield cursor, f'"{schema_name(cluster_id)}".', "%s"
            return
        files = getattr(self._local, "files", None)
        if files is None:
            files = self._local.files = {}
        conn = files.get(cluster_id)
        if conn is None:
            path = self.settings.data_dir / "clusters" / f"{cluster_id}.sqlite"
            conn = files[cluster_id] = sqlite3.connect(path, check_same_thread=False)
        yield conn.cursor(), "", "?"

    def rows(self, cluster_id: str, query: str, *params: Any) -> list[dict[str, Any]]:
        with self.cursor(cluster_id) as (cursor, prefix, marker):
            # {pos}: an event's position is its notification id (SQLite: rowid).
            position = "notification_id" if marker == "%s" else "rowid"
            query = query.replace("{t}", prefix).replace("{pos}", position)
            cursor.execute(query.replace("?", marker), params)
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def create_app(settings: Settings = SETTINGS) -> FastAPI:
    app = FastAPI(title="Clusterwork benchmark baselines")
    db = Database(settings)

    def as_json(value: Any) -> Response:
        return Response(json.dumps(value, default=str), media_type="application/json")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/plain/viewer")
    def viewer(id: str) -> dict[str, Any]:
        return {"data": {"viewer": {"id": id}}}

    @app.get("/raw/totality")
    def totality(cluster: str, goal: str) -> Response:
        return as_json(
            {
                "goal": db.rows(cluster, "SELECT * FROM {t}rm_goal WHERE id = ?", goal),
                "votes": db.rows(
                    cluster,
                    "SELECT goal_id, subject_id, seq, choice, interest_link, cast_by, cast_at, revision "
                    "FROM {t}rm_goal_vote WHERE goal_id = ? ORDER BY seq",
                    goal,
                ),
                "subjects": db.rows(
                    cluster, "SELECT id, name, kind, active FROM {t}rm_subject ORDER BY seq"
                ),
                "members": db.rows(
                    cluster, "SELECT id, name, subject_id FROM {t}rm_member ORDER BY seq"
                ),
            }
        )

    @app.get("/raw/mutual-control")
    def mutual_control(cluster: str, round: str) -> Response:
        return as_json(
            {
                "round": db.rows(
                    cluster, "SELECT * FROM {t}rm_assessment_round WHERE id = ?", round
                ),
                "norms": db.rows(
                    cluster,
                    "SELECT n.id, n.name, r.scale_min, r.scale_max, r.weight FROM {t}rm_round_norm r "
                    "JOIN {t}rm_norm n ON n.id = r.norm_id WHERE r.round_id = ? ORDER BY r.ord",
                    round,
                ),
                "subjects": db.rows(
                    cluster, "SELECT id, name, active FROM {t}rm_subject ORDER BY seq"
                ),
                "assessments": db.rows(
                    cluster,
                    "SELECT assessor_id, assessee_id, norm_id, score FROM {t}rm_assessment "
                    "WHERE round_id = ?",
                    round,
                ),
            }
        )

    @app.get("/raw/events")
    def events(cluster: str, after: int = 0, first: int = 100) -> Response:
        rows = db.rows(
            cluster,
            "SELECT {pos} AS position, hash, topic, originator_id, originator_version, state "
            "FROM {t}stored_events WHERE {pos} > ? ORDER BY {pos} LIMIT ?",
            after,
            first,
        )
        for row in rows:
            row["data"] = json.loads(bytes(row.pop("state")))
            row["type"] = row.pop("topic").rsplit(".", 1)[-1]
        actors = sorted({r["data"].get("actor_member_id") for r in rows} - {None})
        members = (
            db.rows(
                cluster,
                "SELECT m.id, m.name, s.id AS subject_id, s.name AS subject_name FROM {t}rm_member m "
                "LEFT JOIN {t}rm_subject s ON s.id = m.subject_id WHERE m.id IN ("
                + ", ".join("?" for _ in actors)
                + ")",
                *actors,
            )
            if actors
            else []
        )
        return as_json({"events": rows, "actors": members})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # As `clusterwork serve` runs Clusterwork (infra/cli.py).
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="info")


if __name__ == "__main__":
    main()
