"""``POST/GET/DELETE /api/v1/tokens``: issuing, listing, revoking, bad input, rate limits."""

from datetime import datetime

import pytest
from sqlalchemy import select

from kx.accounts.models import ApiToken
from kx.extensions import db
from tests.support.api import assert_json_error
from tests.support.database import page_statements

TOKENS = "/api/v1/tokens"


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# Issuing


def test_create_token_returns_it_once_with_its_metadata(client, make_user):
    user = make_user()
    response = client.post(TOKENS, json={"email": user.email, "password": user.password})
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert {"token", "expires_at", "id", "name", "created_at"} <= set(body)
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert isinstance(body["id"], int)
    assert _parse_time(body["expires_at"]) > _parse_time(body["created_at"])
    assert body["expires_at"].endswith("Z") and body["created_at"].endswith("Z")  # UTC
    assert body["last_used_at"] is None
    # The token works straight away.
    listed = client.get(TOKENS, headers=bearer(body["token"]))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.get_json()["items"]] == [body["id"]]
    assert "token" not in listed.get_json()["items"][0]


def test_create_token_accepts_a_name_and_any_case_of_email(client, make_user):
    user = make_user()
    response = client.post(
        TOKENS,
        json={"email": f"  {user.email.upper()} ", "password": user.password, "name": "laptop"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["name"] == "laptop"


@pytest.mark.parametrize(
    "credentials",
    [
        {"password": "a long but wrong passphrase"},
        {"email": "nobody@example.org"},
    ],
    ids=["wrong-password", "unknown-email"],
)
def test_wrong_credentials_get_401_without_saying_which(client, make_user, credentials):
    user = make_user()
    data = {"email": user.email, "password": user.password, **credentials}
    error = assert_json_error(client.post(TOKENS, json=data), 401)
    assert "fields" not in error
    assert error["message"] == "The e-mail address or password is not correct."


def test_deactivated_and_unverified_accounts(client, make_user, user_row):
    """An unverified user may hold a token (the API then answers as for that user);
    a deactivated one may not."""
    unverified = make_user(verified=False)
    response = client.post(
        TOKENS, json={"email": unverified.email, "password": unverified.password}
    )
    assert response.status_code == 201
    gone = make_user()
    user_row(gone, lambda row: setattr(row, "active", False))
    response = client.post(TOKENS, json={"email": gone.email, "password": gone.password})
    assert_json_error(response, 401)


def test_tokens_are_stored_hashed(app, client, make_user):
    user = make_user()
    raw = client.post(TOKENS, json={"email": user.email, "password": user.password}).get_json()[
        "token"
    ]
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.digest != raw and raw not in token.digest
        dump = "\n".join(
            str(row)
            for table in db.metadata.sorted_tables
            for row in db.session.execute(db.select(table))
        )
    assert raw not in dump
    assert raw.removeprefix("kx_") not in dump


# Bad input


@pytest.mark.parametrize(
    "data",
    ['{"email": "a@example.org", "password": ', "not json", "", "\xff\xfe"],
    ids=["truncated", "text", "empty", "bad-utf8"],
)
def test_malformed_json_gets_400(client, data):
    response = client.post(TOKENS, data=data.encode("latin-1"), content_type="application/json")
    assert_json_error(response, 400)


@pytest.mark.parametrize("opening", ["[", '{"a": '], ids=["arrays", "objects"])
def test_json_nested_too_deeply_to_parse_gets_400(client, opening):
    body = opening * 100_000  # well within the size limit, beyond the parser's recursion
    response = client.post(TOKENS, data=body, content_type="application/json")
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"email": "\\ud800@example.org", "password": "x"}', "email"),
        ('{"email": "a@example.org", "password": "pass\\udc00word"}', "password"),
        ('{"email": "a\\u0000@example.org", "password": "x"}', "email"),
        ('{"email": "a@example.org", "password": "x", "\\u0000": 1}', "_schema"),
    ],
    ids=["surrogate-email", "surrogate-password", "nul-email", "nul-key"],
)
def test_text_no_database_can_store_gets_422(client, body, field):
    """JSON escapes can carry NUL (PostgreSQL refuses it) and unpaired surrogates (no UTF-8
    encoder writes them); both are rejected before they reach a query or the hasher."""
    response = client.post(TOKENS, data=body, content_type="application/json")
    error = assert_json_error(response, 422, fields=True)
    assert list(error["fields"]) == [field]


def test_nul_in_a_query_parameter_gets_422(client, make_user, issue_token):
    headers = issue_token(make_user())
    error = assert_json_error(client.get(f"{TOKENS}?page=1%00", headers=headers), 422)
    assert list(error["fields"]) == ["page"]


def test_body_without_json_content_type_is_still_parsed_as_json(client, make_user):
    user = make_user()
    response = client.post(
        TOKENS,
        data=f'{{"email": "{user.email}", "password": "{user.password}"}}',
        content_type="text/plain",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("field", ["role", "id", "user_id", "expires_at", "session_version"])
def test_unknown_fields_get_422_naming_them(client, make_user, field):
    user = make_user()
    data = {"email": user.email, "password": user.password, field: "admin"}
    error = assert_json_error(client.post(TOKENS, json=data), 422, fields=True)
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({}, {"email", "password"}),
        ({"email": "a@example.org"}, {"password"}),
        ({"password": "x" * 12}, {"email"}),
    ],
)
def test_missing_fields_get_422(client, data, missing):
    error = assert_json_error(client.post(TOKENS, json=data), 422, fields=True)
    assert set(error["fields"]) == missing


@pytest.mark.parametrize(
    "data",
    [
        [],
        "a string",
        42,
        None,
        {"email": 1, "password": True},
        {"email": "", "password": ""},
        {"email": "a@example.org", "password": "p" * 257},
        {"email": "a@example.org", "password": "x", "name": "n" * 81},
    ],
    ids=["list", "string", "number", "null", "wrong-types", "empty", "long-password", "long-name"],
)
def test_wrong_shapes_get_422(client, data):
    import json

    response = client.post(TOKENS, data=json.dumps(data), content_type="application/json")
    assert_json_error(response, 422, fields=True)


def test_no_half_written_token_after_a_failed_request(app, client, make_user):
    user = make_user()
    client.post(TOKENS, json={"email": user.email, "password": "wrong wrong wrong"})
    client.post(TOKENS, json={"email": user.email, "password": user.password, "role": "admin"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApiToken)) == 0


# Rate limits


def test_burst_of_wrong_passwords_for_one_account_gets_429(client, make_user):
    user = make_user()
    wrong = {"email": user.email, "password": "not the right passphrase"}
    statuses = [
        client.post(TOKENS, json=wrong, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(1, 9)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    # The right password does not get through the account's limit either.
    right = client.post(
        TOKENS,
        json={"email": user.email, "password": user.password},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    error = assert_json_error(right, 429)
    assert int(right.headers["Retry-After"]) > 0
    assert "fields" not in error
    # Another account from the same addresses is unaffected.
    other = make_user()
    ok = client.post(
        TOKENS,
        json={"email": other.email, "password": other.password},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert ok.status_code == 201


def test_burst_of_wrong_passwords_from_one_address_gets_429(client, make_user):
    users = [make_user() for _ in range(11)]
    statuses = [
        client.post(TOKENS, json={"email": u.email, "password": "not the right passphrase"})
        for u in users
    ]
    assert [r.status_code for r in statuses[:10]] == [401] * 10
    assert_json_error(statuses[10], 429)
    # Another address still gets in.
    other = client.post(
        TOKENS,
        json={"email": users[0].email, "password": users[0].password},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 201


def test_successful_sign_ins_do_not_use_up_the_limit(client, make_user):
    user = make_user()
    for _ in range(8):  # more than the account's limit of 5 per minute
        response = client.post(TOKENS, json={"email": user.email, "password": user.password})
        assert response.status_code == 201


# Listing


def test_list_tokens_is_a_page_of_your_active_tokens(client, make_user, issue_token):
    user, other = make_user(), make_user()
    headers = issue_token(user, "first")
    for n in range(4):
        issue_token(user, f"extra {n}")
    issue_token(other, "not mine")
    body = client.get(TOKENS, headers=headers).get_json()
    assert set(body) == {"items", "page", "per_page", "total"}
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 5)
    assert [t["name"] for t in body["items"]] == ["first", *(f"extra {n}" for n in range(4))]
    for item in body["items"]:
        assert set(item) == {"id", "name", "created_at", "expires_at", "last_used_at"}

    page = client.get(f"{TOKENS}?page=2&per_page=2", headers=headers).get_json()
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)
    assert [t["name"] for t in page["items"]] == ["extra 1", "extra 2"]
    beyond = client.get(f"{TOKENS}?page=9&per_page=100", headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5


def test_list_tokens_marks_last_use(client, make_user, issue_token):
    user = make_user()
    headers = issue_token(user)
    item = client.get(TOKENS, headers=headers).get_json()["items"][0]
    assert item["last_used_at"] is not None


def test_a_bearer_token_is_checked_with_one_statement(app, client, make_user, issue_token):
    headers = issue_token(make_user())
    client.get(TOKENS, headers=headers)  # the first use notes itself; later ones only read
    seen = page_statements(app, client, "/api/v1/search?q=helpline", headers)
    assert len([s for s in seen if s.startswith("SELECT api_tokens.")]) == 1
    assert not [s for s in seen if s.startswith("SELECT users.")]  # its user came with it


@pytest.mark.parametrize(
    "query",
    ["per_page=0", "per_page=101", "per_page=-1", "page=0", "page=x", "per_page=2.5"],
)
def test_pagination_bounds_get_422(client, make_user, issue_token, query):
    headers = issue_token(make_user())
    error = assert_json_error(client.get(f"{TOKENS}?{query}", headers=headers), 422, fields=True)
    assert set(error["fields"]) <= {"page", "per_page"}


@pytest.mark.parametrize("per_page", [1, 100])
def test_pagination_bounds_are_inclusive(client, make_user, issue_token, per_page):
    headers = issue_token(make_user())
    response = client.get(f"{TOKENS}?per_page={per_page}", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["per_page"] == per_page


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Bearer kx_nonsense", "Basic dXNlcjpwYXNz", "kx_nonsense"],
)
def test_listing_needs_a_valid_bearer_token(client, header):
    headers = {"Authorization": header} if header is not None else {}
    assert_json_error(client.get(TOKENS, headers=headers), 401)


# Revoking


def test_revoke_token_stops_it_working(client, make_user, api_token):
    user = make_user()
    headers = api_token(user)
    keep = api_token(user)
    token_id = client.get(TOKENS, headers=headers).get_json()["items"][0]["id"]
    response = client.delete(f"{TOKENS}/{token_id}", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_json_error(client.get(TOKENS, headers=headers), 401)
    assert_json_error(client.delete(f"{TOKENS}/{token_id}", headers=headers), 401)
    # The other token still works and no longer lists the revoked one.
    remaining = client.get(TOKENS, headers=keep).get_json()
    assert token_id not in [t["id"] for t in remaining["items"]]
    assert remaining["total"] == 1
    # Revoking again is "not found", not an error of another kind.
    assert_json_error(client.delete(f"{TOKENS}/{token_id}", headers=keep), 404)


def test_revoking_another_users_token_is_not_found(client, make_user, issue_token):
    mine, theirs = make_user(), make_user()
    headers = issue_token(mine)
    their_headers = issue_token(theirs)
    their_id = client.get(TOKENS, headers=their_headers).get_json()["items"][0]["id"]
    missing = assert_json_error(client.delete(f"{TOKENS}/999999", headers=headers), 404)
    other = assert_json_error(client.delete(f"{TOKENS}/{their_id}", headers=headers), 404)
    assert missing["message"] == other["message"]  # existence is never revealed
    assert client.get(TOKENS, headers=their_headers).status_code == 200


def test_revoking_needs_a_token(client):
    assert_json_error(client.delete(f"{TOKENS}/1"), 401)


def test_unknown_query_parameters_get_422(client, make_user, issue_token):
    """Like unknown body fields: a misspelt parameter must not be silently ignored."""
    headers = issue_token(make_user())
    error = assert_json_error(client.get(f"{TOKENS}?per_pgae=5", headers=headers), 422)
    assert error["fields"] == {"per_pgae": ["Unknown field."]}
    error = assert_json_error(client.get("/api/v1/taxonomy?lang=de"), 422)
    assert list(error["fields"]) == ["lang"]
    response = client.delete(f"{TOKENS}/1?force=1", headers=headers)
    assert_json_error(response, 422)


@pytest.mark.parametrize("token_id", ["0", "2147483648", "99999999999999999999999"])
def test_ids_out_of_range_are_not_found(client, make_user, issue_token, token_id):
    headers = issue_token(make_user())
    assert_json_error(client.delete(f"{TOKENS}/{token_id}", headers=headers), 404)
    assert_json_error(client.delete(f"{TOKENS}/{token_id}"), 401)  # auth is checked first
