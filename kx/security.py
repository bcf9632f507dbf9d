"""Response headers and the local-only redirect rule."""

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
API_PREFIX = "/api/"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a path on this site, else ``default``.

    Rejects scheme-relative (``//x``), backslash (``/\\x``, ``\\\\x``), scheme and
    control-character forms, also when percent-encoded once or several times, because
    browsers normalise ``\\`` to ``/`` and ignore tabs and newlines in URLs.
    """
    if not target:
        return default
    decoded, previous = target, None
    while decoded != previous:
        previous, decoded = decoded, unquote(decoded)
    if "\\" in decoded or _CONTROL.search(decoded):
        return default
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc or not decoded.startswith("/") or decoded.startswith("//"):
        return default
    return target


def _keep_private(response: Response) -> None:
    """Keep what a signed-in user or a bearer token sees out of every cache: a shared one
    would serve it to others, the browser's own to the next person at the keyboard."""
    if request.path.startswith(API_PREFIX):
        response.vary.add("Authorization")
    if request.endpoint == "static":
        return
    if "Authorization" in request.headers or current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")


def _set_headers(response: Response) -> Response:
    _keep_private(response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` for database ids: an id no integer column can hold (0, or beyond
    2^31-1) becomes 0, which names nothing, so the view answers its ordinary 404 instead
    of the database driver overflowing. (Refusing it in the converter would make Werkzeug
    answer 405 for the route's other methods.)"""

    MAX = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= self.MAX else 0


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        # the client's address (for rate limits and logs) as the trusted proxies saw it;
        # addresses a client wrote into the header beyond those hops are ignored
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.after_request(_set_headers)
    if app.config["HTTPS"] or urlsplit(app.config["BASE_URL"]).scheme == "https":
        # ``HTTPS`` or ``BASE_URL`` may come from ``create_app(config)`` rather than the
        # environment; either way cookies must then never travel over plain HTTP, and links
        # use https.
        app.config.update(
            HTTPS=True,
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            PREFERRED_URL_SCHEME="https",
        )

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
            return response
