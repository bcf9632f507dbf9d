"""``/notifications``: a member's notifications, marking them read, and the header's
unread count."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from kx.extensions import db
from kx.forum.models import Post
from kx.forum.rules import can_see_hidden
from kx.forum.views import author_name
from kx.notifications import services
from kx.notifications.models import Notification
from kx.web import database_id, redirect_next

notifications = Blueprint("notifications", __name__, url_prefix="/notifications")

TEXT = {
    "reply": "replied in",
    "quote": "quoted you in",
    "new-thread": "started a new thread:",
    "report": "reported a post in",
    "report-burst": "sent more illegal-material reports than one member's may hide in a "
    "day; the post stays visible and the report waits, urgent, in",
}


def _viewer():
    return current_user._get_current_object()


@notifications.app_context_processor
def _unread_count():
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return services.unread_count(_viewer())
        except SQLAlchemyError:  # an error page after a database failure still renders
            return 0

    return {"unread_notifications": unread_notifications}


def _url(item: Notification, viewer) -> str:
    post = db.session.get(Post, item.post_id) if item.post_id is not None else None
    if post is not None and (not post.hidden or can_see_hidden(viewer)):
        return url_for("forum.post", post_id=post.id)
    return url_for("forum.thread", thread_id=item.thread_id)


@notifications.route("")
@login_required
def index():
    viewer = _viewer()
    rows = []
    for item in services.notifications(viewer):
        visible = services.readable(item, viewer)
        rows.append(
            {
                "id": item.id,
                # as in the header: nothing waits to be read in a thread they can no longer see
                "unread": item.read_at is None and visible,
                "actor": author_name(item.actor),
                "text": TEXT.get(item.kind, "posted in"),
                "thread": item.thread if visible else None,
                "url": _url(item, viewer) if visible else None,
                "created_at": item.created_at,
            }
        )
    return render_template(
        "notifications/index.html", rows=rows, unread=services.unread_count(viewer)
    )


@notifications.route("/read", methods=["POST"])
@login_required
def mark_read():
    viewer = _viewer()
    if request.form.get("all"):
        count = services.mark_read(viewer)
    else:
        notification_id = database_id(request.form.get("notification"))
        count = services.mark_read(viewer, [notification_id] if notification_id else [])
    if count:
        flash(
            "Notification marked read." if count == 1 else f"{count} notifications marked read.",
            "success",
        )
    return redirect_next(url_for("notifications.index"))
