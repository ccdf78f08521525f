"""`python -m bench.ab` refuses what is not a checkout and reads a demo server's
banner (the tool behind "The floor, second round" in docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import ab


def test_a_directory_without_the_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="is not a Clusterwork checkout"):
        ab.main([str(tmp_path), str(tmp_path)])


def test_an_unknown_case_is_refused() -> None:
    with pytest.raises(SystemExit, match="usage"):
        ab.main([".", ".", "writes"])


def test_the_banner_gives_the_token_and_the_cluster_once_both_are_printed(tmp_path: Path) -> None:
    out = tmp_path / "serve.out"
    out.write_text("Demo cluster: c-1\nGraphiQL: http://x/graphql\nCoordinator token (24 h):\n")
    assert ab.printed(out) is None  # the token's line is not there yet
    out.write_text(out.read_text() + "tok.en.sig\n")
    assert ab.printed(out) == ("tok.en.sig", "c-1")
    assert ab.printed(tmp_path / "missing.out") is None


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_AB_BACKEND", "mysql")
    with pytest.raises(SystemExit, match="sqlite or postgres, not 'mysql'"):
        ab.main([".", ".", "floor"])
