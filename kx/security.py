"""Response headers and the local-only redirect rule."""

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
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


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
    if app.config["HTTPS"]:

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
            return response
