"""Screens: company (being written)."""


def register(admin) -> None:
    return None
