"""What practice examples and research summaries share in JSON: the anonymisation
findings and an edit waiting for review."""

from marshmallow import Schema, fields

from kx import schemas


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
