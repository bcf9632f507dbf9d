"""The workflow both record types follow: saving with revisions, review, archive, delete,
revert. Helpers without a leading verb of their own (``apply_changes``, ``set_status``)
work inside the caller's transaction; the rest commit, record staff actions in the audit
log, and send their signal after the commit.
"""

from flask import current_app
from sqlalchemy import select

from kx import signals
from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.records.models import MULTI_VALUED, PUBLISHED, Record, Revision

# item type -> function(snapshot) returning identifier warnings; each package registers its
# own check, so that a revert describes the restored text (records cannot import them).
IDENTIFIER_CHECKS: dict = {}


def can_edit(item: Record, actor) -> bool:
    """Whether ``actor`` may change ``item``: its author or a moderator. Any viewer may be
    asked about: a signed-out visitor (whose id is None, like the author of an item whose
    account was erased) may not."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and (actor.is_moderator or item.author_id == actor.id)
    )


def apply_changes(item: Record, data: dict, actor) -> list[str]:
    """Set the validated ``data`` on ``item``, render changed Markdown, store a revision.

    Returns the names of the fields that changed (empty: nothing changed, no revision).
    """
    from kx.text import render_markdown

    before = item.snapshot() if item.id else {}
    if item.id is None:
        item.fill_defaults()
    for name, value in data.items():
        if name in MULTI_VALUED:
            item.set_slugs(name, value)
        elif name in item.revised_fields:
            setattr(item, name, value)
    after = item.snapshot()
    changed = [name for name in after if before.get(name) != after[name]]
    for name in item.markdown_fields:
        if name in changed:
            setattr(item, f"{name}_html", render_markdown(getattr(item, name)))
    if not changed:
        return []
    item.updated_at = utcnow()
    db.session.add(item)
    db.session.flush()  # an id for a new item's revision
    db.session.add(
        Revision(
            item_type=item.item_type,
            item_id=item.id,
            author_id=actor.id if actor else None,
            fields_changed=changed,
            snapshot=after,
        )
    )
    return changed


def submission_status(item: Record, actor, submit: bool | None, new_warnings: bool) -> str:
    """The status after an author's save.

    ``submit`` true sends a draft (or rejected or archived item) for review, or publishes it
    at once when moderators submit their own item (another member's goes through review,
    so it is decided on the record); false takes it back to draft; None keeps the status.
    An edit of a published item stays published unless it raises new identifier warnings.
    """
    if item.status == PUBLISHED:
        return "pending" if new_warnings and not actor.is_moderator else PUBLISHED
    if submit is None:
        return item.status or "draft"
    if not submit:
        return "draft"
    own = item.author_id in (None, actor.id)
    return PUBLISHED if actor.is_moderator and own else "pending"


def set_status(item: Record, status: str) -> None:
    if status == item.status:
        return
    item.status = status
    now = utcnow()
    if status == "pending":
        item.submitted_at = now
        item.review_note = ""  # a resubmission starts a new review
    if status == PUBLISHED:
        item.published_at = item.published_at or now
        item.review_note = ""


def revisions_of(item: Record) -> list[Revision]:
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.item_type == item.item_type, Revision.item_id == item.id)
            .order_by(Revision.id)
        )
    )


def delete_revisions(item: Record) -> None:
    db.session.execute(
        Revision.__table__.delete().where(
            Revision.item_type == item.item_type, Revision.item_id == item.id
        )
    )


def announce(item: Record, was_published: bool) -> None:
    """Tell listeners (search, feeds) about a saved item; call after the commit."""
    app = current_app._get_current_object()
    if item.is_published and not was_published:
        signals.item_published.send(app, item=item)
    else:
        signals.item_changed.send(app, item=item)


def review(item: Record, moderator, decision: str, reason: str = "") -> None:
    """A moderator approves (publishes) or rejects (with a reason) a pending item."""
    if not moderator.is_moderator:
        raise Forbidden("Only moderators review submissions.")
    if item.status != "pending":
        raise Invalid("Only pending items can be reviewed.", {"decision": ["Not pending."]})
    if decision not in ("approve", "reject"):
        raise Invalid("Choose approve or reject.", {"decision": ["Choose approve or reject."]})
    reason = reason.strip()
    if decision == "reject" and not reason:
        raise Invalid("Say why, so the author can fix it.", {"reason": ["Give a reason."]})
    with transaction():
        set_status(item, PUBLISHED if decision == "approve" else "rejected")
        item.review_note = reason if decision == "reject" else ""
        record_audit(
            moderator, f"{item.item_type}.{decision}", item.item_type, item.id, reason=reason
        )
    announce(item, was_published=False)


def archive(item: Record, actor) -> None:
    """Take a published item out of circulation (author or moderator)."""
    if not can_edit(item, actor):
        raise Forbidden("Only the author or a moderator may archive this.")
    if item.status != PUBLISHED:
        raise Invalid("Only published items can be archived.")
    with transaction():
        set_status(item, "archived")
        if item.author_id != actor.id:
            record_audit(actor, f"{item.item_type}.archive", item.item_type, item.id)
    announce(item, was_published=True)


def delete(item: Record, actor) -> None:
    """Delete an item with its revisions and links (author or moderator)."""
    if not can_edit(item, actor):
        raise Forbidden("Only the author or a moderator may delete this.")
    kind, item_id = item.item_type, item.id
    with transaction():
        delete_revisions(item)
        db.session.delete(item)
        if item.author_id != actor.id:
            record_audit(actor, f"{kind}.delete", kind, item_id, title=item.title)
    signals.item_deleted.send(current_app._get_current_object(), kind=kind, item_id=item_id)


def revert(item: Record, moderator, revision_id: int) -> list[str]:
    """Restore the fields of one of ``item``'s revisions (moderators); a new revision."""
    if not moderator.is_moderator:
        raise Forbidden("Only moderators may revert.")
    revision = db.session.get(Revision, revision_id)
    if revision is None or (revision.item_type, revision.item_id) != (item.item_type, item.id):
        raise NotFound("No such revision of this item.")
    was_published = item.is_published
    with transaction():
        changed = apply_changes(item, revision.snapshot, moderator)
        check = IDENTIFIER_CHECKS.get(item.item_type)
        if check is not None:
            item.identifier_warnings = check(item.snapshot())
        record_audit(
            moderator,
            f"{item.item_type}.revert",
            item.item_type,
            item.id,
            revision=revision_id,
            fields=changed,
        )
    announce(item, was_published)
    return changed
