"""``/api/v1/tokens``: exchange credentials for a bearer token, list and revoke tokens."""

from kx.accounts import services as accounts
from kx.accounts import sessions
from kx.accounts.schemas import NewTokenSchema, TokenRequestSchema, TokenSchema
from kx.api import api
from kx.api.core import PageQuerySchema, Unauthorized, api_user, operation, paginate
from kx.api.schemas import page_of


@api.post("/tokens")
@sessions.address_budget
@sessions.account_budget
@operation(
    summary="Create a bearer token",
    body=TokenRequestSchema,
    response=NewTokenSchema,
    status=201,
    errors=(429,),
    tags=("tokens",),
)
def create_token(body):
    """Failed attempts spend the sign-in form's budgets, per address and per account."""
    user = sessions.authenticate(body["email"], body["password"])
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
