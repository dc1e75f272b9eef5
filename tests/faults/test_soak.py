"""The soak run (bench/soak.py) in small: gunicorn, the scheduler and a local SMTP sink on PostgreSQL,
employees and an orderer at once; no error, nothing lost, every confirmation email delivered, and the
memory table printed for every process. `make soak` runs 10 minutes."""
import pytest

from bench.soak import main

pytestmark = pytest.mark.load


def test_a_short_soak_loses_nothing_and_reports_every_process(app, db, monkeypatch, capsys):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the soak runs gunicorn and the scheduler against PostgreSQL (SQLite serves one process)")
    monkeypatch.setenv("DATABASE_URL", url)
    code = main(["--seconds", "20", "--employees", "2", "--orderers", "1", "--photo", "1200x900"])
    out = capsys.readouterr().out
    assert "errors: 0" in out, out
    assert "lost: 0" in out
    for process in ("gunicorn master", "gunicorn worker 1", "gunicorn worker 2", "scheduler"):
        assert process in out
    for page in ("handle cards", "in review", "order history", "POST photo"):
        assert page in out
    # 20 s is too short to judge memory growth after warm-up; the full run's exit code does
    assert code in (0, 1) and ("memory flat" in out)
