"""docker-compose.yml's development identity provider fits the API: one issuer
URL that both the browser and the API containers reach, a client whose
redirect URI is the API's public callback, and the provider script itself."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from node_idp import IDP_DIR, NodeProvider, require_node, wait_for_discovery

from domain.identity_provider import checked_issuer, is_loopback
from testkit.server import free_port, stop

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_the_issuer_is_one_url_for_the_browser_and_for_the_api(compose: dict[str, Any]) -> None:
    idp = compose["services"]["idp"]
    issuer = idp["environment"]["ISSUER"]
    host = urlsplit(issuer).hostname or ""
    assert is_loopback(host) and host != "localhost"  # browsers: *.localhost is this machine
    assert host in idp["networks"]["default"]["aliases"]  # containers: the service's alias
    assert checked_issuer(issuer) == issuer
    assert f"{urlsplit(issuer).port}:" in idp["ports"][0]


def test_the_client_redirects_to_the_apis_public_callback(compose: dict[str, Any]) -> None:
    env = compose["x-clusterwork-env"]
    [client] = json.loads(compose["services"]["idp"]["environment"]["CLIENTS"])
    assert client["redirect_uris"] == [f"{env['CLUSTERWORK_PUBLIC_BASE_URL']}/auth/callback"]
    assert env["CLUSTERWORK_SECRET_KEY_PATH"].startswith("/keys/")  # shared by every replica


def test_the_service_runs_the_provider_script_of_the_tests(compose: dict[str, Any]) -> None:
    idp = compose["services"]["idp"]
    assert idp["image"].startswith("node:20")
    assert "./tests/sso/idp:/src:ro" in idp["volumes"]
    assert "node provider.mjs" in idp["command"][-1] and "npm ci" in idp["command"][-1]


def test_the_provider_starts_with_the_services_environment(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    node = require_node()
    env = dict(compose["services"]["idp"]["environment"])
    port = free_port()  # the container's port 3000 is taken or foreign here: a free one
    env.update(PORT=str(port), HOST="127.0.0.1", PATH=os.environ.get("PATH", ""))
    log = tmp_path / "idp.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [node, "provider.mjs"], cwd=IDP_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        local = NodeProvider(f"http://127.0.0.1:{port}", "", "", log)
        wait_for_discovery(process, local)
        doc = httpx.get(f"{local.issuer}/.well-known/openid-configuration", timeout=5).json()
    finally:
        stop(process)
    assert doc["issuer"] == env["ISSUER"]
    assert "S256" in doc["code_challenge_methods_supported"]
