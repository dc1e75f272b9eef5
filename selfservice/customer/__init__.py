"""The customer portal: pages for a customer company's contacts."""
from flask import Blueprint

bp = Blueprint("customer", __name__, url_prefix="/portal", template_folder="templates")

from selfservice.customer import views  # noqa: E402,F401  (routes attach to bp)
