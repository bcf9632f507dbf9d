"""Defaults for every setting; ``KX_*`` environment variables override them."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def database_url(url: str) -> str:
    """Select psycopg 3 for ``postgresql://`` and ``postgres://`` URLs written the usual way."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path) -> str:
    """Keep one random key per instance so sessions survive restarts and span workers."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def load(instance_path: Path) -> dict:
    """Settings for an app whose instance folder is ``instance_path``."""
    instance_path.mkdir(parents=True, exist_ok=True)
    https = _flag("KX_HTTPS")
    return {
        "SECRET_KEY": os.environ.get("KX_SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(
            os.environ.get("KX_DATABASE_URL") or f"sqlite:///{instance_path / 'kx.db'}"
        ),
        "SEARCH_BACKEND": os.environ.get("KX_SEARCH_BACKEND", "whoosh"),
        "SEARCH_INDEX_DIR": os.environ.get("KX_SEARCH_INDEX_DIR")
        or str(instance_path / "search-index"),
        "RATELIMIT_STORAGE_URI": os.environ.get("KX_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # a sliding window: a fixed one lets a burst straddling its edge spend twice the budget
        "RATELIMIT_STRATEGY": "moving-window",
        "HTTPS": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("KX_IDLE_TIMEOUT_MINUTES", "60"))),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "API_TOKEN_LIFETIME": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,  # the session idle timeout bounds a token's life instead
        "LOGIN_LIMITS": os.environ.get("KX_LOGIN_LIMITS", "10 per minute;50 per hour"),
        "REGISTER_LIMITS": os.environ.get("KX_REGISTER_LIMITS", "5 per hour"),
        "SITE_NAME": "kx",
    }
