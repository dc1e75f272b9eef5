"""Demo data that `make run` seeds into an empty database (uses every feature; nothing imports it)."""
