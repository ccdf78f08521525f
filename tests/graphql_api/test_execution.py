"""The direct ways through plain leaf fields and self-only resolver methods
(graphql_api/compat) answer and fail exactly as graphql-core's own way."""

from __future__ import annotations

from typing import Any

import strawberry

from graphql_api.compat.strawberry import ViewExecutionContext


@strawberry.type
class Item:
    name: str
    note: str | None
    count: int

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


def run(query: str, direct: bool) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"execution_context_class": ViewExecutionContext} if direct else {}
    result = strawberry.Schema(query=Query, **kwargs).execute_sync(query)
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
