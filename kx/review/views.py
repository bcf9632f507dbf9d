"""Review queue (moderators), "my items" (authors) and the revision pages of both record
types (``/practices/<id>/revisions`` and ``/research/<id>/revisions``)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func

from kx.accounts.views import staff_required
from kx.anonymisation import KIND_LABELS
from kx.errors import Invalid
from kx.extensions import db
from kx.kinds import BY_SEGMENT, REVIEWED, REVIEWED_SEGMENTS, REVIEWED_SLUGS
from kx.records import rules
from kx.records import services as records
from kx.review.queue import diff_lines, field_label, review_entries, review_entry
from kx.security import safe_next

review = Blueprint("review", __name__)

STATUS_ORDER = ("draft", "pending", "rejected", "published", "archived")
#: items of each kind shown per status on "my items", most recently changed first (a
#: prolific author's page stays one bounded, indexed query per group; the API lists all)
MY_ITEMS_SHOWN = 100


def _viewer():
    return current_user._get_current_object()


@review.app_context_processor
def _helpers():
    return {"field_label": field_label, "kind_labels": KIND_LABELS}


# Review queue


def _render_queue(
    errors: dict | None = None,
    reasons: dict | None = None,
    alert: str = "",
    status: int = 200,
):
    return render_template(
        "review/queue.html",
        entries=review_entries(_viewer()),
        errors=errors or {},
        reasons=reasons or {},
        alert=alert,
    ), status


@review.route("/review")
@staff_required
def queue():
    return _render_queue()


@review.route(f"/review/<any({REVIEWED_SLUGS}):kind>/<int:item_id>")
@staff_required
def read(kind: str, item_id: int):
    """One waiting item in full, with its findings, and only then the approve button."""
    entry = review_entry(kind, REVIEWED[kind].get(item_id, _viewer()))
    if entry is None:
        abort(404)
    item = entry["item"]
    sections = [(name, field_label(name)) for name in item.markdown_fields]
    return render_template("review/item.html", entry=entry, item=item, sections=sections)


@review.route(f"/review/<any({REVIEWED_SLUGS}):kind>/<int:item_id>", methods=["POST"])
@staff_required
def decide(kind: str, item_id: int):
    moderator = _viewer()
    item = REVIEWED[kind].get(item_id, moderator)
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    is_edit = item.is_published
    try:
        records.review(item, moderator, decision, reason)
    except Invalid as exc:
        key = f"{kind}-{item_id}"
        messages = [m for field in exc.fields.values() for m in field] or [exc.message]
        alert = f"“{item.title}” was not reviewed: {exc.message}"
        return _render_queue({key: messages}, {key: reason}, alert, status=422)
    if decision == "approve":
        flash(f"Published: “{item.title}”{' with the changes' if is_edit else ''}.", "success")
    elif is_edit:
        flash(
            f"Changes rejected: “{item.title}” stays as published. The author sees your reason.",
            "info",
        )
    else:
        flash(f"Rejected: “{item.title}”. The author sees your reason.", "info")
    return redirect(safe_next(request.form.get("next"), url_for("review.queue")))


# The author's own items


@review.route("/my-items")
@login_required
def my_items():
    viewer = _viewer()
    groups = {status: [] for status in STATUS_ORDER}
    totals = dict.fromkeys(STATUS_ORDER, 0)
    waiting = set()
    for kind, info in REVIEWED.items():
        mine = info.query(viewer, {"author": "me"}).order_by(None)
        model = info.model
        counts = db.session.execute(
            mine.with_only_columns(model.status, func.count()).group_by(model.status)
        )
        for status, count in counts:
            totals[status] = totals.get(status, 0) + count
            latest = mine.where(model.status == status).order_by(model.updated_at.desc())
            for item in db.session.scalars(latest.limit(MY_ITEMS_SHOWN)):
                groups.setdefault(status, []).append((kind, item))
        waiting |= {(kind, edit.item_id) for edit in records.pending_edits(kind, viewer.id)}
    for entries in groups.values():
        entries.sort(key=lambda entry: entry[1].updated_at, reverse=True)
    return render_template(
        "review/my_items.html",
        groups=groups,
        totals=totals,
        kinds=REVIEWED,
        edits_waiting=waiting,
    )


# Revisions (both record types)


def _item_with_history(segment: str, item_id: int):
    """The item when the viewer may read its revisions (403 otherwise)."""
    viewer = _viewer()
    item = BY_SEGMENT[segment].get(item_id, viewer)
    if not rules.can_read_revisions(item, viewer):
        abort(403)
    return item


@review.route(f"/<any({REVIEWED_SEGMENTS}):segment>/<int:item_id>/revisions")
@login_required
def revisions(segment: str, item_id: int):
    item = _item_with_history(segment, item_id)
    history = records.revisions_of(item)
    return render_template(
        "review/revisions.html",
        item=item,
        segment=segment,
        kind_name=BY_SEGMENT[segment].singular,
        revisions=list(reversed(list(enumerate(history, start=1)))),
        latest_id=history[-1].id if history else None,
    )


@review.route(f"/<any({REVIEWED_SEGMENTS}):segment>/<int:item_id>/revisions/<int:revision_id>")
@login_required
def revision(segment: str, item_id: int, revision_id: int):
    item = _item_with_history(segment, item_id)
    history = records.revisions_of(item)
    index = next((i for i, r in enumerate(history) if r.id == revision_id), None)
    if index is None:
        abort(404)
    current, previous = history[index], history[index - 1] if index else None
    changes = [
        {"name": name, "label": field_label(name), "lines": diff_lines(old, new)}
        for name, (old, new) in current.changes_from(previous).items()
    ]
    return render_template(
        "review/revision.html",
        item=item,
        segment=segment,
        kind_name=BY_SEGMENT[segment].singular,
        revision=current,
        number=index + 1,
        previous=previous,
        changes=changes,
        is_latest=index == len(history) - 1,
    )


@review.route(
    f"/<any({REVIEWED_SEGMENTS}):segment>/<int:item_id>/revisions/<int:revision_id>/revert",
    methods=["POST"],
)
@login_required
def revert(segment: str, item_id: int, revision_id: int):
    viewer = _viewer()
    item = BY_SEGMENT[segment].get(item_id, viewer)
    changed = records.revert(item, viewer, revision_id)
    if changed:
        names = ", ".join(field_label(name).lower() for name in changed)
        flash(f"Reverted: {names} restored from that revision.", "success")
    else:
        flash("Nothing to revert: the item already matches that revision.", "info")
    return redirect(url_for("review.revisions", segment=segment, item_id=item_id))
