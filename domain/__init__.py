"""Clusterwork's domain: aggregates, events, value objects and rules.

Pure on purpose: only the standard library and ``eventsourcing.domain`` may be
imported here (tests/domain/test_purity.py enforces it).
"""
