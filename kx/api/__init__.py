"""The ``/api/v1`` JSON API, built on the domain services and schemas."""

from flask import Blueprint, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from kx.accounts import services as accounts
from kx.api.core import Unauthorized
from kx.extensions import csrf

api = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates by bearer token only and never reads the session cookie, so a
# browser's cookie cannot act through it and CSRF cannot either.
csrf.exempt(api)


@api.before_request
def _refuse_oversized_body() -> None:
    """Answer 413 on every endpoint, also those that never read the body, before anything
    else (such as a token check) can answer first."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()


@api.before_request
def _authenticate() -> None:
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, raw = header.partition(" ")
    user = accounts.user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise Unauthorized("The bearer token is not valid, expired or revoked.")
    g.api_user = user


from kx.api import (  # noqa: E402, F401  (registers the routes)
    evidence,
    forum,
    gap_map,
    meta,
    notifications,
    practices,
    research,
    review,
    search,
    themes,
    tokens,
)
