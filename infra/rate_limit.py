"""Rate limiting: one token bucket per workspace token, or per client IP for
requests without a valid token.

In-process buckets: the limits hold per API process (N replicas behind a load
balancer allow up to N times as much). A refused request is answered at once
(429 with a coded body, or close code 4429 for a WebSocket) and never waits,
so one noisy token never slows anyone else down.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import Unauthenticated
from infra.limits import accept_of, coded_response
from infra.tokens import VERIFIED_TOKEN, TokenService

# Buckets kept at once; the least recently used go first. A bucket that is
# forgotten comes back full, which only ever errs on the generous side.
MAX_BUCKETS = 100_000
# Liveness probes must never be refused.
EXEMPT_PATHS = frozenset({"/healthz"})
WS_RATE_LIMITED = 4429


class TokenBuckets:
    """Thread-safe buckets of ``burst`` requests refilled at ``rate`` per second."""

    def __init__(
        self,
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = MAX_BUCKETS,
    ) -> None:
        self.rate, self.burst, self.clock, self.max_buckets = rate, burst, clock, max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when a request may go ahead (and takes a token), else the seconds
        until the bucket holds one again."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
            return wait


def caller_key(scope: Scope, tokens: TokenService) -> str:
    """``token:<digest>`` for a valid bearer token, else ``ip:<address>``. An
    invalid token counts against its IP: forged tokens cannot mint buckets."""
    header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        try:
            principal = tokens.verify(token.strip())
        except Unauthenticated:
            pass
        else:
            scope.setdefault("state", {})[VERIFIED_TOKEN] = (token.strip(), principal)
            return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


class RateLimitMiddleware:
    """Refuses a caller whose bucket is empty, before anything else is done."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None, tokens: TokenService) -> None:
        self.app, self.buckets, self.tokens = app, buckets, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.buckets is None
            or scope["type"] not in ("http", "websocket")
            or scope.get("path") in EXEMPT_PATHS
        ):
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(caller_key(scope, self.tokens))
        if wait == 0:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            # Closing before accepting refuses the handshake (HTTP 403 to the client);
            # servers that support it pass the close code on.
            await send({"type": "websocket.close", "code": WS_RATE_LIMITED})
        else:
            retry = max(1, math.ceil(wait))
            message = (
                f"rate limit exceeded: at most {self.buckets.rate:g} requests/s; retry in {retry} s"
            )
            accept = accept_of(dict(scope.get("headers") or []))
            response = coded_response(429, "RATE_LIMITED", message, accept=accept, retryAfter=retry)
            response.headers["Retry-After"] = str(retry)
            await response(scope, receive, send)
