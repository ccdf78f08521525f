"""Batched: announced keys are read together, at the first ask, and only then."""

from __future__ import annotations

from services.batches import Batched


class Source:
    """Rows by key, recording every read."""

    def __init__(self, rows: dict[str, str]) -> None:
        self.rows = rows
        self.reads: list[object] = []

    def one(self, key: str) -> str | None:
        self.reads.append(key)
        return self.rows.get(key)

    def many(self, keys: set[str]) -> dict[str, str | None]:
        self.reads.append(frozenset(keys))
        return {k: v for k, v in self.rows.items() if k in keys}


def test_announcing_reads_nothing_and_the_first_ask_reads_every_announced_key() -> None:
    source = Source({"a": "A", "b": "B", "c": "C"})
    batched: Batched[str, str | None] = Batched(source.one, source.many, None)
    for key in ("a", "b", "x"):
        batched.announce(key)
    assert source.reads == []
    assert [batched.get(k) for k in ("b", "a", "x", "b")] == ["B", "A", None, "B"]
    assert source.reads == [frozenset({"a", "b", "x"})]


def test_a_lone_key_is_read_alone_and_a_known_one_not_again() -> None:
    source = Source({"a": "A", "b": "B"})
    batched: Batched[str, str | None] = Batched(source.one, source.many, None)
    batched.prime({"b": "B"})
    batched.announce("b")  # already known: nothing to read
    assert (batched.get("a"), batched.get("b"), batched.get("a")) == ("A", "B", "A")
    assert source.reads == ["a"]
