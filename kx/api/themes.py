"""``/api/v1/themes``: the caller's saved searches ("my themes") with their private feed
address, new-match count and e-mail digest. Someone else's theme answers 404."""

from flask import current_app, url_for
from marshmallow import Schema, fields, validate

from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.records import StrictInt
from kx.api.schemas import page_of
from kx.api.search import _filter
from kx.search import saved
from kx.search.words import MAX_QUERY_CHARS

TAGS = ("themes",)


class ThemeCriteriaSchema(Schema):
    q = fields.Str(load_default="", validate=validate.Length(max=MAX_QUERY_CHARS))
    type = _filter("types", "type", "practice, research or thread")
    domain = _filter("domains", "domain", "Domain slugs")
    country = _filter("countries", "country code", "ISO 3166-1 alpha-2 codes")
    prevention_level = _filter("prevention_levels", "prevention level", "Prevention levels")
    study_design = _filter("study_designs", "study design", "Study design slugs")
    year_from = StrictInt(validate=validate.Range(min=saved.YEAR_MIN, max=saved.YEAR_MAX))
    year_to = StrictInt(validate=validate.Range(min=saved.YEAR_MIN, max=saved.YEAR_MAX))


_DIGEST = fields.Str(
    validate=validate.OneOf(list(saved.DIGESTS)),
    metadata={"description": "off, daily or weekly: new matches by e-mail"},
)


class ThemeCreateSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=saved.NAME_MAX))
    query = fields.Nested(ThemeCriteriaSchema, load_default=dict)
    digest = fields.Str(
        load_default="off",
        validate=_DIGEST.validate,
        metadata=_DIGEST.metadata,
    )


class ThemeUpdateSchema(Schema):
    name = fields.Str(validate=validate.Length(min=1, max=saved.NAME_MAX))
    query = fields.Nested(ThemeCriteriaSchema)
    digest = fields.Str(validate=_DIGEST.validate, metadata=_DIGEST.metadata)


class ThemeSchema(Schema):
    id = fields.Int(required=True)
    name = fields.Str(required=True)
    query = fields.Dict(required=True)
    digest = fields.Str(required=True)
    feed_url = fields.Str(
        allow_none=True,
        required=True,
        metadata={"description": "The private Atom feed; null until a new one is issued"},
    )
    new_count = fields.Int(
        required=True, metadata={"description": "Matches new since the last visit (max 101)"}
    )
    created_at = fields.DateTime(required=True)


def _theme(theme) -> dict:
    token = saved.feed_token(theme)
    feed_url = (
        current_app.config["BASE_URL"] + url_for("search_pages.feed", token=token)
        if token
        else None
    )
    criteria = saved.criteria_of(theme)
    return {
        "id": theme.id,
        "name": theme.name,
        "query": {name: criteria[name] for name in ThemeCriteriaSchema().fields},
        "digest": theme.digest,
        "feed_url": feed_url,
        "new_count": saved.new_matches(theme),
        "created_at": theme.created_at.isoformat() + "Z",
    }


@api.get("/themes")
@operation(
    summary="List your themes",
    query=PageQuerySchema,
    response=page_of(ThemeSchema),
    auth=True,
    tags=TAGS,
)
def list_themes(query):
    themes = saved.themes_of(api_user())
    start = (query["page"] - 1) * query["per_page"]
    return {
        "items": [_theme(theme) for theme in themes[start : start + query["per_page"]]],
        "page": query["page"],
        "per_page": query["per_page"],
        "total": len(themes),
    }


@api.post("/themes")
@operation(
    summary="Save a theme",
    body=ThemeCreateSchema,
    response=ThemeSchema,
    status=201,
    auth=True,
    errors=(403, 409),
    tags=TAGS,
)
def create_theme(body):
    """Verified members (403 otherwise), at most 50 themes each (409 beyond)."""
    theme, _raw = saved.save(api_user(), body["name"], body["query"], body["digest"])
    return _theme(theme), 201


@api.patch("/themes/<int:theme_id>")
@operation(
    summary="Change a theme",
    body=ThemeUpdateSchema,
    response=ThemeSchema,
    auth=True,
    errors=(404,),
    tags=TAGS,
)
def update_theme(theme_id: int, body):
    """``query`` replaces the criteria as a whole."""
    theme = saved.update(
        api_user(), theme_id, body.get("name"), body.get("query"), body.get("digest")
    )
    return _theme(theme)


@api.delete("/themes/<int:theme_id>")
@operation(summary="Delete a theme", status=204, auth=True, errors=(404,), tags=TAGS)
def delete_theme(theme_id: int):
    saved.delete(api_user(), theme_id)
    return "", 204
