"""``/api/v1/review``: the moderators' queue of pending submissions and pending edits of
published items, and their decisions."""

from marshmallow import Schema, fields, validate

from kx import schemas
from kx.accounts.schemas import UserSummarySchema
from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.schemas import page_of
from kx.errors import Forbidden
from kx.kinds import RESEARCH, REVIEWED, REVIEWED_SLUGS
from kx.records import rules
from kx.records import services as records
from kx.records.schemas import IdentifierWarningSchema
from kx.review.queue import review_entries

TAGS = ("review",)


class ReviewQuerySchema(PageQuerySchema):
    type = fields.List(
        fields.Str(validate=validate.OneOf(list(REVIEWED))),
        metadata={"description": "`practice` or `research` (repeatable); both by default."},
    )


class ReviewChangeSchema(Schema):
    field = fields.Str(required=True)
    before = fields.Raw(required=True, allow_none=True, metadata={"description": "Published."})
    after = fields.Raw(required=True, allow_none=True, metadata={"description": "Proposed."})
    diff = fields.List(fields.Str(), required=True, metadata={"description": "Unified diff lines."})


class DoiClashSchema(Schema):
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    status = fields.Str(required=True)
    url = fields.Str(required=True)


class ReviewItemSchema(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(list(REVIEWED)))
    kind = fields.Str(
        required=True,
        validate=validate.OneOf(["submission", "edit"]),
        metadata={
            "description": "`submission`: a new item; `edit`: changes to a published item, "
            "which stays as published until approved."
        },
    )
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    visibility = fields.Str(required=True)
    submitted_at = schemas.UTCDateTime(required=True, allow_none=True)
    updated_at = schemas.UTCDateTime(required=True)
    identifier_warnings = fields.List(
        fields.Nested(IdentifierWarningSchema),
        required=True,
        metadata={"description": "What the anonymisation check found (in the edit, for one)."},
    )
    changes = fields.List(
        fields.Nested(ReviewChangeSchema),
        required=True,
        metadata={"description": "An edit's changes against the published version."},
    )
    doi_clashes = fields.List(
        fields.Nested(DoiClashSchema),
        required=True,
        metadata={"description": "Other summaries with the same DOI (research)."},
    )
    url = fields.Str(required=True, metadata={"description": "The HTML page."})
    api_url = fields.Str(required=True, metadata={"description": "The item in this API."})


class ReviewDecisionSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = schemas.text(
        2000,
        load_default="",
        metadata={"description": "Required to reject: the author sees it."},
    )


class ReviewResultSchema(Schema):
    type = fields.Str(required=True)
    id = fields.Int(required=True)
    status = fields.Str(
        required=True,
        metadata={
            "description": "`published` or `rejected`; a rejected edit leaves the item "
            "`published` as it was, with the reason in `review_note`."
        },
    )
    review_note = fields.Str(required=True)
    url = fields.Str(required=True)


def _moderator():
    viewer = api_user()
    if not rules.can_review(viewer):
        raise Forbidden("Only moderators review submissions.")
    return viewer


def _queue_entry(entry: dict) -> dict:
    kind, item = entry["kind"], entry["item"]
    return {
        "type": kind,
        "kind": "edit" if entry["edit"] is not None else "submission",
        "id": item.id,
        "title": item.title,
        "author": item.author,
        "visibility": item.visibility,
        "submitted_at": entry["waiting_since"],
        "updated_at": item.updated_at,
        "identifier_warnings": entry["identifier_warnings"],
        "changes": [
            {
                "field": change["name"],
                "before": change["before"],
                "after": change["after"],
                "diff": [marker + text for _class, marker, text in change["lines"]],
            }
            for change in entry["changes"]
        ],
        "doi_clashes": [
            {
                "id": other.id,
                "title": other.title,
                "status": other.status,
                "url": RESEARCH.url(other),
            }
            for other in entry["clashes"]
        ],
        "url": REVIEWED[kind].url(item),
        "api_url": REVIEWED[kind].api_url(item),
    }


@api.get("/review")
@operation(
    summary="Pending submissions (moderators)",
    query=ReviewQuerySchema,
    response=page_of(ReviewItemSchema),
    auth=True,
    errors=(403,),
    tags=TAGS,
)
def review_queue(query):
    """Pending practice examples and research summaries, and pending edits of published
    ones (`kind`), longest waiting first. Read each in full at its `api_url` (an edit's
    item as published; its `changes` hold the proposal)."""
    moderator = _moderator()
    entries = review_entries(moderator, query.get("type") or list(REVIEWED))
    start = (query["page"] - 1) * query["per_page"]
    shown = entries[start : start + query["per_page"]]
    return {
        "items": ReviewItemSchema(many=True).dump([_queue_entry(entry) for entry in shown]),
        "page": query["page"],
        "per_page": query["per_page"],
        "total": len(entries),
    }


@api.post(f"/review/<any({REVIEWED_SLUGS}):kind>/<int:item_id>")
@operation(
    summary="Approve or reject a submission (moderators)",
    body=ReviewDecisionSchema,
    response=ReviewResultSchema,
    auth=True,
    errors=(403,),
    tags=TAGS,
)
def review_decision(kind: str, item_id: int, body):
    """`kind` is `practice` or `research`. `approve` publishes the item (or applies its
    pending edit); `reject` needs a `reason`, which the author sees. Only pending items and
    pending edits can be reviewed (422 otherwise); approving a summary whose DOI another
    published summary has is refused (422). Every decision is written to the audit log."""
    moderator = _moderator()
    item = REVIEWED[kind].get(item_id, moderator)
    records.review(item, moderator, body["decision"], body["reason"])
    return ReviewResultSchema().dump(
        {
            "type": kind,
            "id": item.id,
            "status": item.status,
            "review_note": item.review_note,
            "url": REVIEWED[kind].url(item),
        }
    )
