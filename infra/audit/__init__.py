"""Audit adapters: checkpoint storage and signing, export, the offline verifier."""
