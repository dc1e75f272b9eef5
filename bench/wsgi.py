"""What gunicorn serves in the benchmark: the portal on the bench database, and a hello-world app."""
from __future__ import annotations

import os

from flask import Flask


def portal():
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DATABASE_URL"], "SECRET_KEY": "b" * 48,
        "STORAGE_DIR": os.environ["BENCH_STORAGE_DIR"], "SCHEDULER_ENABLED": False,
        "BASE_URL": "http://127.0.0.1:5000",
    })


def hello():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "Hello, World!"

    return app
