"""The GraphQL edge: strawberry types and thin resolvers over services/.

Named ``graphql_api`` because a top-level ``graphql`` package would shadow
graphql-core, which strawberry imports as ``graphql`` (see docs/architecture.md).
"""
