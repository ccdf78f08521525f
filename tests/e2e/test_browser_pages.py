"""The browser pages work offline: GraphiQL at /graphql loads nothing but the
server's own files, under a Content-Security-Policy that allows only its own
origin, and a real Chromium (tests/browser/graphiql.mjs, playwright-core) runs
a query and a clusterEvents subscription through it with the network limited
to that origin."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from e2e_server import REPO, Server

pytestmark = pytest.mark.e2e

BROWSER_SCRIPT = REPO / "tests" / "browser" / "graphiql.mjs"
CHROMIUM = Path("/usr/bin/chromium")
FOUND = (
    'mutation { foundCluster(input: {name: "Browser", region: "Fergana", form: FOCUSED}) { id } }'
)
ADMIT = 'mutation($c: ID!, $n: String = "School") { admitSubject(clusterId: $c, input: {name: $n, kind: SCHOOL}) { id } }'
VIEWER = "{ viewer { name memberships { cluster { id name } member { roles } } } }"
# The script's own waits are bounded (45 s a step); this only stops a hung browser.
SCRIPT_SECONDS = 300


class _Assets(HTMLParser):
    """Every URL a page loads: script src, link href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = True
            if found.get("src"):
                self.urls.append(found["src"] or "")
        elif tag in ("link", "img") and (found.get("href") or found.get("src")):
            self.urls.append(found.get("href") or found.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {words[0]: words[1:] for words in parts}


def assert_only_this_origin(policy: str, host: str) -> None:
    rules = directives(policy)
    assert rules["default-src"] == ["'self'"]
    assert rules["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert rules["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    for directive, sources in rules.items():
        allowed = ["'self'", "'none'", "data:"]
        if directive == "style-src":  # GraphiQL's dialogs add a <style> element
            allowed.append("'unsafe-inline'")
        assert all(source in allowed or host in source for source in sources), directive


def test_graphiql_is_a_page_of_this_server_s_own_files(server: Server) -> None:
    page = server.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = _Assets()
    assets.feed(page.text)
    assert assets.inline_scripts == 0
    assert len(assets.urls) >= 7 and all(url.startswith("/static/") for url in assets.urls)
    assert not re.search(r"https?://", page.text)
    for url in assets.urls:
        served = server.client.get(url)
        assert served.status_code == 200, url
    host = server.base_url.removeprefix("http://")
    assert_only_this_origin(page.headers["content-security-policy"], host)


def test_the_sign_in_pages_carry_the_same_policy_and_no_inline_style(server: Server) -> None:
    page = server.client.post("/auth/logout", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<style" not in page.text and 'href="/static/clusterwork/page.css"' in page.text
    assert server.client.get("/static/clusterwork/page.css").status_code == 200
    assert_only_this_origin(
        page.headers["content-security-policy"], server.base_url.removeprefix("http://")
    )


def test_json_answers_carry_no_page_policy(server: Server) -> None:
    answer = server.client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.status_code == 200
    assert "content-security-policy" not in answer.headers


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"])
def test_the_cdn_loaded_api_docs_are_switched_off(server: Server, path: str) -> None:
    assert server.client.get(path, headers={"Accept": "text/html"}).status_code == 404


@pytest.fixture
def own_cluster(server: Server) -> tuple[str, str]:
    """A cluster of this test's own (the demo cluster stays as seeded) and its coordinator's token."""
    token = server.cli_token("--operator", "--name", f"Browser operator {uuid.uuid4().hex[:6]}")
    body = server.graphql(FOUND, token=token)
    assert not body.get("errors"), body
    cluster_id = body["data"]["foundCluster"]["id"]
    for name in ("First school", "Second school"):
        admitted = server.graphql(ADMIT, {"c": cluster_id, "n": name}, token)
        assert not admitted.get("errors"), admitted
    return cluster_id, token


def run_browser(config: dict[str, Any]) -> dict[str, Any]:
    assert CHROMIUM.exists(), "Chromium is missing: make install (apt-get install chromium)"
    done = subprocess.run(
        ["node", str(BROWSER_SCRIPT), json.dumps(config)],
        cwd=BROWSER_SCRIPT.parent,
        capture_output=True,
        text=True,
        timeout=SCRIPT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_graphiql_runs_a_query_and_a_subscription_in_chromium_offline(
    server: Server, own_cluster: tuple[str, str], tmp_path: Path
) -> None:
    cluster_id, token = own_cluster
    head = server.position(cluster_id, token)
    report = run_browser(
        {
            "baseUrl": server.base_url,
            "token": token,
            "clusterId": cluster_id,
            "head": head,
            "query": VIEWER,
            "subscription": (
                f'subscription {{ clusterEvents(clusterId: "{cluster_id}", after: 0) '
                "{ position type } }"
            ),
            "admit": ADMIT,
            "screenshot": str(tmp_path / "graphiql.png"),
        }
    )
    assert report.get("error") is None, report
    # Nothing left the server's origin, and nothing failed or complained.
    assert report["foreign"] == []
    assert report["consoleErrors"] == []
    assert report["failedRequests"] == []
    ws_url = server.base_url.replace("http://", "ws://") + "/graphql"
    assert report["websockets"] and set(report["websockets"]) == {ws_url}
    assert report["steps"][-1] == "settings dialog opened and closed"
    # The query ran with the token from the Headers pane.
    viewer = report["queryResult"]["data"]["viewer"]
    assert any(m["cluster"]["id"] == cluster_id for m in viewer["memberships"])
    # The subscription delivered the history up to the head, then the live event.
    assert report["subscriptionHistory"] == {
        "data": {"clusterEvents": {"position": head, "type": "SubjectAdmitted"}}
    }
    assert report["subscriptionLive"] == {
        "data": {"clusterEvents": {"position": head + 1, "type": "SubjectAdmitted"}}
    }
    assert (tmp_path / "graphiql.png").stat().st_size > 10_000
