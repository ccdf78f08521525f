"""SQLite partitions hold files open: the process raises its open-file limit to the
hard limit at start (logged), and keeps as many partitions open as that allows."""

from __future__ import annotations

import logging
import resource
from typing import Any

import pytest

from infra.bootstrap import raise_open_files_limit
from infra.settings import OPEN_CLUSTERS_MAX, Settings, sqlite_open_clusters


def test_the_default_follows_the_open_file_limit() -> None:
    assert sqlite_open_clusters(1024) == 64  # the old default, at a common soft limit
    assert sqlite_open_clusters(20_000) == OPEN_CLUSTERS_MAX
    assert sqlite_open_clusters(100) == 16  # never fewer than this
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.partitions_open == sqlite_open_clusters()
    assert Settings(_env_file=None, open_clusters=7).partitions_open == 7  # type: ignore[call-arg]
    pg = Settings(_env_file=None, database_url="postgresql://x/y")  # type: ignore[call-arg]
    assert pg.partitions_open == OPEN_CLUSTERS_MAX


def test_the_soft_limit_is_raised_to_the_hard_one_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    limits = {"now": (1024, 65_536)}
    monkeypatch.setattr(resource, "getrlimit", lambda _: limits["now"])

    def setrlimit(_: Any, value: tuple[int, int]) -> None:
        limits["now"] = value

    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    with caplog.at_level(logging.INFO, logger="infra.bootstrap"):
        assert raise_open_files_limit() == 65_536
    assert limits["now"] == (65_536, 65_536)
    assert "open-file limit raised from 1024 to 65536" in caplog.text
    assert raise_open_files_limit() == 65_536  # already there: nothing to do


def test_a_refused_raise_keeps_the_limit_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (256, 4096))

    def refuse(*_: Any) -> None:
        raise ValueError("not allowed")

    monkeypatch.setattr(resource, "setrlimit", refuse)
    with caplog.at_level(logging.WARNING, logger="infra.bootstrap"):
        assert raise_open_files_limit() == 256
    assert "stays at 256" in caplog.text
