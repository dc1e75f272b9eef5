"""The employee's self-service pages, opened through a personal link (phone first)."""
from selfservice.employee import changes, views  # noqa: F401  (their routes attach to bp)
from selfservice.employee.blueprint import bp

__all__ = ["bp"]
