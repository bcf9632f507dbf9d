"""``/api/v1/practices``: practice examples and their revisions.

Every read goes through ``visible_to``/``can_view`` (via the practice services): what a
caller may not see answers 404, exactly like what does not exist. Writes go through
``save_practice``, which validates, checks for identifiers and runs the workflow.
"""

from datetime import date

from marshmallow import fields, validate

from kx import schemas, taxonomy
from kx.api.records import (
    RecordEndpoints,
    RecordQuerySchema,
    StrictBool,
    country_codes,
    pending_edit_field,
    private_fields,
    register,
    restricted_needs_sectors,
)
from kx.api.records import StrictInt as StrictInt  # kx.api.evidence reads it from here
from kx.api.records import page_envelope as page_envelope  # kx.api.forum reads it from here
from kx.evidence import services as evidence_services
from kx.evidence.schemas import EvidenceSummarySchema
from kx.kinds import PRACTICE
from kx.practice import services
from kx.practice.models import Practice
from kx.practice.schemas import FIRST_YEAR, PracticeInputSchema, PracticeSchema, plausible_year

NO_EVIDENCE = "none"


# --------------------------------------------------------------------------- schemas


class PracticeQuerySchema(RecordQuerySchema):
    """Filters; repeat a parameter to match any of its values."""

    country = country_codes(metadata={"description": "ISO 3166-1 alpha-2, upper case."})
    prevention_level = schemas.slugs("prevention_levels")
    stage = schemas.slugs("stages")
    evaluation_status = schemas.slugs("evaluation_statuses")
    evidence_level = fields.Str(
        validate=validate.OneOf([*taxonomy.STUDY_DESIGNS, NO_EVIDENCE]),
        metadata={"description": "A study design, or `none` for no supporting evidence."},
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
    start_year = StrictInt(
        allow_none=True,
        validate=plausible_year,
        metadata={
            "minimum": FIRST_YEAR,
            "maximum": date.today().year + 1,
            "description": "The year the practice began (1900 to next year); null: not said.",
        },
    )
    end_year = StrictInt(
        allow_none=True,
        validate=plausible_year,
        metadata={
            "minimum": FIRST_YEAR,
            "maximum": date.today().year + 1,
            "description": "The year it ended, null while it runs; before start_year: 409.",
        },
    )


class PracticeCreateSchema(PracticeUpdateSchema):
    """The writable fields; ``title`` and ``domains`` are required."""

    title = schemas.title(required=True)
    domains = schemas.slugs("domains", required=True, validate=validate.Length(min=1))


# --------------------------------------------------------------------------- output


def practice_out(practice: Practice, viewer, evidence: tuple | None = None) -> dict:
    """The item as ``PracticeSchema`` documents it, for ``viewer``; ``evidence`` is its
    ``(links, level, rating)`` when a list fetched those of its whole page at once."""
    data = schemas.dumper(
        PracticeSchema, exclude=("evidence", "evidence_level", "rating", "url")
    ).dump(practice)
    data.update(private_fields(practice, viewer))
    data["pending_edit"] = pending_edit_field(practice, viewer)
    links, level, rating = evidence or (
        evidence_services.evidence_for_practice(practice, viewer),
        evidence_services.evidence_level(practice, viewer),
        evidence_services.rating_of(practice, viewer),
    )
    data["evidence"] = schemas.dumper(EvidenceSummarySchema, many=True).dump(links)
    data["evidence_level"] = level
    data["rating"] = rating.as_json()
    data["url"] = PRACTICE.url(practice)
    return data


# --------------------------------------------------------------------------- endpoints


def practice_statement(viewer, query: dict):
    """The list's ``select``: the services' filters, then the practice's own columns and its
    evidence level."""
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
    return statement


def practices_out(items: list[Practice], viewer) -> list[dict]:
    """``practice_out`` of a page of items, their evidence and ratings fetched at once."""
    links = evidence_services.evidence_for_practices(items, viewer)
    levels = evidence_services.evidence_levels(items, viewer)
    ratings = evidence_services.ratings_for(items, viewer)
    return [
        practice_out(item, viewer, (links[item.id], levels[item.id], ratings[item.id]))
        for item in items
    ]


UPDATE_DESCRIPTION = (
    "The author or a moderator; every change is stored as a revision. The author's "
    "changes\n    to a published item wait for review while the published version stays "
    "(see\n    `pending_edit`); a narrower visibility applies at once, and so do a "
    "moderator's\n    changes. 403 when you may see the item but not edit it."
)


register(
    RecordEndpoints(
        kind=PRACTICE,
        response=PracticeSchema,
        query=PracticeQuerySchema,
        statement=practice_statement,
        out=practice_out,
        out_page=practices_out,
        save=services.save_practice,
        create_body=PracticeCreateSchema,
        update_body=PracticeUpdateSchema,
        create_errors=(403, 409, 429),  # 409: an end year before the start year
        update_errors=(403, 409, 429),
        create_description=(
            "`submit: false` (or left out) keeps a draft; `submit: true` sends it for review (a\n"
            "    moderator's own item is published at once) and needs "
            "`anonymised_confirmed: true` and a\n"
            "    verified account (403 otherwise). The response's "
            "`identifier_warnings` lists what the\n"
            "    anonymisation check found. An account awaiting verification keeps "
            "at most 20 practice\n"
            "    examples and research summaries in all (422) and saves at most 30 "
            "times an hour (429).\n"
            "    Text too complex to display answers 422 naming its field."
        ),
        update_description=UPDATE_DESCRIPTION,
    )
)
