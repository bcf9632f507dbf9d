"""Practice examples in JSON: what may be written, and how an item reads back."""

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from kx import schemas, taxonomy
from kx.evidence.schemas import EvidenceSummarySchema
from kx.practice.models import Practice
from kx.records.schemas import MAX_MARKDOWN, RecordInputSchema, RecordSchema, markdown_fields


def strength(**kwargs) -> fields.Str:
    """How strong the evidence behind one EMMIE section is; null when not said."""
    return schemas.slug(
        "evidence_strengths",
        allow_none=True,
        metadata={"description": "One of " + ", ".join(taxonomy.EVIDENCE_STRENGTHS) + "."},
        **kwargs,
    )


FIRST_YEAR = 1900


def plausible_year(value: int | None) -> None:
    """A four-digit year no later than next year (a practice about to start)."""
    latest = date.today().year + 1
    if value is not None and not FIRST_YEAR <= value <= latest:
        raise ValidationError(f"Give a four-digit year from {FIRST_YEAR} to {latest}.")


def year(description: str) -> fields.Int:
    return fields.Int(
        allow_none=True,
        validate=plausible_year,
        metadata={"description": description + " Null when not said."},
    )


class PracticeInputSchema(RecordInputSchema):
    """Writable fields; anything else (author, status, id, dates) is refused as unknown."""

    summary = schemas.text(1000, metadata={"description": "Plain text."})
    body = schemas.text(MAX_MARKDOWN, metadata={"description": "Markdown."})
    outcomes = schemas.text(MAX_MARKDOWN)
    implementation = schemas.text(MAX_MARKDOWN)
    challenges = schemas.text(MAX_MARKDOWN)
    mechanism = schemas.text(MAX_MARKDOWN, metadata={"description": "Markdown: how it works."})
    moderators = schemas.text(
        MAX_MARKDOWN, metadata={"description": "Markdown: where and for whom it works."}
    )
    economic_cost = schemas.text(
        MAX_MARKDOWN, metadata={"description": "Markdown: what it costs, and what it saves."}
    )
    mechanism_strength = strength()
    moderators_strength = strength()
    implementation_strength = strength()
    economic_cost_strength = strength()
    domains = schemas.slugs(
        "domains", validate=validate.Length(min=1, error="Choose at least one domain.")
    )
    organisation = schemas.text(200)
    prevention_level = schemas.slug("prevention_levels", allow_none=True)
    stages = schemas.slugs("stages")
    target_population = schemas.text(500)
    evaluation_status = schemas.slug("evaluation_statuses")
    start_year = year("The year the practice began.")
    end_year = year("The year it ended (not before start_year); null while it runs.")
    anonymised_confirmed = fields.Bool(
        metadata={"description": "Must be true when submit is true."}
    )


class OutcomeRatingSchema(Schema):
    outcome = fields.Str(required=True)
    rating = fields.Str(required=True)
    studies = fields.Int(required=True)
    strongest_design = fields.Str(required=True, allow_none=True)


class RatingSchema(Schema):
    """How well a practice works, from the published studies the caller may see."""

    overall = fields.Str(
        required=True, metadata={"description": "One of " + ", ".join(taxonomy.RATINGS) + "."}
    )
    studies = fields.Int(
        required=True,
        metadata={"description": "Linked studies with findings or that evaluate or contradict."},
    )
    reason = fields.Str(required=True, metadata={"description": "The rating's reason in words."})
    outcomes = fields.List(
        fields.Nested(OutcomeRatingSchema),
        required=True,
        metadata={"description": "The rating for each outcome a study reports on."},
    )


class PracticeSchema(
    RecordSchema,
    markdown_fields(*Practice.markdown_fields),
):
    summary = fields.Str(required=True)
    mechanism_strength = fields.Str(required=True, allow_none=True)
    moderators_strength = fields.Str(required=True, allow_none=True)
    implementation_strength = fields.Str(required=True, allow_none=True)
    economic_cost_strength = fields.Str(required=True, allow_none=True)
    organisation = fields.Str(required=True)
    prevention_level = fields.Str(required=True, allow_none=True)
    stages = fields.List(fields.Str(), required=True)
    target_population = fields.Str(required=True)
    evaluation_status = fields.Str(required=True)
    start_year = fields.Int(
        required=True, allow_none=True, metadata={"description": "The year it began."}
    )
    end_year = fields.Int(
        required=True, allow_none=True, metadata={"description": "The year it ended."}
    )
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
    rating = fields.Nested(
        RatingSchema,
        required=True,
        metadata={"description": "How well it works, from the evidence you may see."},
    )
    url = fields.Str(required=True, metadata={"description": "The HTML page."})
