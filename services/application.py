"""The per-cluster eventsourcing Application: one log per cluster."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory


class ClusterApplication(Application[Any]):
    """The event store of one cluster, on the recorder its partition provides.

    The partition (infra) decides where events go; this class only adds the
    library's repository, mapper and aggregate cache on top.
    """

    name = "clusterwork"
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.popo",  # factory for mapper/transcoder only
        "AGGREGATE_CACHE_MAXSIZE": "256",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._partition_recorder = recorder
        # An explicit env keeps the process environment out of the store's set-up.
        super().__init__(env=dict(self.env))

    def construct_env(self, name: str, env: Any = None) -> Any:
        from eventsourcing.utils import Environment

        return Environment(name, dict(env or self.env))

    def construct_factory(self, env: Any) -> InfrastructureFactory:
        return InfrastructureFactory.construct(env)

    def construct_recorder(self) -> ApplicationRecorder:
        return self._partition_recorder
