"""``GET /healthz``: whether this process can reach what it serves from (the database, the
search index, and the rate-limit store when it is shared), for a load balancer or a
monitor. It names each part and says ok or unavailable, never why: errors go to the log.
A process without its rate-limit store serves on, and says so as ``degraded``."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from kx.extensions import db, limiter
from kx.search import indexing

health = Blueprint("health", __name__)


def _database() -> None:
    db.session.execute(text("SELECT 1"))


def _search() -> None:
    indexing.backend().ping()


def _rate_limits() -> None:
    if not limiter.storage.check():
        raise ConnectionError("the rate-limit store did not answer")


def checks() -> dict[str, str]:
    """``part -> "ok" | "unavailable" | "not used"``."""
    parts = {"database": _database, "search": _search}
    shared = not current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")
    if shared and limiter.enabled:
        parts["rate_limits"] = _rate_limits
    found = {"rate_limits": "not used"}
    for name, check in parts.items():
        try:
            check()
            found[name] = "ok"
        except Exception:
            current_app.logger.exception("health check failed: %s", name)
            found[name] = "unavailable"
    return found


#: parts this process serves on without: with the rate-limit store away, each process
#: counts limits in its own memory until it answers again (kx/config.py)
DEGRADED_ONLY = {"rate_limits"}


@health.route("/healthz")
def healthz():
    found = checks()
    down = {name for name, state in found.items() if state == "unavailable"}
    if down - DEGRADED_ONLY:
        status, code = "unavailable", 503
    else:
        # a load balancer keeps sending traffic here; a monitor should still raise the alarm
        status, code = ("degraded" if down else "ok"), 200
    response = jsonify(status=status, checks=found)
    response.headers["Cache-Control"] = "no-store"
    return response, code
