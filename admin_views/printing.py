"""Screens: printing (being written)."""


def register(admin) -> None:
    return None
