"""A projection batch keeps every row it adds or loads until it ends: the next
event about the row finds it in the session, without a SELECT."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlalchemy import event

from infra.partitions import scratch_read_model
from infra.readmodel.tables import SubjectRow


def test_rows_added_or_loaded_in_a_batch_are_found_again_without_sql() -> None:
    read_model = scratch_read_model()
    statements: list[str] = []
    event.listen(read_model.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    at = datetime(2026, 12, 7, tzinfo=UTC)
    with read_model.batch({}):
        session = read_model.session()
        session.add(SubjectRow(id="s1", seq=1, name="School 1", kind="SCHOOL", admitted_at=at))
        session.flush()
        gc.collect()  # nothing of ours references the row any more
        before = len(statements)
        found = session.get(SubjectRow, "s1")
        assert found is not None and found.name == "School 1"
        assert len(statements) == before  # from the identity map
    with read_model.batch({}):
        session = read_model.session()
        assert session.get(SubjectRow, "s1") is not None  # loaded: one SELECT
        gc.collect()
        before = len(statements)
        assert session.get(SubjectRow, "s1") is not None
        assert len(statements) == before
