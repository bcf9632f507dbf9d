"""Forum threads, posts and reports in JSON: what may be written, and how they read back.

The input schemas state every rule a client can check beforehand (lengths, choices, "not
only spaces"), so that what the API document calls valid is never refused with a 422;
kx.forum.services still enforces the same rules for the HTML forms.
"""

from marshmallow import Schema, fields, validate

from kx import schemas
from kx.accounts.schemas import UserSummarySchema
from kx.forum.models import CATEGORIES, KINDS, NEED_STATUSES, REPORT_REASONS
from kx.forum.services import LINKABLE, MAX_POST, MAX_TITLE
from kx.security import DatabaseIdConverter

MAX_NOTE = 2000
MAX_LINKS = 20
# Something other than spaces. Anchored, so that marshmallow's ``match`` and JSON Schema's
# unanchored ``pattern`` accept exactly the same strings (and it stays linear).
EMPTY = "Write something first."


class StrictInt(fields.Int):
    """A JSON integer only (marshmallow would also take "12", 12.0 or true)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def database_id(**kwargs) -> StrictInt:
    return StrictInt(validate=validate.Range(min=1, max=DatabaseIdConverter.MAX), **kwargs)


def post_body(**kwargs) -> fields.Str:
    return fields.Str(
        validate=[
            validate.Length(min=1, error=EMPTY),
            validate.Length(
                max=MAX_POST, error=f"Shorten this to {MAX_POST:,} characters or fewer."
            ),
            validate.Regexp(schemas.NOT_BLANK, error=EMPTY),
        ],
        metadata={"description": f"Markdown, up to {MAX_POST:,} characters."},
        **kwargs,
    )


# --------------------------------------------------------------------------- input


class LinkInputSchema(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(list(LINKABLE)))
    id = database_id(required=True)


class ThreadCreateSchema(Schema):
    category = fields.Str(
        required=True,
        validate=validate.OneOf(list(CATEGORIES)),
        metadata={"description": "A domain slug or `cross-disciplinary`."},
    )
    kind = fields.Str(load_default="discussion", validate=validate.OneOf(list(KINDS)))
    title = schemas.title(MAX_TITLE, required=True)
    body = post_body(required=True)
    links = fields.List(
        fields.Nested(LinkInputSchema),
        load_default=list,
        validate=validate.Length(max=MAX_LINKS),
        metadata={"description": "Practice examples and research summaries it is about."},
    )


class ReplyCreateSchema(Schema):
    body = post_body(required=True)
    quote_of = database_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The id of the post in this thread that the reply quotes."},
    )


class PostUpdateSchema(Schema):
    body = post_body(required=True)


class ReportCreateSchema(Schema):
    reason = fields.Str(required=True, validate=validate.OneOf(list(REPORT_REASONS)))
    note = fields.Str(
        load_default="",
        validate=validate.Length(max=MAX_NOTE),
        metadata={"description": "What the moderators should know."},
    )


# --------------------------------------------------------------------------- output


class CategorySchema(Schema):
    slug = fields.Str(required=True)
    name = fields.Str(required=True)
    visibility = fields.Str(required=True, validate=validate.OneOf(["public", "members"]))


class LinkSchema(Schema):
    type = fields.Str(required=True, validate=validate.OneOf(list(LINKABLE)))
    id = fields.Int(required=True)
    title = fields.Str(required=True)
    url = fields.Str(required=True, metadata={"description": "The item's HTML page."})


class ThreadSchema(Schema):
    id = fields.Int(required=True)
    category = fields.Str(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(list(KINDS)))
    title = fields.Str(required=True)
    status = fields.Str(
        required=True,
        allow_none=True,
        validate=validate.OneOf(list(NEED_STATUSES)),
        metadata={"description": "Research needs only (else null)."},
    )
    locked = fields.Bool(required=True)
    pinned = fields.Bool(required=True)
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    created_at = schemas.UTCDateTime(required=True)
    links = fields.List(
        fields.Nested(LinkSchema),
        required=True,
        metadata={"description": "The linked items you may see."},
    )
    url = fields.Str(required=True, metadata={"description": "The thread's HTML page."})


class PostSchema(Schema):
    id = fields.Int(required=True)
    body = fields.Str(required=True, metadata={"description": "Markdown; empty once deleted."})
    body_html = fields.Str(required=True, metadata={"description": "Sanitised HTML."})
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    created_at = schemas.UTCDateTime(required=True)
    edited_at = schemas.UTCDateTime(required=True, allow_none=True)
    hidden = fields.Bool(
        required=True,
        metadata={"description": "Hidden pending review; only moderators see such posts."},
    )
    deleted = fields.Bool(required=True)
    quote_of = fields.Int(required=True, allow_none=True)
    event = fields.Str(
        required=True,
        metadata={"description": "A research need's status change (the new status), else empty."},
    )


class VotesSchema(Schema):
    total = fields.Int(required=True)
    by_sector = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)


class ThreadDetailSchema(ThreadSchema):
    posts = fields.List(fields.Nested(PostSchema), required=True)
    votes = fields.Nested(
        VotesSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Research needs only (else null)."},
    )
    claimed_by = fields.Nested(UserSummarySchema, required=True, allow_none=True)


class ReportSchema(Schema):
    id = fields.Int(required=True)
    post_id = fields.Int(required=True)
    reason = fields.Str(required=True)
    note = fields.Str(required=True)
    created_at = schemas.UTCDateTime(required=True)
    post_hidden = fields.Bool(
        required=True, metadata={"description": "An illegal-material report hides the post."}
    )
    urgent = fields.Bool(
        required=True,
        metadata={
            "description": "An illegal-material report past the reporter's daily number of "
            "hidden posts: the post stays visible and the report waits first in the queue."
        },
    )
    guidance = fields.Str(
        required=True, metadata={"description": "What to do next (illegal material), else empty."}
    )
