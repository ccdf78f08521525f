"""panva's oidc-provider (tests/sso/idp/provider.mjs) as an institution's
identity provider, in its own node process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import node_support
import pytest

from testkit.server import free_port, stop

IDP_DIR = Path(__file__).resolve().parent / "idp"
START_SECONDS = 30


@dataclass(frozen=True)
class NodeProvider:
    issuer: str
    client_id: str
    client_secret: str
    log: Path


def require_node() -> str:
    """The node binary, with oidc-provider installed."""
    return node_support.require_node(IDP_DIR, "oidc-provider", "the SSO tests run it")


@contextmanager
def node_provider(name: str, redirect_uri: str, log_dir: Path) -> Iterator[NodeProvider]:
    """Starts one provider with one confidential client for ``redirect_uri``."""
    node = require_node()
    port = free_port()
    provider = NodeProvider(
        f"http://127.0.0.1:{port}",
        f"clusterwork-{name}",
        f"secret-of-{name}-{port}",
        log_dir / f"idp-{name}.log",
    )
    client = {
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "redirect_uris": [redirect_uri],
    }
    env = {
        "ISSUER": provider.issuer,
        "PORT": str(port),
        "CLIENTS": json.dumps([client]),
        "EMAIL_DOMAIN": f"{name}.example",
        "PATH": os.environ.get("PATH", ""),
    }
    with provider.log.open("w") as out:
        process = subprocess.Popen(
            [node, "provider.mjs"], cwd=IDP_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_discovery(process, provider)
        yield provider
    finally:
        stop(process)


def wait_for_discovery(process: subprocess.Popen[bytes], provider: NodeProvider) -> None:
    deadline = time.monotonic() + START_SECONDS
    url = f"{provider.issuer}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oidc-provider exited {process.returncode}: {provider.log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"oidc-provider did not start in {START_SECONDS}s: {provider.log.read_text()}")
