"""The release fixtures (tests/fixtures/releases/) cover what they must: the latest
release's full cluster holds every event type the domain defines, except those
listed in events-since-<release>.txt (types added after it, which the next
release's fixture will hold); every stored topic still resolves to a domain event
class; and the committed exports verify offline against the committed keys."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, resolve_topic

import domain
from infra.cli import main

RELEASES = Path(__file__).resolve().parents[1] / "fixtures" / "releases"
LATEST = max(
    (path for path in RELEASES.iterdir() if path.is_dir()),
    key=lambda path: tuple(int(part) for part in path.name.split(".")),
)
SINCE = RELEASES / f"events-since-{LATEST.name}.txt"
BACKENDS = ("sqlite", "postgres")
MAX_FIXTURE_BYTES = 5_000_000


def aggregate_classes() -> list[type[Aggregate]]:
    """The domain's aggregates, without bases such as StampedAggregate that only
    other aggregates extend (they record nothing of their own)."""
    found: list[type[Aggregate]] = []
    for info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{info.name}")
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Aggregate)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return [a for a in found if not any(b is not a and issubclass(b, a) for b in found)]


def recordable_events(aggregate: type[Aggregate]) -> set[type[Aggregate.Event]]:
    """The event classes an aggregate declares, without the library's bases: every
    aggregate has an ``Event`` base, and a default ``Created`` that it never records
    when its ``__init__`` names a creation event of its own (@event("ClusterFounded"))."""
    events = {
        value
        for value in vars(aggregate).values()
        if inspect.isclass(value)
        and issubclass(value, Aggregate.Event)
        and value.__name__ != "Event"
    }
    named_creation = any(
        issubclass(e, Aggregate.Created) and e.__name__ != "Created" for e in events
    )
    return {e for e in events if not (named_creation and e.__name__ == "Created")}


def domain_event_topics() -> set[str]:
    return {get_topic(e) for agg in aggregate_classes() for e in recordable_events(agg)}


def listed_since() -> set[str]:
    """Topics in events-since-<release>.txt: one per line, # starts a comment."""
    if not SINCE.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in SINCE.read_text().splitlines())
    return {line for line in lines if line}


def export_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def stored_topics(backend: str, cluster: str) -> set[str]:
    lines = export_lines(LATEST / "exports" / f"{backend}-{cluster}.ndjson")
    return {line["topic"] for line in lines if line["kind"] == "event"}


def test_the_domain_defines_the_event_types_this_test_knows_how_to_find() -> None:
    # A sanity check of the discovery itself: a few types every release has had.
    topics = domain_event_topics()
    assert "domain.cluster:Cluster.ClusterFounded" in topics
    assert "domain.goal:Goal.GoalVoteCast" in topics
    assert "domain.scorecard:Scorecard.AssessmentRecorded" in topics
    assert not any(t.endswith((".Event", ".Created")) for t in topics)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_full_cluster_holds_every_event_type_of_the_domain(backend: str) -> None:
    missing = domain_event_topics() - stored_topics(backend, "full") - listed_since()
    assert not missing, (
        f"event types in no fixture of release {LATEST.name}: {sorted(missing)}. A new event "
        f"type goes into {SINCE.relative_to(RELEASES.parents[2])} until the next release's "
        "fixture records it (docs/operations.md, 'Upgrading and the release fixtures')."
    )


def test_the_list_of_later_event_types_names_only_uncovered_domain_events() -> None:
    covered = stored_topics("sqlite", "full") & stored_topics("postgres", "full")
    listed = listed_since()
    assert listed <= domain_event_topics(), "listed but not a domain event type"
    assert not listed & covered, "listed but already in the fixture: remove the line"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cluster", ["demo", "full"])
def test_every_stored_topic_still_resolves_to_a_domain_event(backend: str, cluster: str) -> None:
    # A topic is the module path and class name: renaming either would leave the
    # release's events unreadable, unless the library is told the old name.
    for topic in stored_topics(backend, cluster):
        resolved = resolve_topic(topic)
        assert inspect.isclass(resolved) and issubclass(resolved, Aggregate.Event), topic


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cluster", ["demo", "full"])
def test_the_committed_exports_verify_against_the_committed_keys(
    backend: str, cluster: str
) -> None:
    manifest = json.loads((LATEST / "manifest.json").read_text())[backend][cluster]
    export = LATEST / "exports" / f"{backend}-{cluster}.ndjson"
    header = export_lines(export)[0]
    assert header["application"] == f"clusterwork {LATEST.name}"
    head = header["head"]
    # In this process: verify reads nothing but its arguments (no settings, no store).
    done = CliRunner().invoke(
        main,
        [
            "audit",
            "verify",
            str(export),
            "--jwks",
            str(LATEST / "jwks.json"),
            "--require-checkpoint",
        ],
    )
    assert done.exit_code == 0, done.output
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("VERIFIED")
    assert f"positions 1..{manifest['checkpoint']} of {head}" in last


@pytest.mark.parametrize("release", sorted(p.name for p in RELEASES.iterdir() if p.is_dir()))
def test_each_release_fixture_stays_small(release: str) -> None:
    size = sum(path.stat().st_size for path in (RELEASES / release).rglob("*") if path.is_file())
    assert size < MAX_FIXTURE_BYTES, f"release {release}: {size} bytes"
