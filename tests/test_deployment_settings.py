"""Settings that keep a deployment honest: every environment but development and testing needs its own
strong SECRET_KEY and BASE_URL, and `flask serve` on another port puts that port in emailed links."""
import pytest

from portal.infra.config import DEV_SECRET_KEY, ConfigError, load_config
from portal.outbox.mail import render_email

STRONG = "k" * 48


@pytest.mark.parametrize("env", ["staging", "production", "demo"])
@pytest.mark.parametrize("key", [None, "short", DEV_SECRET_KEY])
def test_every_environment_but_development_and_testing_refuses_a_weak_secret_key(monkeypatch, env, key):
    monkeypatch.setenv("CARDWRIGHT_ENV", env)
    monkeypatch.setenv("BASE_URL", "https://cards.example.com")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


@pytest.mark.parametrize("env", ["staging", "production"])
def test_a_deployed_environment_refuses_to_start_without_base_url(monkeypatch, env):
    monkeypatch.setenv("CARDWRIGHT_ENV", env)
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config()
    monkeypatch.setenv("BASE_URL", "https://cards.example.com")
    assert load_config()["BASE_URL"] == "https://cards.example.com"


def test_development_still_starts_with_nothing_set(monkeypatch):
    for name in ("CARDWRIGHT_ENV", "SECRET_KEY", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    cfg = load_config()
    assert cfg["SECRET_KEY"] == DEV_SECRET_KEY and cfg["BASE_URL"] == "http://127.0.0.1:5000"


def _serve(app, runner, monkeypatch, *args):
    import werkzeug.serving

    import portal.demo.cli as demo_cli
    import portal.demo.seed as seed
    import portal.infra.jobs as jobs

    served = {}
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, a, **kw: served.update(host=host, port=port))
    monkeypatch.setattr(jobs, "start_background_scheduler", lambda a: None)
    monkeypatch.setattr(demo_cli, "upgrade_database", lambda: None)
    monkeypatch.setattr(seed, "seed_demo", lambda: False)
    monkeypatch.setitem(app.config, "BASE_URL", app.config["BASE_URL"])
    result = runner.invoke(args=["serve", *args])
    assert result.exit_code == 0, result.output
    return served


def test_serve_on_another_port_puts_that_port_in_emailed_links(app, db, runner, monkeypatch, make_company, make_user):
    monkeypatch.setitem(app.config, "BASE_URL_EXPLICIT", False)  # no BASE_URL in the environment
    assert _serve(app, runner, monkeypatch, "--port", "5201") == {"host": "127.0.0.1", "port": 5201}
    assert app.config["BASE_URL"] == "http://127.0.0.1:5201"
    company = make_company("Nordbygg AB")
    user = make_user(company, email="anna@x.se")
    _subject, text, html = render_email("password_reset", "en", user=user, token="t" * 43)
    assert "http://127.0.0.1:5201/reset/" + "t" * 43 in text and ":5000" not in text + html


def test_serve_keeps_a_base_url_that_was_set(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL_EXPLICIT", True)
    monkeypatch.setitem(app.config, "BASE_URL", "https://cards.example.com")
    _serve(app, runner, monkeypatch, "--port", "5201")
    assert app.config["BASE_URL"] == "https://cards.example.com"
