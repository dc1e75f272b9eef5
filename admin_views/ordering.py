"""Screens: ordering (being written)."""


def register(admin) -> None:
    return None
