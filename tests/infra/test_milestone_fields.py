"""A planned milestone travels from the event to the DTO by field name
(infra/readmodel/projects.py): the view writes each fact of the event into the
column of that name and the reader fills each DTO field from the column of that
name. A field added to the event or the DTO without its column would be dropped
or fail the read; this is where it fails first, naming the field."""

from __future__ import annotations

from dataclasses import fields

from domain.base import STAMP_FIELDS
from domain.project import Project
from infra.readmodel.project_tables import MilestoneRow
from services.orientation import MilestoneInfo

COLUMNS = set(MilestoneRow.model_fields)


def test_every_fact_of_a_planned_milestone_has_its_column() -> None:
    facts = {f.name for f in fields(Project.MilestonePlanned)} - STAMP_FIELDS
    # The milestone's id is the row's key, ``id``.
    assert facts - {"milestone_id"} - COLUMNS == set()
    assert "id" in COLUMNS and "milestone_id" in facts


def test_every_field_of_a_milestone_dto_reads_from_its_column() -> None:
    assert {f.name for f in fields(MilestoneInfo)} - COLUMNS == set()
