"""Defaults for every setting; ``KX_*`` environment variables override them."""

import logging
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def database_url(url: str) -> str:
    """Select psycopg 3 for ``postgresql://`` and ``postgres://`` URLs written the usual way."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def unreachable_database(detail) -> str:
    """What kx says when the database cannot be reached: the variable to check first."""
    return f"Cannot reach the database KX_DATABASE_URL names ({detail})."


def instance_path() -> str | None:
    """``KX_INSTANCE_PATH``, the folder for what kx writes beside its database (the secret
    key file, the default SQLite file and search index, mail files); ``None`` when unset,
    for ``instance/`` beside the package."""
    raw = os.environ.get("KX_INSTANCE_PATH", "").strip()
    if not raw:
        return None
    if not Path(raw).is_absolute():
        # relative to what? gunicorn, the worker and the CLI each start in a directory of
        # their own, and each would quietly get an instance folder of its own
        raise RuntimeError(
            f"KX_INSTANCE_PATH must be an absolute path, such as /var/lib/kx; it is {raw!r}."
        )
    return raw


def _writable(folder: Path) -> None:
    """Create the instance folder if needed and refuse to start when kx cannot write in it,
    rather than fail later at the first file it writes there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        named = "KX_INSTANCE_PATH" if "KX_INSTANCE_PATH" in os.environ else "the default"
        raise RuntimeError(
            f"The instance folder {folder} ({named}) is not a folder kx can write in: "
            f"{exc.strerror or exc}. Set KX_INSTANCE_PATH to an absolute path of a folder "
            f"the user running kx may write in."
        ) from exc


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


def _base_url() -> str:
    """``KX_BASE_URL`` without a trailing slash; refuses to start on anything but an
    absolute http(s) URL, since links in e-mails and feeds are built on it."""
    url = (os.environ.get("KX_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(
            f"KX_BASE_URL must be an absolute http:// or https:// URL, such as "
            f"https://kx.example.org; it is {url!r}."
        )
    return url


def _https(base: str) -> bool:
    """HTTPS behaviour is on with an ``https`` base URL or ``KX_HTTPS``; a ``KX_HTTPS``
    that contradicts the base URL is logged, since one of the two is a mistake."""
    secure_base = urlsplit(base).scheme == "https"
    if "KX_HTTPS" in os.environ and _flag("KX_HTTPS") != secure_base:
        log.warning(
            "KX_HTTPS=%s disagrees with KX_BASE_URL=%s; serving with HTTPS behaviour "
            "(Secure cookies, HSTS, https links). Set the two consistently.",
            os.environ["KX_HTTPS"],
            base,
        )
    return secure_base or _flag("KX_HTTPS")


def _mail_from(base: str) -> str:
    """``KX_MAIL_FROM``, or a no-reply address at the base URL's host."""
    host = urlsplit(base).hostname or "localhost"
    if host.replace(".", "").isdigit() or ":" in host or "." not in host:
        host = "localhost.localdomain"  # an IP address or a bare name is no mail domain
    return os.environ.get("KX_MAIL_FROM") or f"kx <no-reply@{host}>"


def _trusted_proxies() -> int:
    """``KX_TRUSTED_PROXIES``: how many proxies in front of kx may set ``X-Forwarded-For``
    (0: none, and the header is ignored, so nobody can choose the address limits count)."""
    raw = os.environ.get("KX_TRUSTED_PROXIES", "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise RuntimeError(
            f"KX_TRUSTED_PROXIES must be the number of proxy hops in front of kx (0-10), "
            f"such as 1 behind one nginx; it is {raw!r}."
        )
    return int(raw)


def _rate_limit_storage() -> str:
    return os.environ.get("KX_RATELIMIT_STORAGE_URI") or "memory://"


#: seconds kx waits for Redis to connect or answer before counting limits in memory
REDIS_TIMEOUT_SECONDS = 1.0


def _rate_limit_storage_options() -> dict:
    if _rate_limit_storage().startswith(("redis://", "rediss://")):
        return {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
        }
    return {}


def refuse_unshared_rate_limits(workers: int) -> None:
    """Refuse to serve with several worker processes that would each count rate limits
    alone (``memory://``), multiplying every limit by the number of workers."""
    storage = _rate_limit_storage()
    if workers > 1 and storage.startswith("memory://"):
        raise RuntimeError(
            f"KX_RATELIMIT_STORAGE_URI is {storage}, so each of the {workers} worker "
            "processes would count rate limits on its own. Point KX_RATELIMIT_STORAGE_URI "
            "at a shared store (e.g. redis://127.0.0.1:6379) or run a single worker."
        )


def _jobs() -> str:
    """``KX_JOBS``: ``inline`` (background work runs in the process whose commit started it)
    or ``postgres`` (queued in the database for ``flask --app kx worker``)."""
    jobs = (os.environ.get("KX_JOBS") or "inline").strip().lower()
    if jobs not in ("inline", "postgres"):
        raise RuntimeError(
            f"KX_JOBS must be inline (the default: no separate worker) or postgres (jobs "
            f"queued in PostgreSQL for flask --app kx worker); it is {jobs!r}."
        )
    return jobs


def load(instance_path: Path) -> dict:
    """Settings for an app whose instance folder is ``instance_path``."""
    _writable(instance_path)
    base = _base_url()
    https_on = _https(base)
    return {
        "SECRET_KEY": os.environ.get("KX_SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(
            os.environ.get("KX_DATABASE_URL") or f"sqlite:///{instance_path / 'kx.db'}"
        ),
        "SEARCH_BACKEND": os.environ.get("KX_SEARCH_BACKEND", "whoosh"),
        "SEARCH_INDEX_DIR": os.environ.get("KX_SEARCH_INDEX_DIR")
        or str(instance_path / "search-index"),
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(),
        # Redis lost while serving: each process goes on counting the same limits in its own
        # memory (limits stay, multiplied by the number of processes, rather than vanish or
        # refuse everyone) and goes back to Redis when it answers again; an error left over
        # is logged, never a 500. The timeouts keep an unanswering Redis from holding requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": _rate_limit_storage_options(),
        "TRUSTED_PROXIES": _trusted_proxies(),
        "RATELIMIT_HEADERS_ENABLED": True,
        # a sliding window: a fixed one lets a burst straddling its edge spend twice the budget
        "RATELIMIT_STRATEGY": "moving-window",
        "BASE_URL": base,
        "HTTPS": https_on,
        "PREFERRED_URL_SCHEME": "https" if https_on else "http",
        "SESSION_COOKIE_SECURE": https_on,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https_on,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("KX_IDLE_TIMEOUT_MINUTES", "60"))),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "API_TOKEN_LIFETIME": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,  # the session idle timeout bounds a token's life instead
        "LOGIN_LIMITS": os.environ.get("KX_LOGIN_LIMITS", "10 per minute;50 per hour"),
        # failed sign-ins per account (or per account on a browser that signed in to it)
        "ACCOUNT_LOGIN_LIMITS": "5 per minute;20 per hour",
        "DEVICE_COOKIE_DURATION": timedelta(days=180),
        "REGISTER_LIMITS": os.environ.get("KX_REGISTER_LIMITS", "5 per hour"),
        # per address, shared by the search page, the API and feeds
        "SEARCH_LIMITS": os.environ.get("KX_SEARCH_LIMITS", "60 per minute"),
        # Markdown previews per member: the page's Preview tab asks once per click
        "PREVIEW_LIMITS": os.environ.get("KX_PREVIEW_LIMITS", "30 per minute;300 per hour"),
        # seconds a search may take before it answers with what it found so far
        "SEARCH_TIME_BUDGET": float(os.environ.get("KX_SEARCH_TIME_BUDGET", "1.5")),
        "SITE_NAME": "kx",
        # unset: messages are written as .eml files to MAIL_DIR (kx/mail/settings.py)
        "MAIL_URL": os.environ.get("KX_MAIL_URL", "").strip(),
        "MAIL_FROM": _mail_from(base),
        "MAIL_DIR": str(instance_path / "mail"),
        "MAIL_RETRY_SECONDS": 30,  # the first retry; each later one waits twice as long
        "MAIL_RETRY_MAX_SECONDS": 3600,
        "MAIL_LEASE_SECONDS": 300,  # a worker's claim on a message while it sends it
        "MAIL_POLL_SECONDS": 5,  # how often a web process looks for mail left waiting
        "JOBS": _jobs(),
        # a worker's liveness signal, and how long without one before its jobs run again
        "WORKER_HEARTBEAT_SECONDS": 10,
        "WORKER_STALLED_SECONDS": 30,
        # how often a worker looks for work a lost kick or a dead worker left (divides 60)
        "WORKER_SWEEP_SECONDS": 30,
        # how often an idle worker looks for jobs whose time has come (a retry, or a job
        # that waited for another of its kind to finish); a new job wakes it at once
        # (LISTEN/NOTIFY), but the end of the job holding its lock does not
        "WORKER_POLL_SECONDS": 1.0,
        "RESET_LIMITS": os.environ.get("KX_RESET_LIMITS", "10 per hour"),
        # per submitted address, whether or not an account has it
        "RESET_ADDRESS_LIMITS": "3 per hour",
        "RESET_TOKEN_MAX_AGE": timedelta(minutes=60),
        "EMAIL_TOKEN_MAX_AGE": timedelta(days=3),
    }
