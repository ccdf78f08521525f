"""Request ids: 32 hex digits, never repeated by concurrent threads, nor by a
forked child of the process that drew them."""

from __future__ import annotations

import os
import re
import threading

from services.request import new_request_id

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_ids_drawn_by_many_threads_are_distinct_hex() -> None:
    drawn: list[list[str]] = [[] for _ in range(8)]

    def draw(into: list[str]) -> None:
        into.extend(new_request_id() for _ in range(5000))

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for into in drawn for i in into]
    assert len(set(every)) == len(every) == 40_000
    assert all(HEX32.match(i) for i in every)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then out without running pytest's exit
        os.close(read)
        os.write(write, " ".join(new_request_id() for _ in range(3)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [new_request_id() for _ in range(3)]
    assert len(child) == 3 and all(HEX32.match(i) for i in child)
    assert child[0][:16] != parent[0][:16]  # each process its own random part
    assert not set(child) & set(parent)
