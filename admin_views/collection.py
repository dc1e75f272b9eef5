"""Screens: collection (being written)."""


def register(admin) -> None:
    return None
