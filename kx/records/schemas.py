"""What practice examples and research summaries share in JSON: the record fields every
kind reads back, the anonymisation findings and an edit waiting for review."""

from marshmallow import Schema, fields

from kx import schemas
from kx.accounts.schemas import UserSummarySchema


class IdentifierWarningSchema(Schema):
    kind = fields.Str(required=True)
    field = fields.Str(required=True)
    excerpt = fields.Str(required=True)


class PendingEditSchema(Schema):
    """An edit of a published item waiting for a moderator (its author and moderators)."""

    submitted_at = schemas.UTCDateTime(required=True)
    fields_changed = fields.List(fields.Str(), required=True)
    values = fields.Dict(
        keys=fields.Str(),
        required=True,
        metadata={"description": "The proposed value of each changed field."},
    )
    identifier_warnings = fields.List(fields.Nested(IdentifierWarningSchema), required=True)


def pending_edit_field() -> fields.Nested:
    return fields.Nested(
        PendingEditSchema,
        allow_none=True,
        metadata={
            "description": "Your changes waiting for review, to you and moderators; the rest "
            "of the item is the published version. Null when there are none."
        },
    )


MAX_MARKDOWN = 100_000


class RecordInputSchema(Schema):
    """The writable fields every record kind shares; anything not declared (author, status,
    id, dates) is refused as unknown."""

    title = schemas.title()
    countries = schemas.countries()
    domains = schemas.slugs("domains")
    visibility = schemas.slug("visibilities")
    restricted_sectors = schemas.slugs("sectors")
    submit = fields.Bool(metadata={"description": "false keeps a draft; true sends for review."})


def markdown_fields(*names: str) -> type[Schema]:
    """A schema to inherit from: each Markdown field in ``names`` as written and rendered
    (``<name>_html``)."""
    return Schema.from_dict(
        {
            f"{name}{suffix}": fields.Str(required=True)
            for name in names
            for suffix in ("", "_html")
        },
        name="MarkdownFields",
    )


class RecordSchema(Schema):
    """The fields every record kind reads back; each kind's schema adds its own."""

    id = fields.Int(required=True)
    title = fields.Str(required=True)
    domains = fields.List(fields.Str(), required=True)
    countries = fields.List(fields.Str(), required=True)
    visibility = fields.Str(required=True)
    restricted_sectors = fields.List(fields.Str(), required=True)
    status = fields.Str(required=True)
    review_note = fields.Str(
        metadata={
            "description": "A moderator's reason for a rejection (to the author and moderators)."
        }
    )
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    created_at = schemas.UTCDateTime(required=True)
    updated_at = schemas.UTCDateTime(required=True)
    published_at = schemas.UTCDateTime(required=True, allow_none=True)
    identifier_warnings = fields.List(
        fields.Nested(IdentifierWarningSchema),
        required=True,
        metadata={"description": "Anonymisation findings; empty unless you may edit the item."},
    )
    pending_edit = pending_edit_field()
