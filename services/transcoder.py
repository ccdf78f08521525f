"""The stored events' JSON transcoder: the library's, parsing with orjson.

The library's ``JSONTranscoder`` parses with the stdlib decoder and a Python
``object_hook`` called for every object; in a rebuild that parsing cost more
than projecting the event. orjson parses the same bytes to the same values
several times faster, and the transcoded values (``{"_type_": …, "_data_": …}``)
are then revived with the transcoder's own registered transcodings, innermost
first, exactly as the hook would. JSON orjson refuses (NaN, infinities), an
integer orjson would read as a float (beyond 64 bits), or a transcoded value of
an unknown type goes the library's way, with its values or its errors. Encoding is the library's, unchanged, so stored bytes are too.

It is the library's documented extension point: the application names it in its
``TRANSCODER_TOPIC`` setting (services/application.py), and the library's mapper
uses it for every event it loads, projects or describes.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder

# orjson reads an integer beyond 64 bits as a float, never raising; any float
# this large may be one, so it is left to the library's exact decoder.
_EXACT_BELOW = float(2**63)


class OrjsonTranscoder(JSONTranscoder):
    def decode(self, data: bytes) -> Any:
        try:
            value = orjson.loads(data)
            if type(value) is dict:
                if _transcoded(value):
                    return self._revive(value)
                self._revive_items(value)
                return value
            return self._revive(value)
        except (orjson.JSONDecodeError, _Unusual):
            return super().decode(data)

    def _revive_items(self, obj: dict[str, Any]) -> None:
        # Only nested containers need a look: a flat event costs one pass. The
        # usual one, a timestamp, is a transcoded value with plain data: revived
        # here without the general walk.
        names = self.names
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
            elif kind is float and not -_EXACT_BELOW < value < _EXACT_BELOW:
                raise _Unusual

    def _revive(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [self._revive(item) for item in value]
        if kind is not dict:
            if kind is float and not -_EXACT_BELOW < value < _EXACT_BELOW:
                raise _Unusual
            return value
        self._revive_items(value)  # innermost first, as the library's object_hook
        if _transcoded(value):
            transcoding = self.names.get(value["_type_"])
            if transcoding is None:
                raise _Unusual  # the library raises its own error for it
            return transcoding.decode(value["_data_"])
        return value


class _Unusual(Exception):
    """Stored state this transcoder leaves to the library's decoder."""


def _transcoded(value: dict[str, Any]) -> bool:
    """What the library's object_hook treats as a transcoded value."""
    return len(value) == 2 and "_type_" in value and "_data_" in value
