"""Screens: reports (being written)."""


def register(admin) -> None:
    return None
