"""The only modules that use libraries' private names, one per library, each
pinned to the version it was written against (tests/infra/test_eventsourcing_compat_upgrade.py)."""
