"""Writing, listing and reviewing practice examples; the only code here that commits."""

from sqlalchemy import nulls_last, select

from kx.accounts import services as accounts
from kx.anonymisation import identifier_warnings
from kx.database import transaction
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.schemas import PracticeInputSchema
from kx.records import quota, rules
from kx.records import services as records
from kx.records.models import can_view, has_term, owned_by, visible_to
from kx.schemas import load

CHECKED_FIELDS = (
    "title",
    "summary",
    "body",
    "outcomes",
    "implementation",
    "challenges",
    "organisation",
    "target_population",
)
REQUIRED_ON_CREATE = ("title", "domains")


def get_practice(practice_id: int, viewer) -> Practice:
    """The practice if ``viewer`` may see it; otherwise ``NotFound`` (existence stays hidden)."""
    practice = db.session.get(Practice, practice_id)
    if practice is None or not can_view(practice, viewer):
        raise NotFound("No such practice example.")
    return practice


def practice_query(viewer, filters: dict | None = None, sort: str = "newest"):
    """``select(Practice)`` of what ``viewer`` may see, filtered and sorted."""
    filters = filters or {}
    statement = select(Practice).where(visible_to(Practice, viewer))
    for field in ("domains", "countries", "stages"):
        if filters.get(field):
            statement = statement.where(has_term(Practice, field, filters[field]))
    for column in ("prevention_level", "evaluation_status", "status"):
        if filters.get(column):
            statement = statement.where(getattr(Practice, column) == filters[column])
    if filters.get("author") == "me":
        statement = statement.where(owned_by(Practice, viewer))
    if sort == "title":
        return statement.order_by(Practice.title, Practice.id)
    return statement.order_by(
        nulls_last(Practice.published_at.desc()), Practice.created_at.desc(), Practice.id.desc()
    )


def save_practice(actor, data: dict, practice: Practice | None = None) -> Practice:
    """Create (no ``practice``) or update a practice from form or API data.

    ``submit`` true sends it for review (moderators publish directly) and needs
    ``anonymised_confirmed``; false keeps or makes a draft. A published item stays
    published: its author's changes wait for review beside it (moderators' apply at once).
    """
    if actor is None or not actor.is_authenticated:
        raise Forbidden("Sign in to write practice examples.")
    if practice is not None and not rules.can_edit(practice, actor):
        raise Forbidden("Only the author or a moderator may edit this.")
    data = load(PracticeInputSchema, data, partial=practice is not None)
    submit = data.pop("submit", None)
    confirmed = data.pop("anonymised_confirmed", False)
    current = records.editing_values(practice, actor) if practice else {}
    merged = {**current, **data}
    errors = {
        name: ["This field is required."]
        for name in REQUIRED_ON_CREATE
        if practice is None and not merged.get(name)
    }
    if merged.get("visibility") == "restricted" and not merged.get("restricted_sectors"):
        errors["restricted_sectors"] = ["Choose the sectors that may see a restricted item."]
    status = records.submission_status(practice or Practice(status="draft"), actor, submit)
    if submit and not confirmed:
        errors["anonymised_confirmed"] = [
            "Confirm that the example is anonymised before you submit it."
        ]
    if submit and not actor.is_verified:
        raise Forbidden("Your account must be verified before you can submit for review.")
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    quota.check_unverified_write(actor, new_items=int(practice is None))
    # the costly checks of the text, before the write lock; a refused render spares the rest
    html = records.render_changes(practice or Practice, data)
    warnings = identifier_warnings(merged, CHECKED_FIELDS)
    with transaction():
        if records.edits_need_review(practice, actor):
            records.save_edit(practice, merged, actor, warnings)
        else:
            if practice is None:
                practice = Practice(author_id=actor.id, status="draft")
            changed = records.apply_changes(practice, data, actor, html)
            practice.identifier_warnings = warnings
            records.audit_staff_edit(practice, actor, changed)
        if submit:
            practice.anonymised_confirmed = True
        records.set_status(practice, status)
    return practice


def _export(user) -> list[dict]:
    from kx.practice.schemas import PracticeSchema

    items = db.session.scalars(select(Practice).where(Practice.author_id == user.id))
    fields = [f for f in PracticeSchema().fields if f not in ("evidence", "evidence_level", "url")]
    return PracticeSchema(only=fields).dump(items, many=True)


accounts.register_export("practice_examples", _export)
records.IDENTIFIER_CHECKS["practice"] = lambda values: identifier_warnings(values, CHECKED_FIELDS)
accounts.register_erasure(lambda user: records.erase_unpublished(Practice, user))
