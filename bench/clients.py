"""Load clients shared by the overhead and write-path benchmarks: ``{ viewer { id } }``
through the API and the same JSON from the plain endpoint (bench/baseline_app.py).
"""

from __future__ import annotations

import httpx

from bench import harness
from bench.harness import graphql

VIEWER = "{ viewer { id } }"


def viewer_client(token: str) -> harness.Client:
    def call(http: httpx.Client, _: int) -> None:
        graphql(http, VIEWER, None, token)

    return call


def plain_client(person_id: str) -> harness.Client:
    def call(http: httpx.Client, _: int) -> None:
        http.get("/plain/viewer", params={"id": person_id}).raise_for_status()

    return call
