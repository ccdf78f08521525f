"""Writes the schema built from the code to graphql/schema.graphql.

Usage: ``python -m graphql_api.export [PATH]`` (``make schema``). A test fails
when the committed file drifts from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

from graphql_api.schema import schema_sdl

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    path.write_text(schema_sdl())
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv)
