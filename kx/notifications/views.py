"""``/notifications``: a member's notifications (several replies in one thread as one entry),
marking them read, mail preferences, one-click unsubscribing, and the header's unread
count. Opening an item a notification is about marks it read."""

from contextlib import suppress

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import SelectField

from kx.accounts.forms import SelectChoice
from kx.errors import Invalid
from kx.extensions import csrf
from kx.notifications import services
from kx.notifications.catalogue import SETTINGS, TOPICS
from kx.notifications.targets import TARGETS
from kx.web import apply_errors, database_id, redirect_next

notifications = Blueprint("notifications", __name__, url_prefix="/notifications")


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


@notifications.after_app_request
def _mark_opened(response):
    """A member who opens an item has read what they were told about it."""
    if request.method != "GET" or response.status_code != 200 or request.view_args is None:
        return response
    for item_type, target in TARGETS.items():
        if request.endpoint == target.endpoint and target.id_arg in request.view_args:
            if current_user.is_authenticated:
                # the page was served; on a database error the count catches up next time
                with suppress(SQLAlchemyError):
                    services.mark_opened(_viewer(), item_type, request.view_args[target.id_arg])
            break
    return response


@notifications.route("")
@login_required
def index():
    viewer = _viewer()
    rows = []
    for shown, item in services.grouped(viewer):
        rows.append(
            {
                "id": item.id,
                "ids": shown.ids if shown else [item.id],
                # as in the header: nothing waits to be read about what they can no longer see
                "unread": item.read_at is None and shown is not None,
                "shown": shown,
                "url": shown.url() if shown else None,
                "created_at": item.created_at,
                "thread": item.thread_id is not None,
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
        ids = [database_id(value) for value in request.form.getlist("notification")]
        count = services.mark_read(viewer, [i for i in ids if i])
    if count:
        flash(
            "Notification marked read." if count == 1 else f"{count} notifications marked read.",
            "success",
        )
    return redirect_next(url_for("notifications.index"))


def _field_name(topic: str) -> str:
    return topic.replace("-", "_")


def preferences_form(current: dict[str, str], formdata=None):
    """A form with one choice per topic, filled with ``current``."""

    class PreferencesForm(FlaskForm):
        pass

    for topic, info in TOPICS.items():
        setattr(
            PreferencesForm,
            _field_name(topic),
            SelectField(
                info.label,
                choices=[SelectChoice(value, label) for value, label in SETTINGS.items()],
                default=current[topic],
                description=info.description,
            ),
        )
    if formdata is None:
        return PreferencesForm(formdata=None)
    return PreferencesForm()


@notifications.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    viewer = _viewer()
    current = services.preferences(viewer)
    if request.method == "GET":
        form = preferences_form(current)
        return render_template("notifications/preferences.html", form=form)
    form = preferences_form(current, formdata=request.form)
    if form.validate():
        values = {topic: form[_field_name(topic)].data for topic in TOPICS}
        try:
            services.set_preferences(viewer, values)
        except Invalid as exc:
            apply_errors(form, Invalid(exc.message, _by_field(exc.fields)))
        else:
            flash("Your notification e-mail settings are saved.", "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form), 422


def _by_field(errors: dict) -> dict:
    return {_field_name(topic): messages for topic, messages in errors.items()}


@notifications.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(token: str):
    """Works without signing in: the signed link names the account and the topics."""
    if request.method == "POST":
        _user, topics = services.unsubscribe(token)
        done = True
    else:
        _user, topics = services.unsubscribe_target(token)
        done = False
    return render_template(
        "notifications/unsubscribe.html",
        topics=[TOPICS[topic] for topic in topics],
        done=done,
        action=url_for("notifications.unsubscribe", token=token),
    )
