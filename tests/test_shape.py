"""The shape of the code base (ARCHITECTURE.md): app.py assembles, jobs fail loudly, modules stay small."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import app as app_module
from portal.infra.config import BASE_DIR
from portal.infra.jobs import UnknownJob, registered_jobs

CODE_DIRS = ("portal", "admin_views", "selfservice")


def _modules():
    yield BASE_DIR / "app.py"
    for top in CODE_DIRS:
        yield from sorted((BASE_DIR / top).rglob("*.py"))


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(BASE_DIR)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}, f"split these modules (a feature that grows wants its own package): {long}"


def test_portal_has_only_feature_packages_at_its_top():
    loose = [p.name for p in (BASE_DIR / "portal").glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"every module of portal/ belongs to a feature package or portal/infra: {loose}"


def test_every_feature_package_is_assembled_by_app():
    packages = {p.parent.name for p in (BASE_DIR / "portal").glob("*/__init__.py")}
    assert packages == set(app_module.FEATURES), "add the new feature to FEATURES in app.py (in its layer)"


def test_every_feature_job_is_registered(app):
    assert {job.id for job in registered_jobs()} >= {"outbox", "reminders", "print_queue", "retention"}


def test_unknown_job_interval_name_stops_the_start():
    with pytest.raises(UnknownJob, match="reminder"):
        app_module.create_app({"TESTING": True, "JOB_INTERVALS": {"outbox": 5, "reminder": 60}})


def test_a_task_module_that_fails_to_import_stops_the_start(monkeypatch):
    real = importlib.import_module

    def failing(name, *args, **kwargs):
        if name == "portal.printing.tasks":
            raise ImportError("broken on purpose")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", failing)
    with pytest.raises(ImportError, match="broken on purpose"):
        app_module.create_app({"TESTING": True})


def test_importing_the_domain_does_not_import_the_screens():
    code = ("import sys, importlib, pkgutil, portal\n"
            "for m in pkgutil.walk_packages(portal.__path__, 'portal.'): importlib.import_module(m.name)\n"
            "print(sorted({n.split('.')[0] for n in sys.modules if n.startswith(('admin_views', 'selfservice'))}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    if not linter.exists():
        pytest.skip("import-linter is not installed in this environment (make lint runs it)")
    out = subprocess.run([str(linter)], cwd=BASE_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
