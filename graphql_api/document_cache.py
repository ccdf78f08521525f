"""Parsed and validated documents, remembered by their text.

Clients send the same few operations (graphql/operations) again and again;
parsing and validating one costs more than answering a small view. A document
that passed every rule once (graphql-core's, the depth, alias and token limits,
introspection when it is off) passes them again: those rules read the document
and the schema only. So a request whose text is known skips the parse and that
validation and is checked against what depends on the request: the cost limit,
which reads the variables (a page size), runs on every request.

Only documents without any error are remembered (an error is the caller's to
see, and strawberry codes it in place), at most ``maxsize`` of them, the least
recently used leaving first: unique texts cannot grow memory without bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql import DocumentNode
from graphql_api.cost import cost_errors

DEFAULT_MAXSIZE = 256


class DocumentCache:
    """Valid documents by query text; one per schema, shared by its requests."""

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: str) -> DocumentNode | None:
        with self._lock:
            found = self._documents.get(query)
            if found is not None:
                self._documents.move_to_end(query)
            return found

    def put(self, query: str, document: DocumentNode) -> None:
        with self._lock:
            self._documents[query] = document
            self._documents.move_to_end(query)
            while len(self._documents) > self.maxsize:
                self._documents.popitem(last=False)

    def __len__(self) -> int:
        return len(self._documents)


class CachedDocuments(SchemaExtension):
    """Serves a known text's document and skips its validation, but for the cost
    limit; remembers a text whose document passed the whole validation."""

    def __init__(self, cache: DocumentCache, max_cost: int) -> None:
        self.cache, self.max_cost = cache, max_cost
        self.known = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            document = self.cache.get(context.query)
            if document is not None:
                context.graphql_document, self.known = document, True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if self.known and document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = cost_errors(
                context.schema._schema, document, context.variables or {}, self.max_cost
            )
            yield
            return
        yield
        # The whole validation ran (cost included): remember only a clean document.
        if context.query and document is not None and context.pre_execution_errors == []:
            self.cache.put(context.query, document)
