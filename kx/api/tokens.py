"""``/api/v1/tokens``: exchange credentials for a bearer token, list and revoke tokens."""

import hashlib

from flask import current_app

from kx.accounts import services as accounts
from kx.accounts.schemas import NewTokenSchema, TokenRequestSchema, TokenSchema
from kx.api import api
from kx.api.core import (
    MalformedJSON,
    PageQuerySchema,
    Unauthorized,
    api_user,
    json_body,
    operation,
    paginate,
)
from kx.api.schemas import page_of
from kx.extensions import limiter


def _submitted_email() -> str:
    """The per-account rate-limit key: a digest, so that any text (even 2 MB, or with an
    unpaired surrogate) makes a short, storable key and no address is kept in the store."""
    try:
        body = json_body()
    except MalformedJSON:
        body = None
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return "email:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


def _failed(response) -> bool:
    return response.status_code != 201


@api.post("/tokens")
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS"], deduct_when=_failed)
@limiter.limit("5 per minute;20 per hour", key_func=_submitted_email, deduct_when=_failed)
@operation(
    summary="Create a bearer token",
    body=TokenRequestSchema,
    response=NewTokenSchema,
    status=201,
    errors=(429,),
    tags=("tokens",),
)
def create_token(body):
    """Rate-limited like the sign-in form, per address and per account."""
    user = accounts.authenticate(body["email"], body["password"])
    if user is None:
        raise Unauthorized("The e-mail address or password is not correct.")
    token, raw = accounts.create_token(user, body["name"])
    return {**TokenSchema().dump(token), "token": raw}, 201


@api.get("/tokens")
@operation(
    summary="List your active tokens",
    query=PageQuerySchema,
    response=page_of(TokenSchema),
    auth=True,
    tags=("tokens",),
)
def list_tokens(query):
    statement = accounts.active_tokens(api_user())
    return paginate(statement, TokenSchema, query["page"], query["per_page"])


@api.delete("/tokens/<int:token_id>")
@operation(summary="Revoke a token", status=204, auth=True, errors=(404,), tags=("tokens",))
def revoke_token(token_id: int):
    accounts.revoke_token(api_user(), token_id)
    return "", 204
