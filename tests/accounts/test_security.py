"""The security baseline: headers, cookies, CSRF, the size limit and the error pages."""

import pytest

from tests.support.accounts import is_signed_in, user_count, user_row
from tests.support.browser import Page, submit

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"


def responses(client, make_user, login):
    """One response of every kind a browser meets."""
    yield "home", client.get("/")
    yield "form", client.get("/login")
    yield "422", submit(client, "/login", {"email": "x@example.org", "password": "wrong one"})
    yield "redirect", client.get("/account")
    yield "404", client.get("/no-such-page")
    yield "405", client.get("/logout")
    yield "400", client.post("/login", data={})
    login(client, make_user())
    yield "signed-in", client.get("/account")
    yield "export", client.get("/account/export")


def test_every_response_carries_the_security_headers(client, make_user, login):
    for kind, response in responses(client, make_user, login):
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith(CSP), kind
        assert "unsafe-inline" not in headers["Content-Security-Policy"], kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert headers["Referrer-Policy"] in (
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
        ), kind
        assert "Strict-Transport-Security" not in headers, kind


def test_pages_have_no_inline_scripts_or_styles(client):
    html = client.get("/register").get_data(as_text=True)
    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def https_browser(make_app):
    """A browser on an app configured for HTTPS: requests are https (Flask's test client
    follows PREFERRED_URL_SCHEME) and, like a browser, it sends a same-origin Referer, which
    Flask-WTF requires on HTTPS form posts."""
    browser = make_app(HTTPS=True).test_client()
    browser.environ_base["HTTP_REFERER"] = "https://localhost/"
    return browser


def test_hsts_is_sent_only_when_https_is_configured(make_app, make_user, login):
    https = https_browser(make_app)
    for kind, response in responses(https, make_user, login):
        assert response.headers["Strict-Transport-Security"].startswith("max-age="), kind
        assert int(response.headers["Strict-Transport-Security"][8:].split(";")[0]) >= 15552000


def cookie_attributes(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return [part.strip().lower() for part in header.split(";")[1:]]
    raise AssertionError(f"no {name} cookie set")


def test_cookies_are_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = submit(
        client, "/login", {"email": user.email, "password": user.password, "remember": "y"}
    )
    for name in ("session", "remember_token"):
        attributes = cookie_attributes(response, name)
        assert "httponly" in attributes, name
        assert "samesite=lax" in attributes, name
        assert "secure" not in attributes, name  # plain HTTP in development


def test_cookies_are_secure_when_https_is_configured(make_app, make_user):
    https = https_browser(make_app)
    user = make_user()
    response = submit(
        https, "/login", {"email": user.email, "password": user.password, "remember": "y"}
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        attributes = cookie_attributes(response, name)
        assert "secure" in attributes, name
        assert "httponly" in attributes, name
        assert "samesite=lax" in attributes, name
    assert is_signed_in(https)


def test_an_https_form_post_from_another_site_is_refused(make_app, make_user):
    https = https_browser(make_app)
    user = make_user()
    response = submit(
        https,
        "/login",
        {"email": user.email, "password": user.password},
        headers={"Referer": "https://evil.example/login"},
    )
    assert response.status_code == 400
    assert not is_signed_in(https)


# CSRF


def test_a_login_without_its_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 400
    page = Page(response)
    assert "did not come from kx" in page.text
    assert "Traceback" not in page.html
    assert not is_signed_in(client)


def test_a_registration_without_its_csrf_token_writes_nothing(app, client):
    data = {
        "email": "csrf@example.org",
        "display_name": "No Token",
        "password": "violet harbour lantern seven",
        "sector": "ngo",
        "country": "GB",
    }
    assert client.post("/register", data=data).status_code == 400
    assert client.post("/register", data={**data, "csrf_token": "forged"}).status_code == 400
    assert user_count(app) == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/account", {"display_name": "Changed", "sector": "ngo", "country": "FR"}),
        ("/account/password", {"current_password": None, "new_password": "new long passphrase"}),
        ("/account/delete", {"password": None, "confirm": "y"}),
        ("/account/logout-everywhere", {}),
        ("/logout", {}),
    ],
)
def test_an_account_form_without_its_csrf_token_changes_nothing(
    app, client, make_user, login, path, data
):
    user = make_user()
    login(client, user)
    before = user_row(app, user.id)
    data = {k: user.password if v is None else v for k, v in data.items()}

    response = client.post(path, data=data)

    assert response.status_code == 400
    assert "did not come from kx" in Page(response).text
    assert user_row(app, user.id) == before
    assert is_signed_in(client)


def test_a_token_from_another_browser_is_refused(app, client, make_user, login):
    user = make_user()
    login(client, user)
    attacker = app.test_client()
    foreign = Page(attacker.get("/login")).value("csrf_token")
    response = client.post(
        "/account",
        data={"csrf_token": foreign, "display_name": "Hijacked", "sector": "ngo", "country": "FR"},
    )
    assert response.status_code == 400
    assert user_row(app, user.id).display_name != "Hijacked"


# Size limit and error pages


def test_a_3_mb_request_gets_a_clear_413_page(app, client):
    token = Page(client.get("/register")).value("csrf_token")
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "email": "big@example.org",
            "display_name": "Big",
            "password": "violet harbour lantern seven",
            "sector": "ngo",
            "country": "GB",
            "bio": "x" * (3 * 1024 * 1024),
        },
    )
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    page = Page(response)
    assert "too large" in page.text
    assert "2 MB" in page.text
    assert user_count(app) == 0


def test_a_3_mb_request_from_a_member_changes_nothing(app, client, make_user, login):
    user = make_user()
    login(client, user)
    before = user_row(app, user.id)
    response = submit(
        client,
        "/account",
        {"display_name": "Big", "sector": "ngo", "country": "GB", "bio": "x" * (3 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert user_row(app, user.id) == before


def test_a_request_under_the_limit_is_accepted(client, make_user, login):
    login(client, make_user())
    response = submit(
        client,
        "/account",
        {"display_name": "Fine", "sector": "ngo", "country": "GB", "bio": "x" * (1024 * 1024)},
    )
    assert response.status_code == 422  # reaches the form (too long for a bio), not 413
    assert "1000" in Page(response).error_text("bio")


def test_error_pages_never_show_a_traceback(app, client, make_user, login):
    def explode():
        raise RuntimeError("secret internal detail /srv/kx/db.py line 12")

    app.add_url_rule("/test-explode", "test_explode", explode)
    member = make_user()
    pages = {}
    pages[404] = client.get("/no-such-page")
    pages[405] = client.get("/logout")
    pages[400] = client.post("/login", data={"email": "a@example.org"})
    pages[413] = client.post("/login", data={"x": "x" * (3 * 1024 * 1024)})
    pages[500] = client.get("/test-explode")
    login(client, member)
    pages[403] = client.get("/admin/audit")
    for _ in range(6):
        pages[429] = submit(
            client, "/login", {"email": member.email, "password": "wrong passphrase"}
        )

    for status, response in pages.items():
        assert response.status_code == status
        assert response.mimetype == "text/html", status
        page = Page(response)
        assert page.text.count(str(status)) >= 1, status
        assert "Go to the home page" in page.text, status
        for leak in ("Traceback", "RuntimeError", "secret internal detail", 'File "', ".py"):
            assert leak not in page.html, (status, leak)
    assert "Something went wrong on our side" in Page(pages[500]).text


def test_a_server_error_rolls_back_the_request(app, client, make_user):
    from kx.accounts.models import User
    from kx.database import transaction
    from kx.extensions import db

    user = make_user()

    def half_write():
        with transaction():
            db.session.get(User, user.id).display_name = "Half Written"
            raise RuntimeError("boom")

    app.add_url_rule("/test-half-write", "test_half_write", half_write)
    assert client.get("/test-half-write").status_code == 500
    assert user_row(app, user.id).display_name != "Half Written"
