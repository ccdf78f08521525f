"""Parses and validates each distinct operation text once per schema.

Clients send the same few documents over and over (graphql/operations); parsing
and validating one cost about a quarter of a mutation's CPU (docs/performance.md).
A document that parsed is kept (bounded LRU, keyed by its text); one that passed
every document-only rule is remembered as valid, and later requests with the same
text run only the rules that depend on the request (``per_request``: the cost
limit, which reads the variables). A document with errors is never remembered: it
is parsed and validated again, with the same errors, every time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql import DocumentNode, parse, validate

DOCUMENTS_MAX = 256


class KnownDocuments:
    """One schema's parsed documents and the texts known to be valid."""

    def __init__(self, maxsize: int = DOCUMENTS_MAX) -> None:
        self._maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._valid: set[str] = set()
        self._lock = threading.Lock()

    def document(self, query: str) -> DocumentNode | None:
        with self._lock:
            found = self._documents.get(query)
            if found is not None:
                self._documents.move_to_end(query)
            return found

    def keep(self, query: str, document: DocumentNode) -> None:
        with self._lock:
            self._documents[query] = document
            self._documents.move_to_end(query)
            while len(self._documents) > self._maxsize:
                dropped, _ = self._documents.popitem(last=False)
                self._valid.discard(dropped)

    def is_valid(self, query: str) -> bool:
        with self._lock:
            return query in self._valid

    def mark_valid(self, query: str) -> None:
        with self._lock:
            if query in self._documents:
                self._valid.add(query)


class DocumentCache(SchemaExtension):
    """Pass as a factory over one ``KnownDocuments`` per schema (see build_schema);
    list it after the extensions that set parse options and validation rules."""

    def __init__(self, known: KnownDocuments) -> None:
        self.known = known

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is None:
            document = self.known.document(query)
            if document is None:
                document = parse(query, **context.parse_options)  # errors propagate as before
                self.known.keep(query, document)
            context.graphql_document = document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        document = context.graphql_document
        known = bool(query) and document is not None and self.known.is_valid(query or "")
        if known and context.pre_execution_errors is None:
            schema = context.schema._schema
            rules = [r for r in context.validation_rules if getattr(r, "per_request", False)]
            # A rule that can check a valid document directly (the cost limit) saves
            # a validation pass; any other goes through graphql-core's.
            checks = [r for r in rules if hasattr(r, "check")]
            others = tuple(r for r in rules if not hasattr(r, "check"))
            errors = [e for rule in checks for e in rule.check(schema, document)]  # type: ignore[attr-defined]
            if others:
                errors += validate(schema, document, others)  # type: ignore[arg-type]
            context.pre_execution_errors = errors
            yield
            return
        yield
        if query and document is not None and context.pre_execution_errors == []:
            self.known.mark_valid(query)
