"""Keeps docs/performance.md: each benchmark owns one marked section."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def replace_section(name: str, title: str, body: str) -> None:
    """Writes (or rewrites) the section between this benchmark's markers."""
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"{begin}\n## {title}\n\nMeasured {stamp} on {machine()}.\n\n{body}\n{end}"
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
