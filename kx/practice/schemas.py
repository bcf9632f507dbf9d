"""Practice examples in JSON: what may be written, and how an item reads back."""

from marshmallow import Schema, fields, validate

from kx import schemas
from kx.evidence.schemas import EvidenceSummarySchema
from kx.records.schemas import RecordSchema

MAX_MARKDOWN = 100_000


class PracticeInputSchema(Schema):
    """Writable fields; anything else (author, status, id, dates) is refused as unknown."""

    title = schemas.title()
    summary = schemas.text(1000, metadata={"description": "Plain text."})
    body = schemas.text(MAX_MARKDOWN, metadata={"description": "Markdown."})
    outcomes = schemas.text(MAX_MARKDOWN)
    implementation = schemas.text(MAX_MARKDOWN)
    challenges = schemas.text(MAX_MARKDOWN)
    domains = schemas.slugs(
        "domains", validate=validate.Length(min=1, error="Choose at least one domain.")
    )
    countries = schemas.countries()
    organisation = schemas.text(200)
    prevention_level = schemas.slug("prevention_levels", allow_none=True)
    stages = schemas.slugs("stages")
    target_population = schemas.text(500)
    evaluation_status = schemas.slug("evaluation_statuses")
    visibility = schemas.slug("visibilities")
    restricted_sectors = schemas.slugs("sectors")
    submit = fields.Bool(metadata={"description": "false keeps a draft; true sends for review."})
    anonymised_confirmed = fields.Bool(
        metadata={"description": "Must be true when submit is true."}
    )


class PracticeSchema(RecordSchema):
    summary = fields.Str(required=True)
    body = fields.Str(required=True)
    body_html = fields.Str(required=True)
    outcomes = fields.Str(required=True)
    outcomes_html = fields.Str(required=True)
    implementation = fields.Str(required=True)
    implementation_html = fields.Str(required=True)
    challenges = fields.Str(required=True)
    challenges_html = fields.Str(required=True)
    organisation = fields.Str(required=True)
    prevention_level = fields.Str(required=True, allow_none=True)
    stages = fields.List(fields.Str(), required=True)
    target_population = fields.Str(required=True)
    evaluation_status = fields.Str(required=True)
    anonymised_confirmed = fields.Bool(
        required=True, metadata={"description": "The author confirmed it is anonymised."}
    )
    evidence = fields.List(
        fields.Nested(EvidenceSummarySchema),
        required=True,
        metadata={"description": "Links from research you may see, strongest design first."},
    )
    evidence_level = fields.Str(
        allow_none=True,
        required=True,
        metadata={
            "description": "The strongest study design among published research you may see "
            "that evaluates or supports it; null without such evidence."
        },
    )
    url = fields.Str(required=True, metadata={"description": "The HTML page."})
