"""Schemas the whole API shares: errors and pagination."""

from marshmallow import Schema, fields, validate


class ErrorBodySchema(Schema):
    status = fields.Int(required=True)
    message = fields.Str(required=True)
    fields = fields.Dict(keys=fields.Str(), values=fields.Raw())


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


class PageQuerySchema(Schema):
    """``page`` from 1 and ``per_page`` from 1 to 100. A list endpoint's query schema extends
    this one with its filters; any other query parameter is rejected with 422."""

    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


_page_schemas: dict[str, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The ``{"items", "page", "per_page", "total"}`` envelope around ``item_schema``."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "page": fields.Int(required=True),
                "per_page": fields.Int(required=True),
                "total": fields.Int(required=True),
            },
        )
    return _page_schemas[name]
