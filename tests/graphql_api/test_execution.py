"""The direct ways through plain leaf fields and self-only resolver methods
(graphql_api/compat) answer and fail exactly as graphql-core's own way."""

from __future__ import annotations

from enum import Enum
from typing import Any, NewType

import strawberry
from strawberry.schema.config import StrawberryConfig

from graphql_api.compat.strawberry import ViewExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


# A scalar whose coercion gives nothing for a negative number (a null item).
Natural = NewType("Natural", int)
NATURAL = strawberry.scalar(
    name="Natural", serialize=lambda n: n if n >= 0 else None, parse_value=int
)


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int
    # Lists of leaves: each item coerced, a null item or an uncoercible one the usual error.
    tags: list[str] = strawberry.field(default_factory=lambda: ["t"])
    colours: list[Colour] = strawberry.field(default_factory=lambda: [Colour.RED, Colour.BLUE])
    maybe: list[int] | None = None
    naturals: list[Natural] = strawberry.field(default_factory=lambda: [Natural(0), Natural(1)])
    shade: Colour | None = Colour.BLUE  # a single enum: its member, its value, null, neither

    @strawberry.field
    def twice(self) -> int:
        return self.count * 2

    @strawberry.field
    def broken(self) -> int:
        raise ValueError("broken on purpose")

    @strawberry.field
    def child(self) -> Item | None:
        return (
            Item(name=self.name + "'", note=None, count=self.count + 1) if self.count < 2 else None
        )

    @strawberry.field
    def sibling(self) -> Item:  # non-null: a None here is an error at this field
        return None if self.count > 1 else Item(name="s", note=None, count=5)  # type: ignore[return-value]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(name="a", note="n", count=1), Item(name=None, note=None, count=2)]  # type: ignore[arg-type]

    @strawberry.field
    def odd(self) -> list[Item]:
        """Values a plain leaf passes unchanged only when the coercion would: an
        Int beyond 32 bits, a bool for a String, an int for a String."""
        return [
            Item(name="x", note=None, count=2**40),
            Item(name=True, note=7, count=True),  # type: ignore[arg-type]
            Item(name="y", note=None, count=-(2**31)),
        ]

    @strawberry.field
    def lists(self) -> list[Item]:
        """Lists of leaves, plain and not: empty, a tuple, a null item, an item
        that does not coerce, a nullable list that is null or not."""
        return [
            Item(name="a", note=None, count=1, tags=[], colours=(Colour.BLUE,), maybe=[1, 2]),  # type: ignore[arg-type]
            Item(name="b", note=None, count=2, tags=["x", None], maybe=None),  # type: ignore[list-item]
            Item(name="c", note=None, count=3, colours=["green"], maybe=[2**40]),  # type: ignore[list-item]
            Item(name="d", note=None, count=4, tags=[5], colours=[Colour.RED, "red"]),  # type: ignore[list-item]
            Item(name="e", note=None, count=5, naturals=[Natural(3), Natural(-1)]),
            Item(name="f", note=None, count=6, shade="red"),  # type: ignore[arg-type]
            Item(name="g", note=None, count=7, shade=None),
        ]

    @strawberry.field
    def shades(self) -> list[Item]:
        return [Item(name="h", note=None, count=8, shade="green")]  # type: ignore[arg-type]


def run(query: str, direct: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"execution_context_class": ViewExecutionContext} if direct else {}
    config = StrawberryConfig(scalar_map={Natural: NATURAL})
    result = strawberry.Schema(query=Query, config=config, **kwargs).execute_sync(query)
    return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}


def test_answers_and_errors_are_those_of_graphql_core() -> None:
    for query in (
        "{ items { note count twice child { name twice child { name } } } }",
        "{ items { name } }",  # a null where the type forbids it
        "{ items { count broken } }",  # a resolver that raises
        "{ items { sibling { name } } }",  # a non-null object method that returns null
        "{ items { child { count broken } } }",  # an error inside an object a method returned
        "{ items { sibling { count } child { sibling { note } } } }",
        "{ items { a: count b: count ...F c: child { ...F } } } fragment F on Item { twice note }",
        "{ first: items { count } second: items { count twice } }",
        "{ items { __typename count child { __typename } } }",
        "{ odd { count } }",  # an Int beyond 32 bits: the usual error
        "{ odd { name note } }",
        "{ items { tags colours maybe } }",
        "{ lists { name tags } }",  # a null item of a non-null list of leaves
        "{ lists { name colours } }",  # an enum item that does not coerce
        "{ lists { name maybe } }",  # a nullable list, null, and an Int beyond 32 bits
        "{ lists { count } }",
        "{ lists { name naturals } }",  # an item whose coercion gives null
        "{ lists { name shade } }",  # an enum's member, its value as a str, null
        "{ shades { shade } }",  # a value that is none of the enum's
    ):
        assert run(query, direct=True) == run(query, direct=False), query


def test_a_null_in_a_non_null_leaf_is_the_usual_error() -> None:
    found = run("{ items { name } }", direct=True)
    assert found["data"] is None
    assert "Cannot return null for non-nullable field Item.name" in found["errors"][0]["message"]
    assert found["errors"][0]["path"] == ["items", 1, "name"]


def test_each_item_of_a_list_gets_its_own_answer() -> None:
    # The selection's plan is shared by every item; the values are not.
    found = run("{ items { count twice child { count } } }", direct=True)
    assert found["data"] == {
        "items": [
            {"count": 1, "twice": 2, "child": {"count": 2}},
            {"count": 2, "twice": 4, "child": None},
        ]
    }


def test_a_list_of_leaves_is_coerced_item_by_item() -> None:
    found = run("{ items { tags colours maybe } }", direct=True)
    assert found == {
        "data": {
            "items": [
                {"tags": ["t"], "colours": ["RED", "BLUE"], "maybe": None},
                {"tags": ["t"], "colours": ["RED", "BLUE"], "maybe": None},
            ]
        },
        "errors": [],
    }
    shades = run("{ lists { shade } }", direct=True)["data"]["lists"]
    assert [item["shade"] for item in shades] == ["BLUE"] * 5 + ["RED", None]
    refused = run("{ lists { name tags } }", direct=True)
    assert refused["data"] is None  # Item.tags of the second item holds a null
    assert refused["errors"][0]["path"] == ["lists", 1, "tags", 1]
