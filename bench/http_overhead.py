"""Framework overhead (figure 6): p50 of ``{ viewer { id } }`` over
HTTP ÷ a plain FastAPI endpoint returning the same JSON (bench/baseline_app.py,
under the same uvicorn). One client, requests alternating; then the same with
8 concurrent clients (requests per second). No goal is set: the figure says what
GraphQL, the token check and the directory lookup cost per request.
"""

from __future__ import annotations

from typing import Any

from bench import harness, report
from bench.clients import VIEWER, plain_client, viewer_client
from bench.harness import graphql, ms, p50, p95
from bench.write_path import persons

FULL = {"repeats": 300, "seconds": 10.0}
QUICK = {"repeats": 40, "seconds": 2.0}
CLIENTS = 8

RESULTS: dict[str, dict[str, Any]] = {}


def run(quick: bool, backends: list[str]) -> None:
    size = QUICK if quick else FULL
    print(f"\n== framework overhead: {size['repeats']} requests each ==")
    for stack in harness.stacks(backends):
        backend = stack.backend
        people = persons(stack)
        person = people[0]
        api_url, plain_url = stack.server(), stack.baseline()
        token, person_id = person.token, person.principal.person_id
        with harness.http_client(api_url) as api, harness.http_client(plain_url) as plain:
            view_t, plain_t = harness.interleaved(
                [
                    lambda: check(graphql(api, VIEWER, None, token), person_id),  # noqa: B023
                    lambda: plain.get("/plain/viewer", params={"id": person_id}).json(),  # noqa: B023
                ],
                size["repeats"],
                warmup=5,
            )

        # Each concurrent client is its own person with its own token: the rate limit
        # (infra/rate_limit.py) is per token, as for real clients.
        viewers = [viewer_client(p.token) for p in people]
        plain_viewers = [plain_client(p.principal.person_id) for p in people]
        loaded_view = harness.drive([api_url], viewers, size["seconds"]).check()
        loaded_plain = harness.drive([plain_url], plain_viewers, size["seconds"]).check()
        row = {
            "view_p50": p50(view_t),
            "plain_p50": p50(plain_t),
            "view_p95": p95(view_t),
            "plain_p95": p95(plain_t),
            "ratio": p50(view_t) / p50(plain_t),
            "view_rate": loaded_view.rate,
            "plain_rate": loaded_plain.rate,
        }
        RESULTS[backend] = row
        print(
            f"[{backend}] (6) viewer p50 {ms(row['view_p50'])} ms ÷ plain {ms(row['plain_p50'])} ms "
            f"= {row['ratio']:.2f}; {CLIENTS} clients {row['view_rate']:.0f}/s vs "
            f"{row['plain_rate']:.0f}/s"
        )
    if RESULTS and not quick:
        write_report()


def check(data: dict[str, Any], person_id: str) -> None:
    if data["viewer"]["id"] != person_id:
        raise harness.BenchError(f"unexpected viewer {data}")


def write_report() -> None:
    lines = [
        "Command: `make bench` (this section: `.venv/bin/python -m bench http_overhead`).",
        "",
        f"One client, {FULL['repeats']} requests each, alternating, after 5 warm-up requests; then",
        f"{CLIENTS} concurrent clients (each its own person and token) for {FULL['seconds']:.0f} s against each. The plain endpoint",
        "returns the same JSON from memory (no token, no database).",
        "",
        "| backend | `{ viewer { id } }` p50 ms | plain p50 ms | p50 ratio | p95 ms (view / plain) "
        f"| {CLIENTS} clients: view req/s | plain req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for backend, r in RESULTS.items():
        lines.append(
            f"| {backend} | {ms(r['view_p50'])} | {ms(r['plain_p50'])} | **{r['ratio']:.2f}** "
            f"| {ms(r['view_p95'])} / {ms(r['plain_p95'])} | {r['view_rate']:.0f} | {r['plain_rate']:.0f} |"
        )
    report.replace_section(
        "http_overhead", "Framework overhead (figure 6)", "\n".join(lines) + NOTES
    )


NOTES = """

Per request, `{ viewer { id } }` verifies the EdDSA token, runs the request-guard, rate-limit
and request-id middlewares, parses and validates the document (strawberry/graphql-core),
runs the resolver in a worker thread (which reads nothing: `id` is the token's); the plain
endpoint only serializes a dict. Under 8 concurrent clients the difference is larger than
for one client because all of that is Python under one GIL.
"""
