"""The chain rule's SHA-256 is the standard one, whichever implementation runs."""

from __future__ import annotations

import hashlib
import os

from services.chain import canonical_bytes, genesis, link, sha256


def test_the_fast_sha256_gives_hashlibs_digest() -> None:
    for size in (0, 1, 55, 56, 63, 64, 65, 1000, 100_000):
        data = os.urandom(size)
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_link_is_sha256_of_the_previous_digest_and_the_event_bytes() -> None:
    previous = genesis("cluster-a")
    event = canonical_bytes(1, "0b3c4c2e-0000-4000-8000-000000000001", 1, "t:X.Y", b"{}")
    assert event == b"1\n0b3c4c2e-0000-4000-8000-000000000001\n1\nt:X.Y\n{}"
    expected = hashlib.sha256(bytes.fromhex(previous) + event).hexdigest()
    assert link(previous, event) == expected
    assert genesis("cluster-a") != genesis("cluster-b")
