"""A person's own export: everything Clusterwork holds about one person, as JSON.

What it gathers, for one person id:
- the directory entry (name, e-mail) and the sign-in identities (issuer, subject);
- each membership: the cluster, the member id, and the member as the cluster's
  read model holds it (name, e-mail, subject, roles);
- in each of those clusters, every event the member acted in (the stamp's
  ``actor_member_id``) or that is about the member (an event whose ``member_id``
  is theirs: MemberAdded, RoleGranted, RoleRevoked, …).

An event the person acted in about another member (a coordinator adding a
colleague) is theirs, but the colleague's name and e-mail are not: the export
names the colleague by member id only (``OTHERS_PERSONAL``), so one person's
export never hands out another's personal data.

Events are decoded as every other reader decodes them (``services.event_data``,
through the cluster's mapper), so a field the store keeps encrypted arrives here
as its plaintext, exactly as the person's own views show it.

The logs are read in batches of ``READ_BATCH`` events, so memory stays bounded
however long a log is; the time grows with the length of the logs of the
person's clusters. At most ``EVENTS_MAX`` events go into one export: past that
the export says ``"complete": false`` and, per cluster, up to which position it
read, and an operator exports the rest with a higher ``--max-events``.

Only the person asked for is read: memberships come from the directory rows of
that person, and events only from their own clusters, matched by their own
member id. Nothing of the export is logged.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from domain.errors import InvalidInput, NotFound
from services.dto import EventInfo, MembershipInfo
from services.event_data import describe_once
from services.ports.clock import Clock
from services.ports.log import iter_batches
from services.ports.personal import PersonRecords
from services.ports.storage import Partition, Partitions
from services.principal import Principal
from services.projections.sync import LeasedProjection

log = logging.getLogger(__name__)

FORMAT = "clusterwork-personal-data/1"
# Events in one export, across all of the person's clusters: enough for years of
# a member's activity, small enough that one answer stays a few megabytes.
EVENTS_MAX = 10_000
# The operator's command may raise the cap this far, no further: one answer is
# built in memory before it is written.
EVENTS_MAX_OPERATOR = 1_000_000
READ_BATCH = 500
# The fields of an event about a member that are that member's personal data.
OTHERS_PERSONAL = ("name", "email")


class PersonalDataService:
    def __init__(
        self,
        records: PersonRecords,
        partitions: Partitions,
        sync: LeasedProjection,
        clock: Clock,
    ) -> None:
        self.records = records
        self.partitions = partitions
        self.sync = sync
        self.clock = clock

    def of_caller(self, principal: Principal) -> dict[str, Any]:
        """The signed-in person's own data; never anyone else's. A caller the
        directory does not know yet gets an export with nothing in it."""
        return self._export(principal.person_id, EVENTS_MAX)

    def of_person(self, person_id: str, events_max: int = EVENTS_MAX) -> dict[str, Any]:
        """Any person's data, for the platform operator's command line.
        BAD_USER_INPUT for a blank id, NOT_FOUND when nothing is held."""
        if not 1 <= events_max <= EVENTS_MAX_OPERATOR:
            raise InvalidInput(
                f"the event cap must be between 1 and {EVENTS_MAX_OPERATOR}", field="maxEvents"
            )
        key = person_id.strip()
        if not key:
            raise InvalidInput("a person id is required", field="person")
        if (
            self.records.person(key) is None
            and not self.records.identities(key)
            and not self.records.memberships(key)
        ):
            raise NotFound(f"no person {key}")
        return self._export(key, events_max)

    def _export(self, person_id: str, events_max: int) -> dict[str, Any]:
        known = self.records.person(person_id)
        name, email = known if known else (None, None)
        left = events_max
        clusters = []
        for membership in self.records.memberships(person_id):
            cluster, found = self._cluster(membership, left)
            left -= found
            clusters.append(cluster)
        return {
            "format": FORMAT,
            "exportedAt": self.clock.now().isoformat(),
            "person": {"id": person_id, "name": name, "email": email},
            "identities": [
                {"issuer": issuer, "subject": subject}
                for issuer, subject in self.records.identities(person_id)
            ],
            "memberships": clusters,
            "eventsMax": events_max,
            "complete": all(c["eventsComplete"] for c in clusters),
        }

    def _cluster(self, membership: MembershipInfo, left: int) -> tuple[dict[str, Any], int]:
        """One membership with its events (at most ``left`` of them)."""
        partition = self.partitions.open(membership.cluster_id)
        self._settle(partition)
        reader = partition.read_model.registry_reader
        info = reader.cluster()
        member = reader.member(membership.member_id)
        events, read_up_to, complete = self._events(partition, membership.member_id, left)
        cluster = {
            "clusterId": membership.cluster_id,
            "clusterName": info.name if info else None,
            "memberId": membership.member_id,
            # None once the member has been removed from the cluster's registry;
            # the events they acted in stay facts of the cluster.
            "member": None
            if member is None
            else {
                "name": member.name,
                "email": member.email,
                "subjectId": member.subject_id,
                "roles": sorted(member.roles),
            },
            "events": events,
            "eventsComplete": complete,
            "readUpTo": read_up_to,
        }
        return cluster, len(events)

    def _events(
        self, partition: Partition, member_id: str, left: int
    ) -> tuple[list[dict[str, Any]], int, bool]:
        """The member's events, oldest first; the last position read; whether
        every event up to the head was read."""
        head = partition.log.head()
        mapper = partition.app.mapper
        # An event that names the member holds their id in its stored JSON (ids
        # are never encrypted), as text or, for a UUID value, as its hex: an event
        # holding neither is skipped undecoded, which makes the scan several times
        # faster. Were the whole state compressed or encrypted, every event is decoded.
        needles = (member_id.encode(), _hex(member_id))
        sift = mapper.compressor is None and mapper.cipher is None
        found: list[dict[str, Any]] = []
        read_up_to = 0
        for batch in iter_batches(partition.log, 0, READ_BATCH, head):
            for entry in batch:
                state = entry.stored_event.state
                if sift and not any(n in state for n in needles if n):
                    read_up_to = entry.position
                    continue
                info = describe_once(entry, mapper)
                acted = info.actor_member_id == member_id
                about = info.data.get("member_id") == member_id
                if acted or about:
                    if len(found) == left:
                        return found, read_up_to, False
                    found.append(_event(info, acted, about, member_id))
                read_up_to = entry.position
        return found, head, True

    def _settle(self, partition: Partition) -> None:
        """Roles as the log has them now. A stuck projection must not stop the
        export: the member's row is then as the read model last saw it, and
        the events come from the log regardless."""
        try:
            self.sync.settle(partition)
        except Exception:
            log.exception("projection of cluster %s is stuck", partition.cluster_id)


def _hex(member_id: str) -> bytes:
    try:
        return uuid.UUID(member_id).hex.encode()
    except ValueError:
        return b""


def _event(info: EventInfo, acted: bool, about: bool, member_id: str) -> dict[str, Any]:
    data = info.data
    other = data.get("member_id")
    if other is not None and other != member_id:
        data = {k: v for k, v in data.items() if k not in OTHERS_PERSONAL}
    return {
        "position": info.position,
        "type": info.type,
        "occurredAt": info.occurred_at.isoformat(),
        "aggregateId": info.aggregate_id,
        "version": info.version,
        "actedBy": acted,
        "about": about,
        "data": data,
    }
