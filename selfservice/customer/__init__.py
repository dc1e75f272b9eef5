"""The customer portal: pages for a customer company's contacts."""
from selfservice.customer import views  # noqa: F401  (their routes attach to bp)
from selfservice.customer.blueprint import bp

__all__ = ["bp"]
