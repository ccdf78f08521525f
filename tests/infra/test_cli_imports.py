"""The composition root loads no GraphQL or web framework: every `clusterwork`
command but `serve` starts without them (they were about half of a command's
start, 0.5 s here), and a service reached from bootstrap() cannot come to depend
on them unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

FRAMEWORKS = ("strawberry", "fastapi", "starlette", "uvicorn", "graphql")


def loaded_frameworks(module: str) -> list[str]:
    """The frameworks among the top-level packages a fresh interpreter has
    loaded after importing ``module``."""
    probe = (
        f"import json, sys, {module}; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(FRAMEWORKS)!r})))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)  # type: ignore[no-any-return]


def test_the_composition_root_and_the_cli_load_no_graphql_or_web_framework() -> None:
    assert loaded_frameworks("infra.bootstrap") == []
    assert loaded_frameworks("infra.cli") == []


def test_the_probe_sees_a_framework_where_one_is_loaded() -> None:
    assert loaded_frameworks("graphql_api.context") == [
        "fastapi",
        "graphql",
        "starlette",
        "strawberry",
    ]
