"""How an API view is declared: its schemas validate input and document the endpoint.

``@operation(...)`` parses and validates the JSON body and query with marshmallow, demands
a bearer token where ``auth=True``, and leaves its arguments on the view for the OpenAPI
document, so the document and the validation can never disagree.
"""

import re
from functools import wraps

from flask import g, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import BadRequest

from kx.accounts.models import AnonymousUser
from kx.api.schemas import PageQuerySchema
from kx.errors import Invalid, ServiceError
from kx.extensions import db
from kx.security import DatabaseIdConverter

# Every endpoint refuses a bad bearer token (401), an oversized body (413) and unknown query
# parameters (422); the rest follow from what the operation reads (see ``operation``).
DEFAULT_ERRORS = (401, 413, 422)


class Unauthorized(ServiceError):
    status = 401


def api_user():
    """The user behind the request's bearer token; for an anonymous caller the same
    anonymous-user object the pages see, so that every rule is asked the same way."""
    return g.get("api_user") or AnonymousUser()


# Ids are 32-bit on PostgreSQL: kx.security's ``int`` converter answers 404 beyond this.
MAX_ID = DatabaseIdConverter.MAX


class NoQuerySchema(Schema):
    """An operation without query parameters: any parameter is unknown."""


def _query_data(schema: Schema) -> dict:
    """The query string as ``schema`` expects it: lists for ``List`` fields, else the last
    value. Unknown parameters are kept, so that loading rejects them like unknown body fields
    (a misspelt filter must not silently return everything)."""
    lists = {
        field.data_key or name
        for name, field in schema.load_fields.items()
        if isinstance(field, fields.List)
    }
    return {key: values if key in lists else values[-1] for key, values in request.args.lists()}


class MalformedJSON(ServiceError):
    status = 400


def json_body():
    """The request body parsed as JSON whatever its Content-Type (cached after the first
    call); ``MalformedJSON`` (400) when it is not JSON or nests too deeply to parse."""
    try:
        return request.get_json(force=True)
    except (BadRequest, RecursionError) as exc:
        # A body of "[[[[…" within the size limit exhausts the parser's recursion: still 400.
        raise MalformedJSON("The request body is not valid JSON.") from exc


# Text no database column can hold (PostgreSQL refuses NUL) and no UTF-8 encoder can write
# (an unpaired surrogate such as "\ud800", which JSON escapes can carry).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Text may not contain NUL characters or unpaired surrogates."


def has_unstorable_text(value) -> bool:
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unstorable_text(k) or has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_unstorable_text(item) for item in value)
    return False


def _load(schema: Schema, data) -> dict:
    if isinstance(data, dict):
        bad = {
            key: [UNSTORABLE_MESSAGE] for key, value in data.items() if has_unstorable_text(value)
        }
        if bad or has_unstorable_text(list(data)):
            raise Invalid(
                "Some of the input is not valid.", bad or {"_schema": [UNSTORABLE_MESSAGE]}
            )
    elif has_unstorable_text(data):
        raise Invalid("Some of the input is not valid.", {"_schema": [UNSTORABLE_MESSAGE]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise Invalid("Some of the input is not valid.", messages) from exc


def operation(
    *,
    summary: str,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    auth: bool = False,
    errors: tuple[int, ...] = (),
    tags: tuple[str, ...] = (),
):
    """Declare an API view: validated ``body``/``query`` kwargs, auth rule, documentation.

    ``errors`` lists the statuses the view itself can answer besides those implied here:
    401, 413 and 422 everywhere, 400 with a ``body``, 404 with a path argument. Name 403,
    404, 409 and 429 (rate limits) where they apply. Query parameters not in ``query`` are
    rejected with 422, as unknown body fields are.
    """

    # one instance each, made once: loading keeps no state in a schema, and making one
    # copies all its fields
    query_schema = (query or NoQuerySchema)()
    body_schema = body() if body is not None else None

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if auth and not api_user().is_authenticated:
                raise Unauthorized("Send a valid bearer token in the Authorization header.")
            loaded_query = _load(query_schema, _query_data(query_schema))
            if query is not None:
                kwargs["query"] = loaded_query
            if body_schema is not None:
                kwargs["body"] = _load(body_schema, json_body())
            return view(*args, **kwargs)

        wrapped.openapi = {
            "summary": summary,
            "description": (view.__doc__ or "").strip(),
            "body": body,
            "query": query,
            "response": response,
            "status": status,
            "auth": auth,
            "errors": tuple(
                sorted(
                    {
                        *DEFAULT_ERRORS,
                        *errors,
                        *((400,) if body is not None else ()),
                    }
                )
            ),
            "tags": tags,
        }
        return wrapped

    return decorate


def paginate(statement, item_schema: type[Schema], page: int, per_page: int) -> dict:
    """One page of ``statement``'s rows dumped with ``item_schema``, in the list envelope."""
    result = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return {
        "items": item_schema(many=True).dump(result.items),
        "page": page,
        "per_page": per_page,
        "total": result.total or 0,
    }


__all__ = ["MAX_ID", "PageQuerySchema", "Unauthorized", "api_user", "operation", "paginate"]
