"""Forum pages for reports and moderation: reporting a post, the moderators' queue, and
their actions on posts, threads and categories (on the ``forum`` blueprint)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from kx.accounts.views import staff_required
from kx.errors import Invalid, NotFound
from kx.forum import moderation as moderating
from kx.forum import services
from kx.forum.forms import ReportForm
from kx.forum.limits import reporting_limit
from kx.forum.models import CATEGORIES, REPORT_REASONS
from kx.forum.views import forum, post_url, require_poster
from kx.web import apply_errors, database_id, redirect_next


def _viewer():
    return current_user._get_current_object()


@forum.route("/threads/<int:thread_id>/moderate", methods=["POST"])
@login_required
def moderate_thread(thread_id: int):
    viewer = _viewer()
    thread = services.get_thread(thread_id, viewer)
    action = request.form.get("action", "")
    try:
        moderating.moderate_thread(viewer, thread, action, request.form.get("category") or None)
    except Invalid as exc:
        flash(exc.message, "error")
        return redirect(url_for("forum.thread", thread_id=thread.id))
    messages = {
        "lock": "The thread is locked: it takes no more replies.",
        "unlock": "The thread is open for replies again.",
        "pin": "The thread is pinned to the top of its category.",
        "unpin": "The thread is no longer pinned.",
        "move": f"The thread is moved to {CATEGORIES.get(thread.category, '')}.",
        "delete": "The thread is deleted.",
    }
    flash(messages[action], "success")
    if action == "delete":
        return redirect(url_for("forum.category", category=thread.category))
    return redirect(url_for("forum.thread", thread_id=thread.id))


@forum.route("/posts/<int:post_id>/report", methods=["GET", "POST"])
@reporting_limit
@login_required
def report_post(post_id: int):
    viewer = _viewer()
    post = services.get_post(post_id, viewer)
    if post.event or post.deleted_at is not None:
        raise NotFound("This post was deleted.")
    require_poster(viewer)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            report = moderating.report_post(viewer, post, form.reason.data or "", form.note.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            if report.reason == moderating.ILLEGAL:
                queued = {"queued": 1} if report.urgent else {}
                return redirect(url_for("forum.report_guidance", thread=post.thread_id, **queued))
            flash("Thank you. The moderators will look at this post.", "success")
            return redirect(post_url(post, viewer))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "forum/report.html", form=form, post=post, reasons=REPORT_REASONS
    ), status


@forum.route("/report-guidance")
@login_required
def report_guidance():
    thread_id = database_id(request.args.get("thread"))
    thread = None
    if thread_id is not None:
        try:
            thread = services.get_thread(thread_id, _viewer())
        except NotFound:
            thread = None
    return render_template(
        "forum/report_guidance.html",
        thread=thread,
        queued=bool(request.args.get("queued")),
        hides_per_day=moderating.HIDES_PER_DAY,
    )


@forum.route("/posts/<int:post_id>/moderate", methods=["POST"])
@login_required
def moderate_post(post_id: int):
    viewer = _viewer()
    post = services.get_post(post_id, viewer)
    action = request.form.get("action", "")
    moderating.moderate_post(viewer, post, action)
    flash("The post is hidden." if action == "hide" else "The post is visible again.", "success")
    return redirect_next(post_url(post, viewer))


# Moderation


@forum.route("/moderation")
@staff_required
def moderation():
    visibilities = services.category_visibilities()
    return render_template(
        "forum/moderation.html",
        reports=moderating.open_reports(),
        hides_per_day=moderating.HIDES_PER_DAY,
        reasons=REPORT_REASONS,
        categories=[
            {"slug": slug, "name": name, "visibility": visibilities[slug]}
            for slug, name in CATEGORIES.items()
        ],
    )


@forum.route("/reports/<int:report_id>/resolve", methods=["POST"])
@staff_required
def resolve_report(report_id: int):
    report = moderating.get_report(report_id)
    if report.resolved_at is not None:
        flash("This report was already closed.", "info")
        return redirect(url_for("forum.moderation"))
    resolution = request.form.get("resolution", "")
    closed = moderating.resolve_report(_viewer(), report, resolution)
    message = {
        "dismiss": "Report dismissed.",
        "hide": "Report closed: the post is hidden.",
        "delete": "Report closed: the post is deleted.",
    }[resolution]
    if closed > 1:
        others = closed - 1
        message += f" {others} other report{'' if others == 1 else 's'} on it closed too."
    flash(message, "success")
    return redirect(url_for("forum.moderation"))


@forum.route("/categories/<category>/visibility", methods=["POST"])
@staff_required
def category_visibility(category: str):
    visibility = request.form.get("visibility", "")
    services.set_category_visibility(_viewer(), category, visibility)
    flash(
        f"{CATEGORIES[category]} is now "
        + ("public." if visibility == "public" else "for verified members only."),
        "success",
    )
    return redirect(url_for("forum.moderation"))
