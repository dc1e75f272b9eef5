from tests.ordering.conftest import jpeg_bytes, shop  # noqa: F401 - the ordering tests' shop
