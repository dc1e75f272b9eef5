"""The customer blueprint: public pages (strict script policy), outside the back office."""
from flask import Blueprint

from portal.infra.web import mark, public_page

bp = Blueprint("customer", __name__, url_prefix="/portal", template_folder="templates")
public_page(bp)
mark("open_before_two_factor")(bp)
