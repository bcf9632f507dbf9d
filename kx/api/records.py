"""What the practice and research endpoints share: private fields, list envelopes, strict
JSON types, revisions, and the endpoints of a record kind, registered once per kind."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from kx import exports, schemas, taxonomy
from kx.accounts.schemas import UserSummarySchema
from kx.api import api
from kx.api.core import PageQuerySchema, api_user, operation
from kx.api.schemas import page_of
from kx.errors import Forbidden
from kx.evidence.services import ratings_for
from kx.extensions import db
from kx.kinds import Kind
from kx.records import rules
from kx.records import services as records
from kx.records.models import APPLIED, Revision
from kx.records.schemas import PendingEditSchema
from kx.schemas import dumper

COUNTRY_CODES = list(taxonomy.countries())


def private_fields(item, viewer) -> dict:
    """Fields only the author and moderators read: anonymisation findings and the
    moderator's reason for a rejection."""
    if rules.can_edit(item, viewer):
        return {
            "identifier_warnings": list(item.identifier_warnings or []),
            "review_note": item.review_note or "",
        }
    return {"identifier_warnings": [], "review_note": ""}


def pending_edit_field(item, viewer) -> dict | None:
    """The edit of ``item`` waiting for review, for its author and moderators; else None
    (nobody else learns of it, let alone reads it)."""
    edit = records.pending_edit(item) if rules.can_edit(item, viewer) else None
    if edit is None:
        return None
    return dumper(PendingEditSchema).dump(
        {
            "submitted_at": edit.created_at,
            "fields_changed": list(edit.fields_changed),
            "values": edit.proposed_changes(),
            "identifier_warnings": list(edit.identifier_warnings or []),
        }
    )


def page_envelope(statement, page: int, per_page: int, dump, many: bool = False) -> dict:
    """The list envelope of one page of ``statement``, each row passed through ``dump``
    (``many``: the page's rows at once, so that what they share is fetched in one query)."""
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return {
        "items": dump(result.items) if many else [dump(item) for item in result.items],
        "page": page,
        "per_page": per_page,
        "total": result.total or 0,
    }


def list_page(statement, kind: Kind, query: dict, dump, viewer):
    """The envelope a record list answers with: published items unless the query names
    statuses or asks for the caller's own (then every status); ``dump`` takes a page. With
    ``format=csv``, every such item instead, as a CSV download."""
    mine = query.get("author") == "me"
    statuses = query.get("status") or ([] if mine else ["published"])
    if statuses:
        statement = statement.where(kind.model.status.in_(statuses))
    if query["format"] == "csv":
        return exports.records_csv(
            statement, viewer, partial(kind.url, _external=True), ratings_for
        )
    return page_envelope(statement, query["page"], query["per_page"], dump, many=True)


# Strict JSON types for request bodies. marshmallow would also take "yes" or 1 for a
# boolean, "12" or true for an integer and " gb" for a country code; the API takes exactly
# what its document says, so that a client's type error surfaces as a 422.


class StrictBool(fields.Bool):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInt(fields.Int):
    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def country_codes(**kwargs) -> fields.List:
    """ISO 3166-1 alpha-2 codes, upper case as ISO writes them."""
    code = fields.Str(
        validate=validate.OneOf(COUNTRY_CODES, error="{input} is not an ISO 3166-1 alpha-2 code.")
    )
    return fields.List(code, **kwargs)


def restricted_needs_sectors() -> dict:
    """JSON Schema of the rule "restricted items name the sectors that may see them"."""
    return {
        "anyOf": [
            {"properties": {"visibility": {"enum": ["public", "members"]}}},
            {
                "required": ["visibility", "restricted_sectors"],
                "properties": {
                    "visibility": {"enum": ["restricted"]},
                    "restricted_sectors": {"minItems": 1},
                },
            },
        ]
    }


STATUS_FILTER_HELP = (
    "Defaults to `published`; with `author=me`, to every status. "
    "You only ever see statuses you may see (your own items; moderators all)."
)


def export_format() -> fields.Str:
    """The ``format`` query parameter of a list that can be exported."""
    return fields.Str(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={
            "description": "`json` (default) or `csv`: every matching item you may see (at "
            f"most {exports.MAX_EXPORT_ROWS:,}; `page` and `per_page` are ignored) as a "
            "`text/csv; charset=utf-8` download, streamed, with a header row; "
            "`X-Total-Count` says how many matched. A cell that would begin with `=`, `+`, "
            "`-` or `@` starts with `'`."
        },
    )


#: a list's other answers than JSON, by media type (``format=csv``), for kx.api.meta
EXPORT_MEDIA_TYPES = ("text/csv",)


class RecordQuerySchema(PageQuerySchema):
    """Filters; repeat a parameter to match any of its values."""

    openapi_media_types = EXPORT_MEDIA_TYPES
    format = export_format()
    domain = schemas.slugs("domains")
    status = schemas.slugs("statuses", metadata={"description": STATUS_FILTER_HELP})
    author = fields.Str(
        validate=validate.OneOf(["me"]), metadata={"description": "`me`: your own items."}
    )


class RevisionSchema(Schema):
    id = fields.Int(required=True)
    created_at = schemas.UTCDateTime(required=True)
    author = fields.Nested(UserSummarySchema, required=True, allow_none=True)
    fields_changed = fields.List(fields.Str(), required=True)


def revision_page(item, viewer, page: int, per_page: int) -> dict:
    """The item's applied revisions, oldest first; only its author and moderators may
    read them (a revision can hold text removed on purpose, such as an identifier). An edit
    waiting for review is the item's ``pending_edit``."""
    if not rules.can_edit(item, viewer):
        raise Forbidden("Only the author or a moderator may read the revisions.")
    statement = (
        select(Revision)
        .where(
            Revision.item_type == item.item_type,
            Revision.item_id == item.id,
            Revision.status == APPLIED,
        )
        .order_by(Revision.id)
    )
    return page_envelope(statement, page, per_page, dumper(RevisionSchema).dump)


@dataclass(frozen=True)
class RecordEndpoints:
    """What one record kind brings to its endpoints at ``/<segment>`` (``register``)."""

    kind: Kind
    response: type[Schema]
    query: type[Schema]
    #: ``statement(viewer, query)``: the ``select`` of the list, filtered
    statement: Callable
    #: ``out(item, viewer)``: one item as ``response`` documents it
    out: Callable
    #: ``out_page(items, viewer)``: a page of items, what they share fetched at once
    out_page: Callable
    #: ``save(viewer, body, item=None)``: create or change an item
    save: Callable
    create_body: type[Schema]
    update_body: type[Schema]
    create_errors: tuple[int, ...]
    update_errors: tuple[int, ...]
    create_description: str
    update_description: str


def register(endpoints: RecordEndpoints) -> None:
    """List, write, read, change and delete items of a kind, and read their revisions, with
    the endpoint names ``list_<segment>``, ``create_<type>``, ``get_<type>``, ...."""
    kind = endpoints.kind
    collection = f"/{kind.segment}"
    path = f"{collection}/<int:{kind.api_id_arg}>"
    noun = kind.singular.lower()
    tags = (kind.segment,)
    out = endpoints.out

    def list_items(query):
        """Only what you may see: anonymously, published public items."""
        viewer = api_user()
        statement = endpoints.statement(viewer, query)
        return list_page(
            statement, kind, query, lambda items: endpoints.out_page(items, viewer), viewer
        )

    def create(body):
        viewer = api_user()
        return out(endpoints.save(viewer, body), viewer), 201

    def read(**path_args):
        viewer = api_user()
        return out(kind.get(path_args[kind.api_id_arg], viewer), viewer)

    def update(body, **path_args):
        viewer = api_user()
        item = kind.get(path_args[kind.api_id_arg], viewer)
        return out(endpoints.save(viewer, body, item), viewer)

    def delete(**path_args):
        """The author or a moderator; its revisions and evidence links go with it."""
        viewer = api_user()
        records.delete(kind.get(path_args[kind.api_id_arg], viewer), viewer)
        return "", 204

    def revisions(query, **path_args):
        """Oldest first. The author and moderators only (403 for others who may see it)."""
        viewer = api_user()
        item = kind.get(path_args[kind.api_id_arg], viewer)
        return revision_page(item, viewer, query["page"], query["per_page"])

    create.__doc__ = endpoints.create_description
    update.__doc__ = endpoints.update_description
    response = endpoints.response
    routes = (
        (
            collection,
            f"list_{kind.segment}",
            "GET",
            operation(
                summary=f"List {kind.plural.lower()}",
                query=endpoints.query,
                response=page_of(response),
                tags=tags,
            )(list_items),
        ),
        (
            collection,
            f"create_{kind.item_type}",
            "POST",
            operation(
                summary=f"Write a {noun}",
                body=endpoints.create_body,
                response=response,
                status=201,
                auth=True,
                errors=endpoints.create_errors,
                tags=tags,
            )(create),
        ),
        (
            path,
            f"get_{kind.item_type}",
            "GET",
            operation(summary=f"Read a {noun}", response=response, tags=tags)(read),
        ),
        (
            path,
            f"update_{kind.item_type}",
            "PATCH",
            operation(
                summary=f"Change a {noun}",
                body=endpoints.update_body,
                response=response,
                auth=True,
                errors=endpoints.update_errors,
                tags=tags,
            )(update),
        ),
        (
            path,
            f"delete_{kind.item_type}",
            "DELETE",
            operation(summary=f"Delete a {noun}", status=204, auth=True, errors=(403,), tags=tags)(
                delete
            ),
        ),
        (
            f"{path}/revisions",
            f"list_{kind.item_type}_revisions",
            "GET",
            operation(
                summary=f"A {noun}'s revisions",
                query=PageQuerySchema,
                response=page_of(RevisionSchema),
                auth=True,
                errors=(403,),
                tags=tags,
            )(revisions),
        ),
    )
    for rule, endpoint, method, view in routes:
        api.add_url_rule(rule, endpoint, view, methods=[method])
