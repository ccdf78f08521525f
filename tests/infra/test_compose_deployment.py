"""docker-compose.yml and the Dockerfile: PostgreSQL and the API replicas,
each with a healthcheck, wired to each other through the settings."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.settings import Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return compose["services"]


@pytest.fixture(scope="module")
def volumes() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["volumes"]


def healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_postgres_keeps_its_data_in_a_volume_and_reports_health(
    services: dict[str, Any], volumes: dict[str, Any]
) -> None:
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in healthcheck_command(postgres)
    [mount] = [v for v in postgres["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    assert mount.split(":")[0] in volumes


def test_the_api_runs_two_replicas_of_clusterwork_serve(services: dict[str, Any]) -> None:
    api = services["api"]
    assert api["command"][:2] == ["clusterwork", "serve"]
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert api["deploy"]["replicas"] == 2
    assert "/healthz" in healthcheck_command(api)


def test_the_api_uses_the_postgres_service_once_it_is_healthy(services: dict[str, Any]) -> None:
    api = services["api"]
    url = api["environment"]["CLUSTERWORK_DATABASE_URL"]
    assert re.match(r"postgresql://[^@]+@postgres:5432/\w+$", url)
    assert api["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_replica_shares_one_signing_key(services: dict[str, Any]) -> None:
    key_path = services["api"]["environment"]["CLUSTERWORK_SIGNING_KEY_PATH"]
    key_dir = str(Path(key_path).parent)
    for name in ("init", "api"):
        assert any(v.endswith(f":{key_dir}") for v in services[name]["volumes"]), name
    assert services["api"]["depends_on"]["init"]["condition"] == "service_completed_successfully"


def test_compose_sets_only_known_settings(services: dict[str, Any]) -> None:
    known = {f"CLUSTERWORK_{name.upper()}" for name in Settings.model_fields}
    for name, service in services.items():
        env = service.get("environment") or {}
        unknown = {k for k in env if k.startswith("CLUSTERWORK_")} - known
        assert not unknown, (name, unknown)


def test_the_dockerfile_installs_every_package_and_serves() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in (p.rstrip("*") for p in packages):
        assert re.search(rf"^COPY {package} ", dockerfile, re.M), package
    # The image installs the locked versions, hashes checked, then the package alone.
    assert re.search(r"^COPY .*requirements\.lock", dockerfile, re.M)
    assert re.search(r"^RUN pip install --require-hashes -r requirements\.lock", dockerfile, re.M)
    assert re.search(r"pip install --no-deps \.", dockerfile)
    assert '"clusterwork", "serve"' in dockerfile
    assert "HEALTHCHECK" in dockerfile
