"""The library's recorders, extended with the per-cluster hash chain."""
