"""``/api/v1/practices``: practice examples, their revisions, and helpers the record
endpoints share (item pages, documented request bodies).

Every read goes through ``visible_to``/``can_view`` (via the practice services): what a
caller may not see answers 404, exactly like what does not exist. Writes go through
``save_practice``, which validates, checks for identifiers and runs the workflow.
"""

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from kx import schemas, taxonomy
from kx.accounts.schemas import UserSummarySchema
from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.schemas import page_of
from kx.errors import Forbidden
from kx.evidence import services as evidence_services
from kx.evidence.schemas import EvidenceSummarySchema
from kx.extensions import db
from kx.kinds import PRACTICE
from kx.practice import services
from kx.practice.models import Practice
from kx.practice.schemas import PracticeInputSchema, PracticeSchema
from kx.records import rules
from kx.records import services as records
from kx.records.models import APPLIED, Revision
from kx.records.schemas import PendingEditSchema

TAGS = ("practices",)
COUNTRY_CODES = list(taxonomy.countries())
NO_EVIDENCE = "none"


# --------------------------------------------------------------------------- shared helpers


def private_fields(item, viewer) -> dict:
    """Fields only the author and moderators read: anonymisation findings and the
    moderator's reason for a rejection."""
    if rules.can_edit(item, viewer):
        return {
            "identifier_warnings": list(item.identifier_warnings or []),
            "review_note": item.review_note or "",
        }
    return {"identifier_warnings": [], "review_note": ""}


def pending_edit_field(item, viewer) -> dict | None:
    """The edit of ``item`` waiting for review, for its author and moderators; else None
    (nobody else learns of it, let alone reads it)."""
    edit = records.pending_edit(item) if rules.can_edit(item, viewer) else None
    if edit is None:
        return None
    return PendingEditSchema().dump(
        {
            "submitted_at": edit.created_at,
            "fields_changed": list(edit.fields_changed),
            "values": edit.proposed_changes(),
            "identifier_warnings": list(edit.identifier_warnings or []),
        }
    )


def page_envelope(statement, page: int, per_page: int, dump, many: bool = False) -> dict:
    """The list envelope of one page of ``statement``, each row passed through ``dump``
    (``many``: the page's rows at once, so that what they share is fetched in one query)."""
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return {
        "items": dump(result.items) if many else [dump(item) for item in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total or 0,
    }


def list_page(statement, model, query: dict, dump) -> dict:
    """The envelope a record list answers with: published items unless the query names
    statuses or asks for the caller's own (then every status); ``dump`` takes a page."""
    mine = query.get("author") == "me"
    statuses = query.get("status") or ([] if mine else ["published"])
    if statuses:
        statement = statement.where(model.status.in_(statuses))
    return page_envelope(statement, query["page"], query["per_page"], dump, many=True)


# Strict JSON types for request bodies. marshmallow would also take "yes" or 1 for a
# boolean, "12" or true for an integer and " gb" for a country code; the API takes exactly
# what its document says, so that a client's type error surfaces as a 422.


class StrictBool(fields.Bool):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInt(fields.Int):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def country_codes(**kwargs) -> fields.List:
    """ISO 3166-1 alpha-2 codes, upper case as ISO writes them."""
    code = fields.Str(
        validate=validate.OneOf(COUNTRY_CODES, error="{input} is not an ISO 3166-1 alpha-2 code.")
    )
    return fields.List(code, **kwargs)


def restricted_needs_sectors() -> dict:
    """JSON Schema of the rule "restricted items name the sectors that may see them"."""
    return {
        "anyOf": [
            {"properties": {"visibility": {"enum": ["public", "members"]}}},
            {
                "required": ["visibility", "restricted_sectors"],
                "properties": {
                    "visibility": {"enum": ["restricted"]},
                    "restricted_sectors": {"minItems": 1},
                },
            },
        ]
    }


class RevisionSchema(Schema):
    id = fields.Int(required=True)
    created_at = schemas.UTCDateTime(required=True)
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    fields_changed = fields.List(fields.Str(), required=True)


def revision_page(item, viewer, page: int, per_page: int) -> dict:
    """The item's applied revisions, oldest first; only its author and moderators may
    read them (a revision can hold text removed on purpose, such as an identifier). An edit
    waiting for review is the item's ``pending_edit``."""
    if not rules.can_edit(item, viewer):
        raise Forbidden("Only the author or a moderator may read the revisions.")
    statement = (
        select(Revision)
        .where(
            Revision.item_type == item.item_type,
            Revision.item_id == item.id,
            Revision.status == APPLIED,
        )
        .order_by(Revision.id)
    )
    return page_envelope(statement, page, per_page, RevisionSchema().dump)


# --------------------------------------------------------------------------- schemas


class PracticeQuerySchema(PageQuerySchema):
    """Filters; repeat a parameter to match any of its values."""

    domain = schemas.slugs("domains")
    country = country_codes(metadata={"description": "ISO 3166-1 alpha-2, upper case."})
    prevention_level = schemas.slugs("prevention_levels")
    stage = schemas.slugs("stages")
    evaluation_status = schemas.slugs("evaluation_statuses")
    evidence_level = fields.Str(
        validate=validate.OneOf([*taxonomy.STUDY_DESIGNS, NO_EVIDENCE]),
        metadata={"description": "A study design, or `none` for no supporting evidence."},
    )
    status = schemas.slugs(
        "statuses",
        metadata={
            "description": "Defaults to `published`; with `author=me`, to every status. "
            "You only ever see statuses you may see (your own items; moderators all)."
        },
    )
    author = fields.Str(
        validate=validate.OneOf(["me"]), metadata={"description": "`me`: your own items."}
    )
    sort = fields.Str(load_default="newest", validate=validate.OneOf(["newest", "title"]))


class PracticeUpdateSchema(PracticeInputSchema):
    """The writable fields, each optional (PATCH); unknown fields are refused."""

    # Cross-field rules, for the OpenAPI document (kx.api.meta adds them with allOf).
    openapi_constraints = (
        restricted_needs_sectors(),
        {
            "anyOf": [
                {"properties": {"submit": {"enum": [False]}}},
                {
                    "required": ["anonymised_confirmed"],
                    "properties": {"anonymised_confirmed": {"enum": [True]}},
                },
            ]
        },
    )

    countries = country_codes()
    submit = StrictBool(
        metadata={
            "description": "false keeps (or makes) a draft; true sends it for review and "
            "needs anonymised_confirmed."
        }
    )
    anonymised_confirmed = StrictBool(metadata={"description": "Must be true when submit is."})


class PracticeCreateSchema(PracticeUpdateSchema):
    """The writable fields; ``title`` and ``domains`` are required."""

    title = schemas.title(required=True)
    domains = schemas.slugs("domains", required=True, validate=validate.Length(min=1))


# --------------------------------------------------------------------------- output


def practice_out(practice: Practice, viewer, evidence: tuple | None = None) -> dict:
    """The item as ``PracticeSchema`` documents it, for ``viewer``; ``evidence`` is its
    ``(links, level)`` when a list fetched those of its whole page at once."""
    data = PracticeSchema(exclude=("evidence", "evidence_level", "url")).dump(practice)
    data.update(private_fields(practice, viewer))
    data["pending_edit"] = pending_edit_field(practice, viewer)
    links, level = evidence or (
        evidence_services.evidence_for_practice(practice, viewer),
        evidence_services.evidence_level(practice, viewer),
    )
    data["evidence"] = EvidenceSummarySchema(many=True).dump(links)
    data["evidence_level"] = level
    data["url"] = PRACTICE.url(practice)
    return data


# --------------------------------------------------------------------------- endpoints


@api.get("/practices")
@operation(
    summary="List practice examples",
    query=PracticeQuerySchema,
    response=page_of(PracticeSchema),
    tags=TAGS,
)
def list_practices(query):
    """Only what you may see: anonymously, published public items."""
    viewer = api_user()
    filters = {
        "domains": query.get("domain"),
        "countries": query.get("country"),
        "stages": query.get("stage"),
        "author": query.get("author"),
    }
    statement = services.practice_query(viewer, filters, query["sort"])
    if query.get("prevention_level"):
        statement = statement.where(Practice.prevention_level.in_(query["prevention_level"]))
    if query.get("evaluation_status"):
        statement = statement.where(Practice.evaluation_status.in_(query["evaluation_status"]))
    if query.get("evidence_level"):
        statement = evidence_services.filter_by_evidence_level(
            statement, viewer, query["evidence_level"]
        )
    return list_page(statement, Practice, query, lambda items: practices_out(items, viewer))


def practices_out(items: list[Practice], viewer) -> list[dict]:
    """``practice_out`` of a page of items, their evidence fetched in two queries."""
    links = evidence_services.evidence_for_practices(items, viewer)
    levels = evidence_services.evidence_levels(items, viewer)
    return [practice_out(item, viewer, (links[item.id], levels[item.id])) for item in items]


@api.post("/practices")
@operation(
    summary="Write a practice example",
    body=PracticeCreateSchema,
    response=PracticeSchema,
    status=201,
    auth=True,
    errors=(403, 429),
    tags=TAGS,
)
def create_practice(body):
    """`submit: false` (or left out) keeps a draft; `submit: true` sends it for review (a
    moderator's own item is published at once) and needs `anonymised_confirmed: true` and a
    verified account (403 otherwise). The response's `identifier_warnings` lists what the
    anonymisation check found. An account awaiting verification keeps at most 20 practice
    examples and research summaries in all (422) and saves at most 30 times an hour (429).
    Text too complex to display answers 422 naming its field."""
    viewer = api_user()
    return practice_out(services.save_practice(viewer, body), viewer), 201


@api.get("/practices/<int:practice_id>")
@operation(summary="Read a practice example", response=PracticeSchema, tags=TAGS)
def get_practice(practice_id: int):
    viewer = api_user()
    return practice_out(services.get_practice(practice_id, viewer), viewer)


@api.patch("/practices/<int:practice_id>")
@operation(
    summary="Change a practice example",
    body=PracticeUpdateSchema,
    response=PracticeSchema,
    auth=True,
    errors=(403, 429),
    tags=TAGS,
)
def update_practice(practice_id: int, body):
    """The author or a moderator; every change is stored as a revision. The author's changes
    to a published item wait for review while the published version stays (see
    `pending_edit`); a narrower visibility applies at once, and so do a moderator's
    changes. 403 when you may see the item but not edit it."""
    viewer = api_user()
    practice = services.get_practice(practice_id, viewer)
    return practice_out(services.save_practice(viewer, body, practice), viewer)


@api.delete("/practices/<int:practice_id>")
@operation(summary="Delete a practice example", status=204, auth=True, errors=(403,), tags=TAGS)
def delete_practice(practice_id: int):
    """The author or a moderator; its revisions and evidence links go with it."""
    viewer = api_user()
    records.delete(services.get_practice(practice_id, viewer), viewer)
    return "", 204


@api.get("/practices/<int:practice_id>/revisions")
@operation(
    summary="A practice example's revisions",
    query=PageQuerySchema,
    response=page_of(RevisionSchema),
    auth=True,
    errors=(403,),
    tags=TAGS,
)
def list_practice_revisions(practice_id: int, query):
    """Oldest first. The author and moderators only (403 for others who may see it)."""
    viewer = api_user()
    practice = services.get_practice(practice_id, viewer)
    return revision_page(practice, viewer, query["page"], query["per_page"])
