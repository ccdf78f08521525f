"""The per-cluster eventsourcing Application: one log per cluster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.application import Application, Repository
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, Mapper
from eventsourcing.utils import strtobool

from services.personal_mapper import PersonalDataMapper
from services.ports.person_keys import PersonKeys


def project_events(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's ``project_aggregate`` without its per-event ``assert
    isinstance(event, CanMutateProtocol)``: a check against a typing Protocol,
    about 20 µs an event, more than applying the event (docs/performance.md)."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class ClusterRepository(Repository[Any]):
    """The library's repository, projecting with ``project_events`` by default."""

    def get(self, aggregate_id: Any, *, projector_func: Any = project_events, **kwargs: Any) -> Any:
        return super().get(aggregate_id, projector_func=projector_func, **kwargs)


class ClusterApplication(Application[Any]):
    """The event store of one cluster, on the recorder its partition provides.

    The partition (infra) decides where events go; this class only adds the
    library's repository, mapper and aggregate cache on top.
    """

    name = "clusterwork"
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.popo",  # factory for mapper/transcoder only
        "TRANSCODER_TOPIC": "services.transcoder:OrjsonTranscoder",
        "AGGREGATE_CACHE_MAXSIZE": "256",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(
        self,
        recorder: ApplicationRecorder,
        cluster_id: str | None = None,
        person_keys: PersonKeys | None = None,
    ) -> None:
        self._partition_recorder = recorder
        # Personal fields are sealed under keys of this cluster's members; without
        # keys (a scratch application) events are recorded as they come.
        self._cluster_id = cluster_id
        self._person_keys = person_keys
        # An explicit env keeps the process environment out of the store's set-up.
        super().__init__(env=dict(self.env))

    def construct_env(self, name: str, env: Any = None) -> Any:
        from eventsourcing.utils import Environment

        return Environment(name, dict(env or self.env))

    def construct_factory(self, env: Any) -> InfrastructureFactory:
        return InfrastructureFactory.construct(env)

    def construct_mapper(self) -> Mapper[Any]:
        """The library's mapper, sealing and opening personal fields (docs/privacy.md)."""
        return PersonalDataMapper(self.construct_transcoder(), self._person_keys, self._cluster_id)

    def construct_recorder(self) -> ApplicationRecorder:
        return self._partition_recorder

    def construct_repository(self) -> Repository[Any]:
        """As the library constructs it, but a ``ClusterRepository``."""
        maxsize = self.env.get(self.AGGREGATE_CACHE_MAXSIZE)
        return ClusterRepository(
            event_store=self.events,
            snapshot_store=self.snapshots,
            cache_maxsize=int(maxsize) if maxsize else None,
            fastforward=strtobool(self.env.get(self.AGGREGATE_CACHE_FASTFORWARD, "y")),
            fastforward_skipping=strtobool(
                self.env.get(self.AGGREGATE_CACHE_FASTFORWARD_SKIPPING, "n")
            ),
            deepcopy_from_cache=strtobool(self.env.get(self.DEEPCOPY_FROM_AGGREGATE_CACHE, "y")),
        )
