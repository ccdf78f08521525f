"""`python -m bench.in_process` (the peer's write in process, "Immutable registry
records" in docs/performance.md) refuses what it cannot run, and its stages add up."""

from __future__ import annotations

import re

import pytest

from bench import in_process


@pytest.mark.parametrize(
    "argv", [["writes", "8", "10"], ["write", "8"], ["write", "8", "10", "profile"]]
)
def test_what_it_cannot_run_is_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit, match=r"usage: python -m bench\.in_process"):
        in_process.main(argv)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_url")  # the server is up; the tool makes its own database
def test_the_stages_of_a_write_are_timed_per_command(capsys: pytest.CaptureFixture[str]) -> None:
    in_process.main(["write", "2", "20", "stages"])
    out = capsys.readouterr().out
    assert re.search(r"^write, 2 client\(s\), 20 requests", out, re.M)
    calls = {
        label.strip(): float(n)
        for label, n in re.findall(r"^\s+(\S.*?)\s+(\d+\.\d\d) calls, CPU", out, re.M)
    }
    assert calls["the command in its thread"] == 1.0  # every command, timed once
    assert calls["after-save hooks"] == 1.0
    # A group runs its bodies, appends and projects once for all its commands.
    assert 0 < calls["bodies, with the registry's load"] <= 1.0
    assert calls["append"] == calls["bodies, with the registry's load"]
    assert 0 < calls["of it the wake-up"] <= calls["append"]
    groups = float(re.search(r"groups of (\d+\.\d) commands", out).group(1))  # type: ignore[union-attr]
    assert groups == pytest.approx(1 / calls["append"], abs=0.06)
