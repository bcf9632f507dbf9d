"""The workflow both record types follow: saving with revisions, review, archive, delete,
revert. Helpers without a leading verb of their own (``apply_changes``, ``set_status``)
work inside the caller's transaction; the rest commit and record staff actions in the
audit log.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from kx.anonymisation import identifier_warnings
from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.records import quota
from kx.records.models import (
    APPLIED,
    MULTI_VALUED,
    PROPOSED,
    PUBLISHED,
    REFUSED,
    Record,
    Revision,
    can_view,
)
from kx.records.rules import can_edit, can_review
from kx.schemas import load

# item type -> function(snapshot) returning identifier warnings; each package registers its
# own check, so that a revert describes the restored text (records cannot import them).
IDENTIFIER_CHECKS: dict = {}
# item type -> function(item, values) raising Invalid when ``values`` may not be published
# (e.g. a DOI another published summary has); run before an approval.
APPROVAL_CHECKS: dict = {}
VISIBILITY_FIELDS = ("visibility", "restricted_sectors")
# functions(item, moderator, decision, reason, edit) run inside every review decision's
# transaction (kx.notifications tells the author); records cannot import them.
REVIEW_LISTENERS: list[Callable] = []


@dataclass(frozen=True)
class SaveHooks:
    """What one record kind brings to ``save_record``."""

    model: type[Record]
    input_schema: type
    sign_in: str  # the refusal a visitor gets
    required: tuple[str, ...] = ("title",)  # on creation
    checked_fields: tuple[str, ...] = ()  # read by the anonymisation check
    # function(values) -> authors whose names in the checked fields are citations
    cited_authors: Callable | None = None
    # (field, message): a box that must be ticked to submit; the item keeps it set
    confirm: tuple[str, str] | None = None
    # function(data, item, actor) raising Conflict when ``data`` clashes with another item
    check_conflicts: Callable | None = None


def get_record(model: type[Record], item_id: int, viewer, missing: str) -> Record:
    """The item if ``viewer`` may see it; otherwise ``NotFound`` saying ``missing``, as for
    an item that does not exist (existence stays hidden)."""
    item = db.session.get(model, item_id)
    if item is None or not can_view(item, viewer):
        raise NotFound(missing)
    return item


def save_record(hooks: SaveHooks, actor, data: dict, item: Record | None = None) -> Record:
    """Create (no ``item``) or update an item of ``hooks.model`` from form or API data.

    ``submit`` true sends it for review (moderators publish their own directly); false keeps
    or makes a draft. A published item stays published: its author's changes wait for
    review beside it (moderators' apply at once).
    """
    if actor is None or not actor.is_authenticated:
        raise Forbidden(hooks.sign_in)
    if item is not None and not can_edit(item, actor):
        raise Forbidden("Only the author or a moderator may edit this.")
    data = load(hooks.input_schema, data, partial=item is not None)
    submit = data.pop("submit", None)
    confirmed = data.pop(hooks.confirm[0], False) if hooks.confirm else True
    merged = {**(editing_values(item, actor) if item else {}), **data}
    errors = {
        name: ["This field is required."]
        for name in hooks.required
        if item is None and not merged.get(name)
    }
    if merged.get("visibility") == "restricted" and not merged.get("restricted_sectors"):
        errors["restricted_sectors"] = ["Choose the sectors that may see a restricted item."]
    if submit and not confirmed:
        errors[hooks.confirm[0]] = [hooks.confirm[1]]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    if hooks.check_conflicts is not None:
        hooks.check_conflicts(data, item, actor)
    if submit and not actor.is_verified:
        raise Forbidden("Your account must be verified before you can submit for review.")
    quota.check_unverified_write(actor, new_items=int(item is None))
    # the costly checks of the text, before the write lock; a refused render spares the rest
    html = render_changes(item or hooks.model, data)
    authors = hooks.cited_authors(merged) if hooks.cited_authors else ()
    warnings = identifier_warnings(merged, hooks.checked_fields, authors)
    status = submission_status(item or hooks.model(status="draft"), actor, submit)
    with transaction():
        if edits_need_review(item, actor):
            save_edit(item, merged, actor, warnings)
        else:
            if item is None:
                item = hooks.model(author_id=actor.id, status="draft")
            changed = apply_changes(item, data, actor, html)
            item.identifier_warnings = warnings
            audit_staff_edit(item, actor, changed)
        if submit and hooks.confirm:
            setattr(item, hooks.confirm[0], True)
        set_status(item, status)
    return item


def render_changes(item: Record | type[Record], data: dict) -> dict[str, str]:
    """The sanitised HTML of the Markdown in ``data`` that differs from ``item``'s (a class
    for a new item), for ``apply_changes``. Call it before the write transaction opens:
    rendering is bounded but takes time. ``Invalid`` names a field too complex to render.
    """
    from kx.text import render_fields

    current = item if isinstance(item, Record) else None
    return render_fields(
        {
            name: data[name]
            for name in item.markdown_fields
            if name in data and (current is None or getattr(current, name) != data[name])
        }
    )


def apply_changes(item: Record, data: dict, actor, html: dict[str, str] | None = None) -> list[str]:
    """Set the validated ``data`` on ``item`` with its Markdown's ``html`` (from
    ``render_changes``), and store a revision.

    Returns the names of the fields that changed (empty: nothing changed, no revision).
    """
    from kx.text import render_markdown

    html = html or {}
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
            source = getattr(item, name)
            # without ``html`` this renders, and refuses to inside the transaction
            setattr(item, f"{name}_html", html[name] if name in html else render_markdown(source))
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


def submission_status(item: Record, actor, submit: bool | None) -> str:
    """The status after an author's save.

    ``submit`` true sends a draft (or rejected or archived item) for review, or publishes it
    at once when moderators submit their own item (another member's goes through review,
    so it is decided on the record); false takes it back to draft; None keeps the status.
    A published item stays published: its author's edits wait beside it (``save_edit``).
    """
    if item.status == PUBLISHED:
        return PUBLISHED
    if submit is None:
        return item.status or "draft"
    if not submit:
        return "draft"
    own = item.author_id in (None, actor.id)
    return PUBLISHED if actor.is_moderator and own else "pending"


# Edits of published items


def edits_need_review(item: Record | None, actor) -> bool:
    """Whether ``actor``'s changes to ``item`` wait for a moderator: anyone but a
    moderator editing a published item."""
    return bool(item is not None and item.is_published and not actor.is_moderator)


def pending_edit(item: Record) -> Revision | None:
    """The edit of ``item`` waiting for review, if any."""
    if item.id is None:
        return None
    return db.session.scalar(
        select(Revision).where(
            Revision.item_type == item.item_type,
            Revision.item_id == item.id,
            Revision.status == PROPOSED,
        )
    )


def pending_edits(item_type: str, author_id: int | None = None) -> list[Revision]:
    """The edits of ``item_type`` items waiting for review (only ``author_id``'s, if
    given), oldest first."""
    statement = select(Revision).where(Revision.item_type == item_type, Revision.status == PROPOSED)
    if author_id is not None:
        statement = statement.where(Revision.author_id == author_id)
    return list(db.session.scalars(statement.order_by(Revision.created_at, Revision.id)))


def editing_values(item: Record, actor) -> dict:
    """What ``actor`` edits: the item's values, with their own pending edit on top."""
    values = item.snapshot()
    edit = pending_edit(item) if edits_need_review(item, actor) else None
    if edit is not None:
        values.update(edit.proposed_changes())
    return values


def _audience(values: dict) -> tuple[int, set]:
    """Who may see an item with ``values``: (breadth, sectors) to compare two states."""
    breadth = {"public": 2, "members": 1}.get(values.get("visibility"), 0)
    return breadth, set(values.get("restricted_sectors") or [])


def widens_audience(before: dict, after: dict) -> bool:
    """Whether ``after`` shows the item to someone ``before`` did not."""
    (old, old_sectors), (new, new_sectors) = _audience(before), _audience(after)
    if new != old:
        return new > old
    return new == 0 and not new_sectors <= old_sectors


def _normal(name: str, value):
    return sorted(dict.fromkeys(value or [])) if name in MULTI_VALUED else value


def split_edit(item: Record, values: dict) -> tuple[dict, dict]:
    """An edit of a published item as (what applies now, what waits for review).

    Narrowing who may see it applies at once; new text and a wider audience wait.
    ``values`` are the full values the author wants.
    """
    live = item.snapshot()
    wanted = {name: _normal(name, values.get(name, live[name])) for name in live}
    changed = {name: value for name, value in wanted.items() if live[name] != value}
    now = {}
    if any(name in changed for name in VISIBILITY_FIELDS) and not widens_audience(live, wanted):
        now = {name: wanted[name] for name in VISIBILITY_FIELDS}
    waiting = {name: value for name, value in changed.items() if name not in now}
    return now, waiting


def save_edit(item: Record, values: dict, actor, warnings: list) -> bool:
    """Apply the narrowing part of an author's edit of a published item and hold the rest
    as its pending edit (replacing an earlier one); inside the caller's transaction.

    Returns whether an edit now waits for review.
    """
    now, waiting = split_edit(item, values)
    apply_changes(item, now, actor)
    edit = pending_edit(item)
    if not waiting:
        if edit is not None:  # the author went back to the published text
            db.session.delete(edit)
        return False
    if edit is None:
        edit = Revision(item_type=item.item_type, item_id=item.id, status=PROPOSED)
        db.session.add(edit)
    edit.author_id = actor.id
    edit.created_at = utcnow()
    edit.fields_changed = list(waiting)
    edit.snapshot = {**item.snapshot(), **waiting}
    edit.identifier_warnings = warnings
    item.review_note = ""  # the reason for refusing an earlier edit is answered
    return True


def audit_staff_edit(item: Record, actor, changed: list[str]) -> None:
    """Record a moderator's change to someone else's item (inside the transaction)."""
    if changed and actor.is_moderator and item.author_id != actor.id:
        record_audit(actor, f"{item.item_type}.edit", item.item_type, item.id, fields=changed)


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
    """The item's history: the revisions that were applied, oldest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(
                Revision.item_type == item.item_type,
                Revision.item_id == item.id,
                Revision.status == APPLIED,
            )
            .order_by(Revision.id)
        )
    )


def delete_revisions(item: Record) -> None:
    db.session.execute(
        Revision.__table__.delete().where(
            Revision.item_type == item.item_type, Revision.item_id == item.id
        )
    )


def review(item: Record, moderator, decision: str, reason: str = "") -> None:
    """A moderator approves (publishes) or rejects (with a reason) a pending item, or the
    pending edit of a published one."""
    if not can_review(moderator):
        raise Forbidden("Only moderators review submissions.")
    edit = pending_edit(item) if item.is_published else None
    if item.status != "pending" and edit is None:
        raise Invalid("Only pending items can be reviewed.", {"decision": ["Not pending."]})
    if decision not in ("approve", "reject"):
        raise Invalid("Choose approve or reject.", {"decision": ["Choose approve or reject."]})
    reason = reason.strip()
    if decision == "reject" and not reason:
        raise Invalid("Say why, so the author can fix it.", {"reason": ["Give a reason."]})
    check = APPROVAL_CHECKS.get(item.item_type)
    if decision == "approve" and check is not None:
        check(item, {**item.snapshot(), **(edit.proposed_changes() if edit else {})})
    approved = _prepare(item, edit.proposed_changes()) if edit and decision == "approve" else None
    with transaction():
        if edit is not None:
            _decide_edit(item, edit, decision, reason, approved)
        else:
            set_status(item, PUBLISHED if decision == "approve" else "rejected")
            item.review_note = reason if decision == "reject" else ""
        record_audit(
            moderator,
            f"{item.item_type}.{decision}",
            item.item_type,
            item.id,
            reason=reason,
            **({"edit": edit.id, "fields": list(edit.fields_changed)} if edit else {}),
        )
        for listener in REVIEW_LISTENERS:
            listener(item, moderator, decision, reason, edit)


def _prepare(item: Record, values: dict) -> tuple[dict[str, str], list | None]:
    """The rendered Markdown of ``values`` and the identifier warnings of ``item`` with them
    applied (None: its type has no check), worked out before the write transaction."""
    check = IDENTIFIER_CHECKS.get(item.item_type)
    warnings = check({**item.snapshot(), **values}) if check is not None else None
    return render_changes(item, values), warnings


def _decide_edit(
    item: Record, edit: Revision, decision: str, reason: str, approved: tuple | None
) -> None:
    if decision == "reject":
        edit.status = REFUSED
        edit.review_note = reason
        item.review_note = reason  # the author reads it beside the published version
        return
    html, warnings = approved
    apply_changes(item, edit.proposed_changes(), edit.author, html)
    if warnings is not None:
        item.identifier_warnings = warnings
    item.review_note = ""
    db.session.delete(edit)  # apply_changes stored the approved state as a new revision


def archive(item: Record, actor) -> None:
    """Take a published item out of circulation (author or moderator)."""
    if not can_edit(item, actor):
        raise Forbidden("Only the author or a moderator may archive this.")
    if item.status != PUBLISHED:
        raise Invalid("Only published items can be archived.")
    with transaction():
        set_status(item, "archived")
        edit = pending_edit(item)
        if edit is not None:  # nothing is published for it to replace any more
            db.session.delete(edit)
        if item.author_id != actor.id:
            record_audit(actor, f"{item.item_type}.archive", item.item_type, item.id)


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


def revert(item: Record, moderator, revision_id: int) -> list[str]:
    """Restore the fields of one of ``item``'s revisions (moderators); a new revision."""
    if not can_review(moderator):
        raise Forbidden("Only moderators may revert.")
    revision = db.session.get(Revision, revision_id)
    if (
        revision is None
        or (revision.item_type, revision.item_id) != (item.item_type, item.id)
        or revision.status != APPLIED
    ):
        raise NotFound("No such revision of this item.")
    html, warnings = _prepare(item, revision.snapshot)
    with transaction():
        changed = apply_changes(item, revision.snapshot, moderator, html)
        if warnings is not None:
            item.identifier_warnings = warnings
        record_audit(
            moderator,
            f"{item.item_type}.revert",
            item.item_type,
            item.id,
            revision=revision_id,
            fields=changed,
        )
    return changed


def erase_unpublished(model: type[Record], user) -> None:
    """Delete ``user``'s unpublished items of ``model`` (drafts, pending, rejected) with their
    revisions, and their edits of published items still waiting or refused; an account
    deletion's eraser, inside its transaction."""
    items = db.session.scalars(
        select(model).where(
            model.author_id == user.id, model.status.in_(("draft", "pending", "rejected"))
        )
    )
    for item in items:
        delete_revisions(item)
        db.session.delete(item)
    db.session.execute(
        Revision.__table__.delete().where(
            Revision.item_type == model.item_type,
            Revision.author_id == user.id,
            Revision.status.in_((PROPOSED, REFUSED)),
        )
    )
