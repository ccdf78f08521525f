"""The chain rule is SHA-256 of the previous digest and the event's canonical bytes."""

from __future__ import annotations

import hashlib

from services.chain import canonical_bytes, genesis, link


def test_link_is_sha256_of_the_previous_digest_and_the_event_bytes() -> None:
    previous = genesis("cluster-a")
    event = canonical_bytes(1, "0b3c4c2e-0000-4000-8000-000000000001", 1, "t:X.Y", b"{}")
    assert event == b"1\n0b3c4c2e-0000-4000-8000-000000000001\n1\nt:X.Y\n{}"
    expected = hashlib.sha256(bytes.fromhex(previous) + event).hexdigest()
    assert link(previous, event) == expected
    assert genesis("cluster-a") != genesis("cluster-b")
