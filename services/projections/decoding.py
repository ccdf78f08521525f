"""Turns stored events into domain events for the projector, cheaply.

The library's mapper parses each event's JSON with the stdlib decoder and a
Python ``object_hook`` called for every object; in a rebuild that parsing cost
more than projecting the event. orjson parses the same bytes to the same values
several times faster, and the transcoded values (``{"_type_": …, "_data_": …}``)
are then revived with the mapper's own transcodings, innermost first, exactly as
the hook would. Everything after parsing (originator id, upcasting, the object
itself) follows ``Mapper.to_domain_event`` step by step. A mapper with a cipher or
a compressor, or JSON orjson refuses (NaN, huge integers), goes the library's way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, find_id_convertor
from eventsourcing.utils import resolve_topic

Decoder = Callable[[StoredEvent], Any]


def decoder(mapper: Mapper[Any]) -> Decoder:
    """``mapper.to_domain_event``, or an equivalent that parses with orjson."""
    transcoder = mapper.transcoder
    if mapper.cipher or mapper.compressor or type(transcoder) is not JSONTranscoder:
        return mapper.to_domain_event
    return _FastDecoder(mapper, transcoder).to_domain_event


class _FastDecoder:
    def __init__(self, mapper: Mapper[Any], transcoder: JSONTranscoder) -> None:
        self._mapper = mapper
        self._names = transcoder.names

    def to_domain_event(self, stored: StoredEvent) -> Any:
        try:
            state = orjson.loads(stored.state)
            if type(state) is not dict or _transcoded(state):
                raise _Unusual
            self._revive_items(state)
        except (orjson.JSONDecodeError, _Unusual):
            return self._mapper.to_domain_event(stored)  # its values, or its errors
        cls = resolve_topic(stored.topic)
        originator_id = stored.originator_id
        state["originator_id"] = find_id_convertor(cls, type(originator_id))(originator_id)  # type: ignore[arg-type]
        state["originator_version"] = stored.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _revive_items(self, obj: dict[str, Any]) -> None:
        # Only nested containers need a look: a flat event costs one pass. The
        # usual one, a timestamp, is a transcoded value with plain data: revived
        # here without the general walk.
        names = self._names
        for key, value in obj.items():
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and type(value.get("_data_")) is str:
                    transcoding = names.get(value.get("_type_"))  # type: ignore[arg-type]
                    if transcoding is not None:
                        obj[key] = transcoding.decode(value["_data_"])
                        continue
                obj[key] = self._revive(value)
            elif kind is list:
                obj[key] = self._revive(value)

    def _revive(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [self._revive(item) for item in value]
        if kind is not dict:
            return value
        self._revive_items(value)  # innermost first, as the library's object_hook
        if _transcoded(value):
            transcoding = self._names.get(value["_type_"])
            if transcoding is None:
                raise _Unusual  # the library raises its own error for it
            return transcoding.decode(value["_data_"])
        return value


class _Unusual(Exception):
    """Stored state this decoder leaves to the library."""


def _transcoded(value: dict[str, Any]) -> bool:
    """What the library's object_hook treats as a transcoded value."""
    return len(value) == 2 and "_type_" in value and "_data_" in value
