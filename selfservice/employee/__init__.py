"""The employee's self-service pages, opened through a personal link (phone first)."""
from flask import Blueprint

bp = Blueprint("employee", __name__, url_prefix="/r", template_folder="templates")

from selfservice.employee import changes, views  # noqa: E402,F401  (routes attach to bp)
