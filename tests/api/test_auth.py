"""Who the API believes: bearer tokens only, and none that outlived the user's sessions."""

import pytest

from kx.accounts import services as accounts
from tests.support.api import assert_json_error
from tests.support.browser import submit

TOKENS = "/api/v1/tokens"


def _works(client, headers) -> bool:
    response = client.get(TOKENS, headers=headers)
    assert response.status_code in (200, 401), response.get_data(as_text=True)
    if response.status_code == 401:
        assert_json_error(response, 401)
    return response.status_code == 200


# Ending every session revokes tokens (users.session_version); signing out one browser does not


def test_signing_out_one_browser_keeps_the_users_tokens(client, make_user, login, api_token):
    user = make_user()
    headers = api_token(user)
    login(client, user)
    assert _works(client, headers)
    submit(client, "/logout", form_page="/account")
    assert _works(client, headers)


def test_logout_everywhere_revokes_every_token(client, make_user, login, api_token):
    user = make_user()
    tokens = [api_token(user), api_token(user)]
    other_user_token = api_token(make_user())
    login(client, user)
    response = submit(client, "/account/logout-everywhere", form_page="/account")
    assert response.status_code == 302
    assert [_works(client, headers) for headers in tokens] == [False, False]
    assert _works(client, other_user_token)


def test_password_change_revokes_tokens(client, make_user, login, api_token):
    user = make_user()
    headers = api_token(user)
    login(client, user)
    new_password = "an entirely new passphrase 42"
    response = submit(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": new_password},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not _works(client, headers)
    # A token issued with the new password works; the old password no longer issues one.
    fresh = client.post(TOKENS, json={"email": user.email, "password": new_password})
    assert fresh.status_code == 201
    assert _works(client, {"Authorization": f"Bearer {fresh.get_json()['token']}"})
    stale = client.post(TOKENS, json={"email": user.email, "password": user.password})
    assert_json_error(stale, 401)


def test_failed_password_change_keeps_tokens(client, make_user, login, api_token):
    user = make_user()
    headers = api_token(user)
    login(client, user)
    response = submit(
        client,
        "/account/password",
        {"current_password": "not my passphrase", "new_password": "an entirely new one 42"},
    )
    assert response.status_code == 422
    assert _works(client, headers)


def test_deactivation_revokes_tokens_and_reactivation_does_not_revive_them(
    app, client, make_user, login, api_token
):
    admin, user = make_user(role="admin"), make_user()
    headers = api_token(user)
    login(client, admin)
    url = f"/admin/users/{user.id}/active"
    assert submit(client, url, {"active": "0"}, form_page="/admin/users").status_code == 302
    assert not _works(client, headers)
    assert submit(client, url, {"active": "1"}, form_page="/admin/users").status_code == 302
    assert not _works(client, headers)
    assert _works(client, api_token(user))


def test_account_deletion_revokes_tokens(client, make_user, login, api_token):
    user = make_user()
    headers = api_token(user)
    login(client, user)
    response = submit(client, "/account/delete", {"password": user.password, "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not _works(client, headers)


def test_session_version_bump_in_the_service_revokes_tokens(app, client, make_user, user_row):
    """The rule itself, without the HTML views: any bump of session_version ends tokens."""
    user = make_user()
    with app.app_context():
        from kx.accounts.models import User
        from kx.extensions import db

        _token, raw = accounts.create_token(db.session.get(User, user.id))
    headers = {"Authorization": f"Bearer {raw}"}
    assert _works(client, headers)
    user_row(user, accounts.end_sessions)
    assert not _works(client, headers)


def test_expired_token_is_refused(app, client, make_user, issue_token):
    from datetime import timedelta

    app.config["API_TOKEN_LIFETIME"] = timedelta(seconds=-1)
    headers = issue_token(make_user())
    assert not _works(client, headers)


# The browser's session cookie is not an API credential


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remember-me"])
def test_session_cookie_is_not_accepted_by_the_api(client, make_user, login, api_token, remember):
    user = make_user()
    headers = api_token(user)
    token_id = client.get(TOKENS, headers=headers).get_json()["items"][0]["id"]
    login(client, user, remember=remember)
    assert "Sign out" in client.get("/").get_data(as_text=True)  # the cookie is live

    assert_json_error(client.get(TOKENS), 401)
    assert_json_error(client.delete(f"{TOKENS}/{token_id}"), 401)
    # Not even with the CSRF token a page would give it.
    page = client.get("/account").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert_json_error(client.delete(f"{TOKENS}/{token_id}", headers={"X-CSRFToken": csrf}), 401)
    assert _works(client, headers)  # the token was not revoked through the cookie


def test_401_names_the_bearer_scheme(client):
    response = client.get(TOKENS)
    assert_json_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_api_responses_set_no_session_cookie(client, make_user, api_token):
    headers = api_token(make_user())
    response = client.get(TOKENS, headers=headers)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None


@pytest.mark.parametrize(
    "header",
    ["Bearer kx_forged", "bearer", "Token abc", "Bearer  ", "Bearer a b c", ""],
)
def test_a_bad_authorization_header_is_refused_even_where_anonymous_is_fine(client, header):
    """A caller who sends credentials wants them checked: a typo is not silently anonymous."""
    assert client.get("/api/v1/taxonomy").status_code == 200
    assert_json_error(client.get("/api/v1/taxonomy", headers={"Authorization": header}), 401)
