"""The README documents every setting with its default, and the limits the
domain enforces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain import text
from infra.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def settings_rows() -> dict[str, str]:
    """`CLUSTERWORK_X` → the text of its table row in the README."""
    rows = re.findall(r"^\|\s*`(CLUSTERWORK_\w+)`\s*\|(.*)$", README, re.M)
    return dict(rows)


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    row = settings_rows().get(f"CLUSTERWORK_{name.upper()}")
    assert row is not None, f"README lacks CLUSTERWORK_{name.upper()}"
    default = Settings.model_fields[name].default
    shown = {None: "unset", True: "true", False: "false"}.get(default, str(default))
    if isinstance(default, Path):
        shown = f"./{default}"
    assert f"`{shown}`" in row, f"README shows another default for {name}: {row}"


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    known = {f"CLUSTERWORK_{name.upper()}" for name in Settings.model_fields}
    assert set(settings_rows()) <= known


@pytest.mark.parametrize(
    "limit", [text.NAME_MAX, text.REGION_MAX, text.STATEMENT_MAX, text.EMAIL_MAX]
)
def test_the_input_limits_are_documented(limit: int) -> None:
    assert re.search(rf"\b{limit}\b", README)
