"""The outside world and the composition root (infra/bootstrap.py)."""
