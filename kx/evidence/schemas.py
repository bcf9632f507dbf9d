"""Evidence links in JSON: a new link, a change to one, a link, a link as listed on either
end, and the findings a link carries (one schema checks a finding for the forms and the
API alike)."""

import math

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from kx import schemas, taxonomy
from kx.security import DatabaseIdConverter

#: The most findings one link may carry.
MAX_FINDINGS = 20


class RealNumber(fields.Float):
    """A finite JSON number: not a string, a boolean, NaN or infinity."""

    default_error_messages = {"invalid": "Give a number, such as 0.45 or -1.2."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class WholeNumber(fields.Int):
    """A JSON integer: not a string, a boolean or a fraction."""

    default_error_messages = {"invalid": "Give a whole number."}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _choice(vocabulary: str, error: str, **kwargs) -> fields.Str:
    return fields.Str(
        validate=validate.OneOf(list(taxonomy.vocabulary(vocabulary)), error=error), **kwargs
    )


class FindingSchema(Schema):
    """What one study found for one outcome of the practice."""

    outcome = _choice("outcomes", "Choose an outcome from the list.", required=True)
    direction = _choice(
        "finding_directions",
        "Choose positive, no-effect, negative or mixed.",
        required=True,
        metadata={"description": "What the study found for the outcome."},
    )
    effect_measure = _choice(
        "effect_measures",
        "Choose an effect measure from the list, or none.",
        allow_none=True,
        load_default=None,
    )
    effect_size = RealNumber(
        allow_none=True,
        load_default=None,
        metadata={"description": "Needs effect_measure; inside the interval when one is given."},
    )
    ci_low = RealNumber(
        allow_none=True,
        load_default=None,
        metadata={"description": "Lower end of the confidence interval (give both ends)."},
    )
    ci_high = RealNumber(
        allow_none=True,
        load_default=None,
        metadata={"description": "Upper end of the confidence interval (give both ends)."},
    )
    sample_size = WholeNumber(
        allow_none=True,
        load_default=None,
        validate=validate.Range(
            min=1, max=DatabaseIdConverter.MAX, error="Give the number of participants (1 or more)."
        ),
    )
    follow_up_months = WholeNumber(
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=0, max=600, error="Give 0 to 600 months."),
    )
    note = schemas.text(2000, load_default="", metadata={"description": "Plain text."})

    @validates_schema
    def _effect_and_interval(self, data, **kwargs):
        """An effect size has a measure; an interval has both ends and contains it."""
        size, low, high = data.get("effect_size"), data.get("ci_low"), data.get("ci_high")
        errors: dict[str, list[str]] = {}
        if size is not None and data.get("effect_measure") is None:
            errors["effect_measure"] = ["Say which measure the effect size is in."]
        if (low is None) != (high is None):
            missing = "ci_high" if high is None else "ci_low"
            errors[missing] = ["Give both ends of the confidence interval, or neither."]
        elif low is not None:
            if size is None:
                errors["effect_size"] = ["Give the effect size the interval belongs to."]
            if low > high:
                errors["ci_high"] = ["The upper end must not be below the lower end."]
            elif size is not None and not low <= size <= high:
                wrong = "ci_low" if size < low else "ci_high"
                errors[wrong] = ["The interval must contain the effect size."]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def clean(data: dict) -> dict:
        """A loaded finding as stored: the note without surrounding space."""
        return {**data, "note": data["note"].strip()}


def findings_field(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(FindingSchema),
        validate=validate.Length(
            max=MAX_FINDINGS, error=f"A link carries at most {MAX_FINDINGS} findings."
        ),
        metadata={"description": f"The link's findings as a whole, at most {MAX_FINDINGS}."},
        **kwargs,
    )


class FindingOutSchema(Schema):
    """A finding as the API writes it."""

    outcome = fields.Str(required=True)
    direction = fields.Str(required=True)
    effect_measure = fields.Str(required=True, allow_none=True)
    effect_size = fields.Float(required=True, allow_none=True)
    ci_low = fields.Float(required=True, allow_none=True)
    ci_high = fields.Float(required=True, allow_none=True)
    sample_size = fields.Int(required=True, allow_none=True)
    follow_up_months = fields.Int(required=True, allow_none=True)
    note = fields.Str(required=True)


def _findings_out(**kwargs) -> fields.List:
    return fields.List(fields.Nested(FindingOutSchema), **kwargs)


class EvidenceLinkInputSchema(Schema):
    research_id = fields.Int(
        required=True, validate=validate.Range(min=1, max=DatabaseIdConverter.MAX)
    )
    relation = schemas.slug("evidence_relations", required=True)
    note = schemas.text(2000, load_default="")
    findings = findings_field(load_default=list)


class EvidenceLinkUpdateSchema(Schema):
    """The writable fields of a link, each optional; ``findings`` replaces the list."""

    relation = schemas.slug("evidence_relations")
    note = schemas.text(2000)
    findings = findings_field()


class EvidenceLinkSchema(Schema):
    id = fields.Int(required=True)
    research_id = fields.Int(required=True)
    practice_id = fields.Int(required=True)
    relation = fields.Str(required=True)
    note = fields.Str(required=True)
    created_by = fields.Int(attribute="created_by_id", allow_none=True)
    findings = _findings_out(required=True)


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
    findings = _findings_out(required=True)


class LinkedPracticeSchema(Schema):
    """A practice linked to a research summary, as listed on the summary."""

    link_id = fields.Int(required=True)
    id = fields.Int(required=True, metadata={"description": "The practice's id."})
    title = fields.Str(required=True)
    relation = fields.Str(required=True)
    note = fields.Str(required=True)
    created_by = fields.Int(required=True, allow_none=True)
    url = fields.Str(required=True, metadata={"description": "The practice's HTML page."})
    findings = _findings_out(
        required=True, metadata={"description": "What the research found (the link's findings)."}
    )
