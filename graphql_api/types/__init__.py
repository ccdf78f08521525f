"""GraphQL types, split by the part of the domain they show."""
