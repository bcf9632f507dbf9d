"""Evidence links in JSON: a new link, a link, and a link as listed on either end."""

from marshmallow import Schema, fields, validate

from kx import schemas
from kx.security import DatabaseIdConverter


class EvidenceLinkInputSchema(Schema):
    research_id = fields.Int(
        required=True, validate=validate.Range(min=1, max=DatabaseIdConverter.MAX)
    )
    relation = schemas.slug("evidence_relations", required=True)
    note = schemas.text(2000, load_default="")


class EvidenceLinkSchema(Schema):
    id = fields.Int(required=True)
    research_id = fields.Int(required=True)
    practice_id = fields.Int(required=True)
    relation = fields.Str(required=True)
    note = fields.Str(required=True)
    created_by = fields.Int(attribute="created_by_id", allow_none=True)


class EvidenceSummarySchema(Schema):
    """A link as listed on a practice: the research it comes from and how it relates."""

    id = fields.Int(required=True)
    research_id = fields.Int(required=True)
    practice_id = fields.Int(required=True)
    relation = fields.Str(required=True)
    note = fields.Str(required=True)
    created_by = fields.Int(
        attribute="created_by_id",
        required=True,
        allow_none=True,
        metadata={"description": "The id of the member who made the link."},
    )
    research_title = fields.Str(attribute="research.title", required=True)
    study_design = fields.Str(attribute="research.study_design", required=True)


class LinkedPracticeSchema(Schema):
    """A practice linked to a research summary, as listed on the summary."""

    link_id = fields.Int(required=True)
    id = fields.Int(required=True, metadata={"description": "The practice's id."})
    title = fields.Str(required=True)
    relation = fields.Str(required=True)
    note = fields.Str(required=True)
    created_by = fields.Int(required=True, allow_none=True)
    url = fields.Str(required=True, metadata={"description": "The practice's HTML page."})
