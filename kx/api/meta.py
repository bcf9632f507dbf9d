"""``/api/v1/taxonomy`` and ``/api/v1/openapi.json``."""

import copy
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import Schema, fields

from kx import taxonomy
from kx.api import api
from kx.api.core import MAX_ID, operation
from kx.api.schemas import ErrorSchema

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "No valid bearer token (where one is required), or a bad one was sent",
    403: "Signed in but not allowed",
    404: "Not found, or not visible to you",
    409: "Conflicts with something that already exists",
    413: "The body is larger than the limit (2 MB)",
    422: "The input is not valid; `fields` says where",
    429: "Too many attempts; see Retry-After",
}

_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


class TermSchema(Schema):
    slug = fields.Str(required=True)
    label = fields.Str(required=True)


# Every vocabulary kx knows, each a list of terms (study designs strongest first).
TaxonomySchema = Schema.from_dict(
    {
        name: fields.List(fields.Nested(TermSchema), required=True)
        for name in [*taxonomy.VOCABULARIES, "countries"]
    },
    name="TaxonomySchema",
)


@api.get("/taxonomy")
@operation(
    summary="Every vocabulary with slugs and labels", response=TaxonomySchema, tags=("meta",)
)
def get_taxonomy():
    """Study designs are listed strongest first."""
    names = [*taxonomy.VOCABULARIES, "countries"]
    return {
        name: [{"slug": slug, "label": label} for slug, label in taxonomy.vocabulary(name).items()]
        for name in names
    }


@api.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec().to_dict())


def build_spec() -> APISpec:
    """The OpenAPI 3 document of every ``@operation`` under ``/api/v1``."""
    spec = APISpec(
        title="kx API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Knowledge exchange JSON API. Without a bearer token it answers "
                "as for an anonymous visitor. Unknown body fields and query parameters, and "
                "text with NUL characters or unpaired surrogates, are rejected with 422."
            )
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        meta = getattr(current_app.view_functions[rule.endpoint], "openapi", None)
        if meta is None or not rule.rule.startswith(api.url_prefix):
            continue
        path = _RULE_ARGUMENT.sub(r"{\g<name>}", rule.rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            operation = _operation(rule, meta)
            operation["operationId"] = _operation_id(rule.endpoint, method, len(methods) > 1)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec


def _operation_id(endpoint: str, method: str, shared: bool) -> str:
    """``api.list_practices`` as ``listPractices`` (generated clients name their methods by
    it); a view serving several methods gets the method in front."""
    words = endpoint.rpartition(".")[2].split("_")
    if shared:
        words.insert(0, method.lower())
    return words[0] + "".join(word.capitalize() for word in words[1:])


def _operation(rule, meta: dict) -> dict:
    parameters = [
        {
            "in": "path",
            "name": match["name"],
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if match["converter"] == "int"
            else {"type": "string"},
        }
        for match in _RULE_ARGUMENT.finditer(rule.rule)
    ]
    if meta["query"] is not None:
        parameters.append({"in": "query", "schema": meta["query"]})
    errors = {*meta["errors"], *((404,) if rule.arguments else ())}
    responses = {
        str(status): {
            "description": ERROR_DESCRIPTIONS.get(status, "Error"),
            "content": {"application/json": {"schema": "Error"}},
        }
        for status in sorted(errors)
    }
    success = {"description": meta["summary"]}
    if meta["response"] is not None:
        success["content"] = {"application/json": {"schema": meta["response"]}}
        for media_type in getattr(meta["query"], "openapi_media_types", ()):
            success["content"][media_type] = {"schema": {"type": "string"}}
    responses[str(meta["status"])] = success
    operation = {
        "summary": meta["summary"],
        "description": meta["description"],
        "tags": list(meta["tags"]),
        "parameters": parameters,
        "responses": responses,
    }
    if meta["body"] is not None:
        # Rules across fields (a body schema's ``openapi_constraints``) join with allOf.
        # Copied: apispec resolves references in place, and one schema serves several routes.
        constraints = copy.deepcopy(getattr(meta["body"], "openapi_constraints", ()))
        schema = {"allOf": [meta["body"], *constraints]} if constraints else meta["body"]
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    # Without a token the API answers as an anonymous visitor, except where auth is required.
    operation["security"] = [{"bearer": []}] if meta["auth"] else [{}, {"bearer": []}]
    return operation
