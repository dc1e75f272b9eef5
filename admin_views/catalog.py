"""Screens: catalog (being written)."""


def register(admin) -> None:
    return None
