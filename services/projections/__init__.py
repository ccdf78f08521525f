"""Projections: the library's ``Projection[View]`` pattern, one per read model."""
