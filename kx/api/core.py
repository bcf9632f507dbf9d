"""How an API view is declared: its schemas validate input and document the endpoint.

``@operation(...)`` parses and validates the JSON body and query with marshmallow, demands
a bearer token where ``auth=True``, and leaves its arguments on the view for the OpenAPI
document, so the document and the validation can never disagree.
"""

from functools import wraps

from flask import g, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import BadRequest

from kx.api.schemas import PageQuerySchema
from kx.errors import Invalid, ServiceError
from kx.extensions import db

DEFAULT_ERRORS = (400, 413, 422, 429)


class Unauthorized(ServiceError):
    status = 401


def api_user():
    """The user behind the request's bearer token, or None for an anonymous caller."""
    return g.get("api_user")


def _query_data(schema: Schema) -> dict:
    data = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in request.args:
            values = request.args.getlist(key)
            data[key] = values if isinstance(field, fields.List) else values[-1]
    return data


def _load(schema: Schema, data) -> dict:
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
    """Declare an API view: validated ``body``/``query`` kwargs, auth rule, documentation."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if auth and api_user() is None:
                raise Unauthorized("Send a valid bearer token in the Authorization header.")
            if query is not None:
                kwargs["query"] = _load(query(), _query_data(query()))
            if body is not None:
                try:
                    data = request.get_json(force=True)
                except BadRequest as exc:
                    raise ServiceError("The request body is not valid JSON.") from exc
                kwargs["body"] = _load(body(), data)
            return view(*args, **kwargs)

        wrapped.openapi = {
            "summary": summary,
            "description": (view.__doc__ or "").strip(),
            "body": body,
            "query": query,
            "response": response,
            "status": status,
            "auth": auth,
            "errors": tuple(sorted({*DEFAULT_ERRORS, *errors, *((401,) if auth else ())})),
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


__all__ = ["PageQuerySchema", "Unauthorized", "api_user", "operation", "paginate"]
