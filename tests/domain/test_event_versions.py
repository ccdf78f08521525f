"""Event versions, computed from the code: every event class the domain records
carries a ``class_version`` of its own domain's (not the library's silent default),
a class at version N has the upcasters ``upcast_v1_v2`` … ``upcast_v{N-1}_vN``, and
each upcaster turns a hand-written state of the old shape into the fields the
current class has. Version 1 writes the same stored bytes as before versions were
declared, so the hash chain over them stays valid."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import uuid
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Mapper
from eventsourcing.utils import get_topic

import domain
from domain.project import Project, ProjectLaunch, ResultSpec

# The stamp every stored event carries, as written by the first release.
STAMP: dict[str, Any] = {
    "originator_id": uuid.UUID("6f1c1d1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f"),
    "originator_version": 3,
    "timestamp": "2025-03-10T09:00:00+00:00",
    "cluster_id": "c-1",
    "actor_member_id": "m-lead",
    "actor_subject_id": "s-lead",
    "request_id": "r-1",
}

# One hand-written state per upcaster, in the shape the older version stored, and
# what the upcaster must make of it. Keyed by topic and the version it starts from.
OLD_SHAPES: dict[tuple[str, int], tuple[dict[str, Any], dict[str, Any]]] = {
    ("domain.project:Project.MilestonePlanned", 1): (
        {
            **STAMP,
            "milestone_id": "ms-1",
            "title": "Agreements signed",
            "due": "2025-04-01",
            "expected_result": "Two agreements",
        },
        {
            **STAMP,
            "milestone_id": "ms-1",
            "title": "Agreements signed",
            "due": "2025-04-01",
            "expected_result": "Two agreements",
            "description": None,
        },
    ),
}


def event_classes() -> list[type[Aggregate.Event]]:
    """Every event class nested in an aggregate of the domain package, including
    the ones ``@event("Name")`` generates and the aggregates' ``Event`` bases."""
    found: dict[str, type[Aggregate.Event]] = {}
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for aggregate in vars(module).values():
            if not (
                inspect.isclass(aggregate)
                and issubclass(aggregate, Aggregate)
                and aggregate.__module__ == module.__name__
            ):
                continue
            for value in vars(aggregate).values():
                if inspect.isclass(value) and issubclass(value, Aggregate.Event):
                    found[get_topic(value)] = value
    return [found[topic] for topic in sorted(found)]


def version_of(cls: type) -> int:
    """The version a class declares itself or inherits from a domain class; 0 when
    only the library's default would apply."""
    for klass in cls.__mro__:
        if "class_version" in vars(klass) and klass.__module__.startswith("domain."):
            return int(vars(klass)["class_version"])
    return 0


def test_the_discovery_finds_generated_and_declared_events() -> None:
    topics = {get_topic(cls) for cls in event_classes()}
    assert {
        "domain.cluster:Cluster.ClusterFounded",
        "domain.goal:Goal.GoalVoteCast",
        "domain.project:Project.MilestonePlanned",
        "domain.scorecard:Scorecard.AssessmentRecorded",
    } <= topics
    assert len(topics) >= 20


@pytest.mark.parametrize("cls", event_classes(), ids=get_topic)
def test_every_event_class_carries_a_version_and_its_upcasters(cls: type) -> None:
    version = version_of(cls)
    assert version >= 1, f"{get_topic(cls)} declares no class_version"
    assert cls.class_version == version  # type: ignore[attr-defined]
    for step in range(1, version):
        name = f"upcast_v{step}_v{step + 1}"
        assert isinstance(inspect.getattr_static(cls, name, None), staticmethod), (
            f"{get_topic(cls)} is at version {version} but has no static {name}"
        )
        assert (get_topic(cls), step) in OLD_SHAPES, (
            f"{get_topic(cls)}.{name} has no hand-written old-shape state in this test"
        )


def test_milestone_planned_is_at_version_2() -> None:
    # The one change of shape so far; a new one adds a version and a row above.
    assert Project.MilestonePlanned.class_version == 2
    assert get_topic(Project.MilestonePlanned) == "domain.project:Project.MilestonePlanned"


@pytest.mark.parametrize("key", sorted(OLD_SHAPES), ids=lambda key: f"{key[0]}@v{key[1]}")
def test_each_upcaster_turns_an_old_state_into_the_current_shape(key: tuple[str, int]) -> None:
    topic, start = key
    cls = next(c for c in event_classes() if get_topic(c) == topic)
    old, expected = OLD_SHAPES[key]
    state = dict(old)
    for step in range(start, cls.class_version):  # type: ignore[attr-defined]
        getattr(cls, f"upcast_v{step}_v{step + 1}")(state)
    assert state == expected
    assert set(state) == {f.name for f in dataclasses.fields(cls)}


def test_a_version_1_event_is_stored_without_a_version_key() -> None:
    """The library writes ``class_version`` only above 1: declaring version 1 leaves
    the stored bytes (and the hash chain over them) of the first release as they were."""
    transcoder = JSONTranscoder()
    Application.register_transcodings(None, transcoder)  # type: ignore[arg-type]
    mapper = Mapper(transcoder=transcoder)
    launch = ProjectLaunch(
        "Practicum",
        "EDUCATION",
        "SCIENTIFIC_RESEARCH",
        partner_ids=["partner-subject"],
        expected_results=[ResultSpec("Teachers trained", 10, "people")],
    )
    project = Project.launch(uuid.uuid4(), launch, lead_id="lead-subject", result_ids=["r0"])
    launched = project.collect_events()[0]
    assert type(launched).class_version == 1  # type: ignore[attr-defined]
    stored = mapper.to_stored_event(launched)
    assert stored.topic == "domain.project:Project.ProjectLaunched"
    assert "class_version" not in transcoder.decode(stored.state)
