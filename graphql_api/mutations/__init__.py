"""Mutation roots, one module per part of the domain, merged in schema.py."""
