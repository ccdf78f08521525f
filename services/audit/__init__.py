"""The auditable log: chain verification, signed checkpoints, as-of views."""
