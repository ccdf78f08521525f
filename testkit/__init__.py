"""What the test suite and the benchmarks share: `clusterwork serve` in a process of
its own, and scratch PostgreSQL databases. Not part of the installed package."""
