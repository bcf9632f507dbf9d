"""``/digests/unsubscribe/<token>``: the one-click unsubscribe link of a theme digest."""

from flask import Blueprint, render_template, request, url_for

from kx.digests import services
from kx.extensions import csrf

digests = Blueprint("digests", __name__, url_prefix="/digests")


@digests.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(token: str):
    """Works without signing in: the signed link names the account and the theme."""
    if request.method == "POST":
        theme, done = services.unsubscribe(token), True
    else:
        theme, done = services.unsubscribe_target(token), False
    return render_template(
        "notifications/unsubscribe_digest.html",
        theme=theme,
        done=done,
        action=url_for("digests.unsubscribe", token=token),
    )
