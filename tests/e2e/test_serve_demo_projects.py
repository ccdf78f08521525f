"""The demo's orientation view over HTTP: `clusterwork serve --demo` seeds
projects in every direction with milestones in every state. Demo dates are
relative to the server's today, so these counts hold whenever it runs."""

from __future__ import annotations

import pytest
from e2e_server import Server

pytestmark = pytest.mark.e2e


def test_the_demo_has_projects_in_every_direction_with_milestones_in_every_state(
    server: Server,
) -> None:
    found = server.run("cluster_projects", {"id": server.demo_cluster_id}, server.token)
    projects = found["cluster"]["projects"]
    assert {p["direction"] for p in projects} == {
        "EDUCATION",
        "EDUCATIONAL_TOOLS",
        "EDUCATION_SCIENCE",
        "EDUCATION_PRODUCTION",
        "EDUCATIONAL_MANAGEMENT",
    }
    metrics = {p["title"]: p["orientation"] for p in projects}
    # Practicum: reached on time, reached late, overdue, planned ahead; 96/120 and 30/30.
    assert metrics["Continuous pedagogical practicum"] == {
        "planned": 4,
        "reached": 2,
        "missed": 0,
        "overdue": 1,
        "onTimeRate": pytest.approx(1 / 3),
        "resultAttainment": pytest.approx((0.8 + 1) / 2),
    }
    assert metrics["Digital lesson kits for rural schools"]["missed"] == 1
    assert metrics["Quality dashboard of the cluster"]["onTimeRate"] is None
