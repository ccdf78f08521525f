"""SQLModel read models inside each cluster's partition."""
