"""The forum's rate limits, declared once for the pages and the API.

New threads and replies share one budget per member, reports another; a member spends
the same budget through the forms and through ``/api/v1``. Only what went through counts
(a redirect after a form, 201 from the API), so a refused or invalid submission uses up
nothing.
"""

from flask import g
from flask_limiter.util import get_remote_address
from flask_login import current_user

from kx.extensions import limiter
from kx.records.rules import signed_in

POSTING_LIMIT = "10 per minute"
TOO_FAST = (
    "You are posting too quickly: at most 10 posts a minute. Wait a minute, then send "
    "it again; your text is kept below."
)
REPORTING_LIMIT = "10 per hour"
REPORTING_TOO_FAST = (
    "You have sent 10 reports in the last hour, the most one member can. The moderators "
    "have them all; if something else needs them now, wait a while and report it again."
)


def _acting_user():
    """The bearer token's user on the API (which sets ``g.api_user`` for every request and
    never reads the session cookie), the signed-in browser's elsewhere."""
    if "api_user" in g:
        return g.api_user
    return current_user


def _key(scope: str):
    def key() -> str:
        user = _acting_user()
        if signed_in(user):
            return f"{scope}:user:{user.id}"
        return get_remote_address()

    return key


def _went_through(response) -> bool:
    return response.status_code in (201, 302)


posting_limit = limiter.shared_limit(
    POSTING_LIMIT,
    scope="forum-post",
    key_func=_key("forum-post"),
    methods=["POST"],
    deduct_when=_went_through,
    error_message=TOO_FAST,
)

reporting_limit = limiter.shared_limit(
    REPORTING_LIMIT,
    scope="forum-report",
    key_func=_key("forum-report"),
    methods=["POST"],
    deduct_when=_went_through,
    error_message=REPORTING_TOO_FAST,
)
