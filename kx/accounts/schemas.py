"""JSON shapes of accounts and tokens."""

from marshmallow import Schema, fields, validate

from kx.schemas import UTCDateTime


class UserSummarySchema(Schema):
    """How an author appears beside their work."""

    id = fields.Int(required=True)
    display_name = fields.Str(attribute="public_name", required=True)
    sector = fields.Str(
        attribute="public_sector",
        required=True,
        allow_none=True,
        metadata={"description": "null for a former member (a deleted account)"},
    )


class TokenRequestSchema(Schema):
    email = fields.Str(required=True, validate=validate.Length(min=1, max=254))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=256))
    name = fields.Str(load_default="", validate=validate.Length(max=80))


class TokenSchema(Schema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)
    created_at = UTCDateTime(required=True)
    expires_at = UTCDateTime(required=True)
    last_used_at = UTCDateTime(required=True, allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.Str(required=True, metadata={"description": "Shown once; store it safely."})
