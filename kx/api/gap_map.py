"""``/api/v1/gap-map``: how much research there is per domain and study design."""

from marshmallow import Schema, fields

from kx.api import api
from kx.api.core import api_user, operation
from kx.evidence import services


class PracticeEvidenceCountSchema(Schema):
    with_evidence = fields.Int(required=True)
    without_evidence = fields.Int(required=True)


class GapMapSchema(Schema):
    rows = fields.List(fields.Str(), required=True, metadata={"description": "Domain slugs."})
    columns = fields.List(
        fields.Str(),
        required=True,
        metadata={"description": "Study design slugs, strongest first."},
    )
    cells = fields.Dict(
        keys=fields.Str(),
        values=fields.Dict(keys=fields.Str(), values=fields.Int()),
        required=True,
        metadata={"description": "domain -> study design -> number of research summaries."},
    )
    practices = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(PracticeEvidenceCountSchema),
        required=True,
        metadata={"description": "domain -> practice examples with and without evidence."},
    )


@api.get("/gap-map")
@operation(summary="Research per domain and study design", response=GapMapSchema, tags=("gap-map",))
def gap_map():
    """Counts only published items you may see. A research summary counts once in each of
    its domains; a practice example counts as `with_evidence` when published research you
    may see evaluates or supports it (as for its evidence level)."""
    return GapMapSchema().dump(services.gap_map(api_user()))
