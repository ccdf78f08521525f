"""Benchmarks: ``python -m bench [NAME …] [--quick] [--backend sqlite|postgres|all]``.

``make bench`` runs every benchmark. ``--quick`` (or BENCH_QUICK=1) runs a
small version of each, for a smoke test.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from bench import (
    audit,
    harness,
    http_overhead,
    move,
    mutual_control,
    peer,
    projection,
    request_threads,
    scale_out,
    views,
    write_path,
)

# name → run(quick, backends); each benchmark adds itself here.
BENCHMARKS: dict[str, Callable[[bool, list[str]], None]] = {
    "mutual_control": mutual_control.run,
    "audit": audit.run,
    "write_path": write_path.run,
    "projection": projection.run,
    "views": views.run,
    "http_overhead": http_overhead.run,
    "scale_out": scale_out.run,
    "request_threads": request_threads.run,
    "peer": peer.run,
    "move": move.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1"
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    args = parser.parse_args()
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    started = time.perf_counter()
    try:
        for name in args.names or list(BENCHMARKS):
            BENCHMARKS[name](args.quick, backends)
    except harness.BenchError as error:  # what went wrong, not where in the bench
        raise SystemExit(f"bench: {error}") from None
    finally:
        harness.close_all()  # servers stopped, scratch databases dropped
    print(f"\nbench: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
