"""The services GraphQL resolvers reach, as one list (``Services``): a module of
its own, without strawberry, so that the composition root (infra/bootstrap.py), and
with it every `clusterwork` command that is not `serve`, loads no GraphQL or web
framework (they were about half of a command's start)."""

from __future__ import annotations

from dataclasses import dataclass

from services.audit.service import AuditService
from services.erasure import ErasureService
from services.goals import GoalService
from services.identity import IdentityService
from services.mutual_control import MutualControlService
from services.personal_data import PersonalDataService
from services.ports.log import LiveEvents
from services.projects import ProjectService
from services.queries import ClusterQueries
from services.registry import RegistryService


@dataclass
class Services:
    """What resolvers may call; built once by the composition root."""

    registry: RegistryService
    queries: ClusterQueries
    audit: AuditService
    projects: ProjectService
    goals: GoalService
    mutual_control: MutualControlService
    live: LiveEvents
    identity: IdentityService
    privacy: ErasureService
    personal_data: PersonalDataService
