"""The orjson transcoder decodes every stored state to exactly what the
library's own JSONTranscoder decodes it to, or fails as the library does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from services.application import ClusterApplication
from services.transcoder import OrjsonTranscoder


def both() -> tuple[JSONTranscoder, JSONTranscoder]:
    ours, library = OrjsonTranscoder(), JSONTranscoder()
    for transcoder in (ours, library):
        Application.register_transcodings(None, transcoder)  # type: ignore[arg-type]
    return ours, library


WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
VALUES: list[Any] = [
    {"name": "Школа №1", "timestamp": WHEN, "id": uuid.uuid4()},
    {"nested": {"when": WHEN, "deeper": [{"id": uuid.uuid4()}, Decimal("1.50")]}},
    {"list": [WHEN, [WHEN, {"x": None}], 1, 2.5, True], "empty": {}, "none": None},
    {"_type_": "not-transcoded", "_data_": "x", "third": 1},  # three keys: plain data
    {"_data_": "only data", "other": 1},
    [1, {"when": WHEN}],
    WHEN,
    "text",
    2**70,  # orjson reads integers beyond 64 bits as floats: the library's way
    {"big": 2**64, "small": -(2**63) - 1, "edge": [2**64 - 1, -(2**63)]},
    {"float": 1.5e300, "tiny": -2.5e-300, "whole": 3.0},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_decodes_what_the_library_decodes(value: Any) -> None:
    ours, library = both()
    data = library.encode(value)
    assert ours.encode(value) == data  # encoding is the library's
    decoded = ours.decode(data)
    assert decoded == library.decode(data)
    assert type(decoded) is type(library.decode(data))


def test_json_orjson_refuses_goes_the_librarys_way() -> None:
    ours, library = both()
    data = (
        b'{"score": NaN, "when": {"_type_": "datetime_iso", "_data_": "2026-03-01T12:30:00+00:00"}}'
    )
    decoded = ours.decode(data)
    assert decoded["when"] == WHEN == library.decode(data)["when"]
    assert decoded["score"] != decoded["score"]  # NaN, as the stdlib decoder reads it


def test_an_unknown_transcoding_fails_as_in_the_library() -> None:
    ours, _ = both()
    with pytest.raises(TranscodingNotRegisteredError):
        ours.decode(b'{"x": {"_type_": "no_such_type", "_data_": "1"}}')


def test_the_application_uses_it() -> None:
    class Recorder:  # the app only keeps it
        pass

    app = ClusterApplication(Recorder())  # type: ignore[arg-type]
    assert type(app.mapper.transcoder) is OrjsonTranscoder
    assert "datetime_iso" in app.mapper.transcoder.names  # type: ignore[attr-defined]
