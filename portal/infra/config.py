"""Configuration read from the environment; fails fast on unsafe production settings."""
from __future__ import annotations

import os
from pathlib import Path

# Each language by its own name, in the order the language menus list them.
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska", "nb": "Norsk bokmål", "da": "Dansk", "fi": "Suomi"}

BASE_DIR = Path(__file__).resolve().parents[2]  # the repository root


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unusable."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'instance' / 'cardwright.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _intervals(value: str) -> dict[str, float]:
    try:
        pairs = [item.split("=", 1) for item in value.replace(" ", "").split(",") if item]
        return {name: float(seconds) for name, seconds in pairs}
    except ValueError as exc:
        raise ConfigError(f"JOB_INTERVALS must look like outbox=15,reminders=900 (got {value!r})") from exc


def _notice_days(value: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(v) for v in value.replace(" ", "").split(",") if v}, reverse=True))
    except ValueError as exc:
        raise ConfigError(f"CARD_EXPIRY_NOTICE_DAYS must look like 30,7 (got {value!r})") from exc
    if any(not 0 < d <= 365 for d in days):
        raise ConfigError(f"CARD_EXPIRY_NOTICE_DAYS must be days between 1 and 365 (got {value!r})")
    return days


def _hops(value: str) -> int:
    try:
        hops = int(value.strip() or 0)
    except ValueError as exc:
        raise ConfigError(f"TRUSTED_PROXY_HOPS must be a whole number of proxies (got {value!r})") from exc
    if not 0 <= hops <= 10:
        raise ConfigError(f"TRUSTED_PROXY_HOPS must be between 0 and 10 (got {hops})")
    return hops


# Where a developer's or test machine runs: plain http, the public development key, a default BASE_URL.
_PLAIN_HTTP_ENVS = {"development", "testing"}
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - development only; other environments refuse it


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from environment variables, then apply overrides (tests)."""
    env = os.environ.get("CARDWRIGHT_ENV", "development")
    cfg: dict = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(BASE_DIR / "instance" / "files")),
        # The public address in emailed links. Without it, development uses the address `flask serve`
        # listens on; every other environment refuses to start (links would point nowhere).
        "BASE_URL": os.environ.get("BASE_URL") or "http://127.0.0.1:5000",
        "BASE_URL_EXPLICIT": bool(os.environ.get("BASE_URL")),
        # How many reverse proxies (load balancer, nginx) stand in front of the app and append to
        # X-Forwarded-For. 0 (the default) trusts no forwarded header: the client is the TCP peer.
        "TRUSTED_PROXY_HOPS": _hops(os.environ.get("TRUSTED_PROXY_HOPS", "0")),
        "SCHEDULER_ENABLED": _bool("SCHEDULER_ENABLED", False),
        # "outbox=15,reminders=900": override job intervals in seconds (tests run them every second).
        "JOB_INTERVALS": _intervals(os.environ.get("JOB_INTERVALS", "")),
        # Days before a card's last valid day when its orderer gets the expiry digest ("30,7": one email each).
        "CARD_EXPIRY_NOTICE_DAYS": _notice_days(os.environ.get("CARD_EXPIRY_NOTICE_DAYS", "30,7")),
        "SCHEDULER_LOCK_POLL_SECONDS": float(os.environ.get("SCHEDULER_LOCK_POLL_SECONDS", "15")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Cardwright <no-reply@cardwright.local>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_SUPPRESS_SEND": False,
        "OUTBOX_BATCH_SIZE": int(os.environ.get("OUTBOX_BATCH_SIZE", "200")),
        # Outgoing webhooks: plain http and private/loopback addresses only where these allow it (tests).
        "WEBHOOKS_ALLOW_HTTP": _bool("WEBHOOKS_ALLOW_HTTP", False),
        "WEBHOOKS_ALLOW_PRIVATE": _bool("WEBHOOKS_ALLOW_PRIVATE", False),
        "WEBHOOKS_TIMEOUT": float(os.environ.get("WEBHOOKS_TIMEOUT", "10")),
        "WEBHOOKS_WORKERS": int(os.environ.get("WEBHOOKS_WORKERS", "8")),
        "WEBHOOKS_BATCH_SIZE": int(os.environ.get("WEBHOOKS_BATCH_SIZE", "200")),
        "WEBHOOKS_RUN_SECONDS": float(os.environ.get("WEBHOOKS_RUN_SECONDS", "10")),
        # SMTP connections the outbox job sends over at once (each takes the next message of the batch).
        "OUTBOX_SMTP_CONNECTIONS": int(os.environ.get("OUTBOX_SMTP_CONNECTIONS", "4")),
        "CURRENCY": os.environ.get("CURRENCY", "SEK"),
        "COLOUR_LOGO_SURCHARGE": os.environ.get("COLOUR_LOGO_SURCHARGE", "20.00"),
        # VAT in percent per company country ("SE=25,NO=25,DK=25,FI=25.5"; unset: portal.ordering.vat's table).
        "VAT_RATES": dict(pair.split("=", 1) for pair in os.environ["VAT_RATES"].split(",") if "=" in pair)
        if os.environ.get("VAT_RATES") else None,
        "VAT_DEFAULT_RATE": os.environ.get("VAT_DEFAULT_RATE", "25"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Stockholm"),
        "LANGUAGES": dict(LANGUAGE_NAMES),
        # Integration API: requests per key (Flask-Limiter syntax) and where the counts live.
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "600 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure everywhere but on a developer's or test machine served over plain http.
        "SESSION_COOKIE_SECURE": env not in _PLAIN_HTTP_ENVS,
        "REMEMBER_COOKIE_SECURE": env not in _PLAIN_HTTP_ENVS,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Who must use two-step sign-in: "none", "operators", or "admins" (operators and company admins).
        "REQUIRE_TWO_FACTOR": os.environ.get("REQUIRE_TWO_FACTOR", "none").strip().lower(),
        # Who hears about accessibility problems (the statement page names it): SUPPORT_EMAIL if not set.
        "ACCESSIBILITY_CONTACT": (os.environ.get("ACCESSIBILITY_CONTACT") or os.environ.get("SUPPORT_EMAIL") or "").strip(),
        "FLASK_ADMIN_SWATCH": "cerulean",
        "PRINT_HOT_FOLDER_ROOT": os.environ.get("PRINT_HOT_FOLDER_ROOT", str(BASE_DIR / "instance" / "print")),
    }
    if overrides:
        cfg.update(overrides)
        if overrides.get("BASE_URL") and "BASE_URL_EXPLICIT" not in overrides:
            cfg["BASE_URL_EXPLICIT"] = True
    _check(cfg)
    return cfg


def _check(cfg: dict) -> None:
    """Every environment but development and testing (production, staging, demo ...) is reachable by
    others: it needs its own strong key and the public address for emailed links."""
    if cfg["ENV_NAME"] not in _PLAIN_HTTP_ENVS:
        key = cfg.get("SECRET_KEY") or ""
        if len(key) < 32 or key == DEV_SECRET_KEY:
            raise ConfigError(
                f"SECRET_KEY must be set to a random value of at least 32 characters (CARDWRIGHT_ENV="
                f"{cfg['ENV_NAME']}; only development and testing may run without one), for example: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
        if not cfg.get("BASE_URL_EXPLICIT"):
            raise ConfigError(
                f"BASE_URL must be set (CARDWRIGHT_ENV={cfg['ENV_NAME']}): the public address of the "
                "portal, e.g. https://cards.example.com, used in every emailed link."
            )
    elif not cfg.get("SECRET_KEY"):
        # Development and tests: a fixed, clearly unsafe key so sessions survive restarts.
        cfg["SECRET_KEY"] = DEV_SECRET_KEY
