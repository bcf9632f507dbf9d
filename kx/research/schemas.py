"""Research summaries in JSON: what may be written, and how a summary reads back."""

from datetime import date

from marshmallow import ValidationError, fields, validate, validates

from kx import schemas
from kx.evidence.schemas import LinkedPracticeSchema
from kx.records.schemas import MAX_MARKDOWN, RecordInputSchema, RecordSchema, markdown_fields
from kx.research.citations import ENTRY_TYPES, MIN_YEAR, clean_doi


class DoiField(fields.Str):
    """A DOI, normalised to lower case without a resolver prefix; blank means none."""

    default_error_messages = {
        "invalid_doi": "Not a DOI: it must look like 10.1234/abc.",
        "too_long": "A DOI has at most 255 characters.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            doi = clean_doi(raw)
        except ValueError as exc:
            raise self.make_error("invalid_doi") from exc
        if doi is not None and len(doi) > 255:
            raise self.make_error("too_long")
        return doi


def _blank_or_http_url(value: str) -> None:
    """An http(s) URL, or "" (no URL: how a form or PATCH clears it)."""
    if value:
        validate.URL(schemes={"http", "https"})(value)


class ResearchInputSchema(RecordInputSchema):
    """Writable fields; anything else (author, status, id, dates) is refused as unknown."""

    authors = fields.List(
        fields.Str(validate=validate.Length(min=1, max=200)), validate=validate.Length(max=100)
    )
    year = fields.Int(allow_none=True)
    venue = schemas.text(300)
    volume = schemas.text(32)
    issue = schemas.text(32)
    pages = schemas.text(32)
    entry_type = fields.Str(validate=validate.OneOf(ENTRY_TYPES))
    doi = DoiField(allow_none=True)
    url = fields.Str(validate=[validate.Length(max=500), _blank_or_http_url])
    study_design = schemas.slug("study_designs")
    sample_size = fields.Int(allow_none=True, validate=validate.Range(min=0, max=1_000_000_000))
    risk_of_bias = schemas.slug(
        "risks_of_bias",
        allow_none=True,
        metadata={"description": "low, some-concerns or high; null when not assessed."},
    )
    summary = schemas.text(MAX_MARKDOWN, metadata={"description": "Plain-language summary."})
    key_findings = schemas.text(MAX_MARKDOWN)
    implications = schemas.text(MAX_MARKDOWN)
    limitations = schemas.text(MAX_MARKDOWN)

    @validates("year")
    def _year_in_range(self, value, **_):
        if value is not None and not MIN_YEAR <= value <= date.today().year + 1:
            raise ValidationError(f"Give a year from {MIN_YEAR} to {date.today().year + 1}.")


class ResearchSchema(
    RecordSchema, markdown_fields("summary", "key_findings", "implications", "limitations")
):
    authors = fields.List(fields.Str(), required=True)
    year = fields.Int(required=True, allow_none=True)
    venue = fields.Str(required=True)
    volume = fields.Str(required=True)
    issue = fields.Str(required=True)
    pages = fields.Str(required=True)
    entry_type = fields.Str(required=True)
    doi = fields.Str(required=True, allow_none=True)
    url = fields.Str(required=True, metadata={"description": "The paper's web address."})
    study_design = fields.Str(required=True)
    sample_size = fields.Int(required=True, allow_none=True)
    risk_of_bias = fields.Str(
        required=True,
        allow_none=True,
        metadata={"description": "low, some-concerns or high; null when not assessed."},
    )
    reference = fields.Str(required=True, metadata={"description": "APA-style reference."})
    practices = fields.List(
        fields.Nested(LinkedPracticeSchema),
        required=True,
        metadata={"description": "Linked practice examples you may see."},
    )
    page_url = fields.Str(required=True, metadata={"description": "The HTML page."})
