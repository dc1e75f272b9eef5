"""The self-service load test (bench/load_selfservice.py) in small: real gunicorn, real PostgreSQL,
employees at once through the whole flow (most photos scaled as the phone's browser sends them, a share of
full-size originals); no error, no lost submission, and another page answered meanwhile. `make load` runs 200."""
import os
import re

import pytest

from bench.load_selfservice import main

pytestmark = pytest.mark.load


def test_employees_at_once_submit_everything_through_gunicorn(app, db, monkeypatch, capsys):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the load test runs gunicorn against PostgreSQL (SQLite serves one process)")
    monkeypatch.setenv("DATABASE_URL", url)
    employees = int(os.environ.get("LOAD_TEST_EMPLOYEES", "30"))
    code = main(["--employees", str(employees), "--photo", "2000x1500", "--limit", "240"])  # gunicorn.conf.py
    out = capsys.readouterr().out
    assert code == 0, out
    assert "errors: 0   lost submissions: 0" in out
    assert f'"submitted_with_photo_and_address": {employees}' in out
    assert re.search(r"\d+ photos scaled in the browser \(\d+ KB\), \d+ originals 2000x1500", out), out
    assert re.search(r"probe \(other\) +[1-9]", out), out  # the other page was opened, and answered
    assert re.search(r"POST photo check +\d+", out), out  # the phones asked the photo assistant first
    # Where the machine's cores went: gunicorn, the database and the script itself, per employee
    assert re.search(r"machine CPU per employee: gunicorn \d+ ms, PostgreSQL \d+ ms, this script \d+ ms, "
                     r"all processes \d+ ms; the \d+ cores were busy \d+% of the burst", out), out
