"""What signed-in users and bearer tokens see is never stored by a cache; public pages may be."""

import pytest

from tests.support.browser import submit

SIGNED_IN_PAGES = [
    "/",
    "/account",
    "/account/export",
    "/practices",
    "/research",
    "/gap-map",
    "/search?q=helpline",
    "/forum",
    "/my-items",
    "/no-such-page",
]
PUBLIC_PAGES = ["/", "/practices", "/research", "/gap-map", "/forum", "/login"]
API_ENDPOINTS = [
    "/api/v1/tokens",
    "/api/v1/practices",
    "/api/v1/research",
    "/api/v1/search?q=helpline",
    "/api/v1/gap-map",
    "/api/v1/taxonomy",
    "/api/v1/practices/999999",
]
PUBLIC_API = [e for e in API_ENDPOINTS if e != "/api/v1/tokens"]


def is_private(response) -> bool:
    directives = {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def varies_on(response, header: str) -> bool:
    return header.lower() in {
        v.strip().lower() for v in response.headers.get("Vary", "").split(",")
    }


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remember-me"])
def test_every_page_for_a_signed_in_user_is_private(app, make_user, login, remember):
    browser = app.test_client()
    response = login(browser, make_user(), remember=remember)
    assert is_private(response)  # the response that sets the session cookie, too
    if remember:  # a browser whose session cookie expired, signed in by remember-me alone
        remembered = browser.get_cookie("remember_token").value
        browser = app.test_client()
        browser.set_cookie("remember_token", remembered)
    for path in SIGNED_IN_PAGES:
        response = browser.get(path)
        assert response.status_code in (200, 404), path
        assert is_private(response), path
        assert varies_on(response, "Cookie"), path


def test_an_api_response_to_a_token_is_private(client, make_user, api_token):
    headers = api_token(make_user())
    for path in API_ENDPOINTS:
        response = client.get(path, headers=headers)
        assert response.status_code in (200, 404), path
        assert is_private(response), path
        assert varies_on(response, "Authorization"), path


def test_an_api_response_to_a_bad_token_is_private_too(client):
    response = client.get("/api/v1/practices", headers={"Authorization": "Bearer kx_forged"})
    assert response.status_code == 401
    assert is_private(response)


def test_public_pages_for_visitors_stay_cacheable(client):
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_anonymous_api_responses_stay_cacheable_but_vary_on_the_token(client):
    for path in PUBLIC_API:
        response = client.get(path)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        assert varies_on(response, "Authorization"), path


def test_signing_out_makes_pages_cacheable_again(client, make_user, login):
    login(client, make_user())
    assert is_private(client.get("/practices"))
    submit(client, "/logout", form_page="/")
    assert not is_private(client.get("/practices"))


def test_static_files_stay_cacheable_for_a_signed_in_user(client, make_user, login):
    login(client, make_user())
    response = client.get("/static/kx.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
