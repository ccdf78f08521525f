"""FastAPI's own OpenTelemetry reports requests only when the operator turns it on
(CLUSTERWORK_TELEMETRY): off, a configured tracer provider gets no span, and
FastAPI does not ask for one on every request."""

from __future__ import annotations

from typing import Any

import pytest
from hardening_world import VIEWER, app_client
from opentelemetry import trace

from infra.bootstrap import Container


class RecordingTracer(trace.NoOpTracer):
    def __init__(self, spans: list[str]) -> None:
        self.spans = spans

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.spans.append(name)
        return super().start_span(name, *args, **kwargs)


class RecordingProvider(trace.TracerProvider):
    """A configured provider, as an operator's OpenTelemetry SDK would install."""

    def __init__(self) -> None:
        self.spans: list[str] = []
        self.asked = 0

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return RecordingTracer(self.spans)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> RecordingProvider:
    installed = RecordingProvider()

    def get_tracer_provider() -> trace.TracerProvider:
        installed.asked += 1
        return installed

    monkeypatch.setattr(trace, "get_tracer_provider", get_tracer_provider)
    return installed


def test_off_by_default_no_span_and_no_question(
    shared_container: Container, provider: RecordingProvider
) -> None:
    client = app_client(shared_container)
    assert client.post("/graphql", json=VIEWER).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert provider.spans == [] and provider.asked == 0


def test_on_every_request_is_a_span(
    shared_container: Container, provider: RecordingProvider
) -> None:
    client = app_client(shared_container, telemetry=True)
    assert client.post("/graphql", json=VIEWER).status_code == 200
    assert client.get("/healthz").status_code == 200
    # A server span for each request (FastAPI adds its own spans inside a route's).
    assert provider.spans[0] == "POST" and "GET" in provider.spans[1:]
