"""Screens: cards (being written)."""


def register(admin) -> None:
    return None
