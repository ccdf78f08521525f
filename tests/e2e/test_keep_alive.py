"""An idle keep-alive connection outlives the clients' own idle timeouts
(httpx keeps one 5 s), so a client never sends its next request on a socket the
server is closing at that moment: that race answered "server disconnected"."""

from __future__ import annotations

import socket
import time

import pytest
from e2e_server import Server

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 6.0  # longer than httpx's 5 s and uvicorn's own default of 5 s


def ask(connection: socket.socket, host: str) -> bytes:
    request = (f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n").encode()
    connection.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer or not complete(answer):
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def complete(answer: bytes) -> bool:
    """The whole answer is here: headers, and as many body bytes as they announce."""
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def test_an_idle_connection_still_answers_after_the_clients_own_timeout(server: Server) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        assert ask(connection, host).startswith(b"HTTP/1.1 200")
        time.sleep(IDLE_SECONDS)
        assert ask(connection, host).startswith(b"HTTP/1.1 200")
