"""The API's documentation page, served by the application itself (Swagger UI from the swagger-ui-bundle
package; nothing from a CDN)."""
from __future__ import annotations

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from portal.infra.web import public_page

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1", template_folder="templates")


@bp.route("/docs")
@public_page
def docs():
    return render_template("api/docs.html")


@bp.route("/docs/assets/<path:filename>")
@public_page
def assets(filename):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
