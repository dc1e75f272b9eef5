"""The fault tests reuse the ordering tests' shop (a company, an orderer, a card type, an accessory)."""
from tests.ordering.conftest import shop  # noqa: F401 - a fixture, used by name

