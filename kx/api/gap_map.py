"""``/api/v1/gap-map``: the evidence-and-gap map (rows x columns of studies, practices and
ratings), or without parameters research per domain and study design."""

from marshmallow import Schema, fields, validate

from kx import exports, schemas
from kx.api import api
from kx.api.core import api_user, operation
from kx.api.records import COUNTRY_CODES, EXPORT_MEDIA_TYPES
from kx.evidence import gap_map as maps


class GapMapQuerySchema(Schema):
    openapi_media_types = EXPORT_MEDIA_TYPES
    format = fields.Str(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={
            "description": "`json` (default) or `csv`: one row per cell (row, column, "
            "studies, practices, practices per rating); `rows` defaults to `domain`."
        },
    )
    rows = fields.Str(
        validate=validate.OneOf(list(maps.ROWS)),
        metadata={"description": "What the rows are: the practices' tags (default `domain`)."},
    )
    columns = fields.Str(
        validate=validate.OneOf(list(maps.COLUMNS)),
        metadata={"description": "What the columns are: findings' outcomes (default) or designs."},
    )
    country = fields.Str(
        validate=validate.OneOf(COUNTRY_CODES, error="{input} is not an ISO 3166-1 alpha-2 code."),
        metadata={"description": "Practices in this country (ISO 3166-1 alpha-2, upper case)."},
    )
    stage = schemas.slug("stages", metadata={"description": "Practices at this stage."})
    prevention_level = schemas.slug(
        "prevention_levels", metadata={"description": "Practices at this prevention level."}
    )
    study_design = schemas.slug(
        "study_designs", metadata={"description": "Count only studies of this design."}
    )


class PracticeEvidenceCountSchema(Schema):
    with_evidence = fields.Int(required=True)
    without_evidence = fields.Int(required=True)


class GapMapSchema(Schema):
    rows = fields.List(fields.Str(), required=True, metadata={"description": "Row slugs."})
    columns = fields.List(
        fields.Str(), required=True, metadata={"description": "Column slugs, in order."}
    )
    cells = fields.Dict(
        keys=fields.Str(),
        values=fields.Dict(keys=fields.Str(), values=fields.Raw()),
        required=True,
        metadata={
            "description": "row -> column -> {studies, practices, ratings, risk_of_bias}: "
            "distinct studies and practices, rating slug -> practices (for an outcome column "
            "their rating for that outcome, else overall), risk -> studies; without parameters "
            "domain -> study design -> number of research summaries."
        },
    )
    practices = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(PracticeEvidenceCountSchema),
        metadata={
            "description": "Without parameters only: domain -> practice examples with and "
            "without evidence."
        },
    )


def map_for(query: dict) -> dict:
    """The map a validated query asks for (the export of the map reads the same)."""
    if not {name: value for name, value in query.items() if name != "format"}:
        return maps.gap_map(api_user())
    filters = {name: query[name] for name in maps.FILTERS if query.get(name)}
    return maps.gap_map(
        api_user(), query.get("rows", "domain"), query.get("columns", "outcome"), filters
    )


@api.get("/gap-map")
@operation(
    summary="The evidence-and-gap map",
    query=GapMapQuerySchema,
    response=GapMapSchema,
    tags=("gap-map",),
)
def gap_map(query):
    """Counts only published items you may see. With `rows`, `columns` or a filter: every
    slug of the row and column vocabularies (empty cells are gaps), and per cell the
    distinct studies linked to the row's practices (with findings on the outcome, or of the
    design), those practices, their ratings and the studies' risk of bias. Without
    parameters: research summaries per domain and study design, and per domain the practice
    examples with and without research that evaluates or supports them."""
    if query["format"] == "csv":
        return exports.gap_map_csv(
            list(maps.flat_rows(map_for({**query, "rows": query.get("rows", "domain")})))
        )
    return GapMapSchema().dump(map_for(query))
