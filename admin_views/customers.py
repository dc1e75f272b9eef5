"""Screens: customers (being written)."""


def register(admin) -> None:
    return None
