"""The fast tier: service tests on in-memory fakes of the ports (fakes.py), no
file and no database. ``make test-fast`` runs this folder and tests/domain.

The world is the population of tests/services/conftest.py (two subjects, a
member of each, an auditor, the founding coordinator), built by the same
commands in a few milliseconds.
"""

from __future__ import annotations

import pytest
from fast_world import FastWorld, populated_world


@pytest.fixture
def world() -> FastWorld:
    return populated_world()
