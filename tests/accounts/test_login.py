"""Signing in: messages, local-only ``next`` redirects and the failure budget (429)."""

import pytest

from kx.security import safe_next
from tests.support.accounts import is_signed_in, user_row
from tests.support.browser import Page, submit

WRONG = "not the right passphrase"
MESSAGE = "The e-mail address or password is not correct."


def sign_in(client, email, password, **kwargs):
    return submit(client, "/login", {"email": email, "password": password}, **kwargs)


def test_signing_in_goes_home_and_shows_the_account(app, client, make_user):
    user = make_user(display_name="Sam Signer")
    assert user_row(app, user.id).last_login_at is None

    response = sign_in(client, user.email, user.password)

    assert response.status_code == 302
    assert response.location == "/"
    page = Page(client.get("/"))
    assert "Sam Signer" in page.text
    assert "Sign out" in page.text
    assert user_row(app, user.id).last_login_at is not None


def test_the_email_is_matched_whatever_its_case_and_spacing(client, make_user):
    user = make_user(email="case.test@example.org")
    assert sign_in(client, "  Case.Test@EXAMPLE.org ", user.password).status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize("email", ["user1@example.org", "nobody@example.org"])
def test_a_wrong_password_or_unknown_email_gets_one_message(client, make_user, email):
    make_user()  # user1@example.org

    response = sign_in(client, email, WRONG)

    assert response.status_code == 422
    page = Page(response)
    assert MESSAGE in page.text
    assert page.value("email") == email
    assert page.value("password") == ""
    assert not is_signed_in(client)


def test_missing_fields_are_marked_beside_them(client):
    response = sign_in(client, "", "")
    assert response.status_code == 422
    page = Page(response)
    assert page.errors("email")
    assert page.errors("password")


def test_a_deactivated_or_deleted_account_cannot_sign_in(app, client, make_user):
    user = make_user()
    with app.app_context():
        from kx.accounts import services

        services.set_active(
            services.get_user(make_user(role="admin").id), services.get_user(user.id), False
        )
    response = sign_in(client, user.email, user.password)
    assert response.status_code == 422
    assert MESSAGE in Page(response).text


def test_a_protected_page_sends_to_sign_in_and_back(client, make_user):
    user = make_user()
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount%2Fpassword"

    form = Page(client.get(response.location))
    assert 'action="/login?next=/account/password"' in form.html  # posts the target along

    response = sign_in(
        client, user.email, user.password, query_string={"next": "/account/password"}
    )
    assert response.location == "/account/password"


EVIL_TARGETS = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "////evil.example",
    "///evil.example/",
    "https://evil.example",
    "http:evil.example",
    "HTTPS://evil.example/account",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "%2F%2Fevil.example",
    "%252F%252Fevil.example",
    "%25252F%25252Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    " //evil.example",
    "evil.example",
    "account",
    "",
]


def test_next_redirects_only_to_local_paths(client, make_user, subtests):
    user = make_user()
    for target in EVIL_TARGETS:
        with subtests.test(next=target):
            response = sign_in(client, user.email, user.password, query_string={"next": target})
            assert response.status_code == 302
            assert response.location == "/"


def test_next_in_the_form_body_is_checked_too(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": user.password, "next": "//evil.example"}
    assert submit(client, "/login", data).location == "/"
    data["next"] = "/account?x=1"
    assert submit(client, "/login", data).location == "/account?x=1"


def test_next_keeps_a_local_path(client, make_user, subtests):
    user = make_user()
    for target in ["/account?x=1", "/members", "/account#security"]:
        with subtests.test(next=target):
            response = sign_in(client, user.email, user.password, query_string={"next": target})
            assert response.location == target


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_safe_next_refuses(target):
    assert safe_next(target) == "/"
    assert safe_next(target, default="/account") == "/account"


@pytest.mark.parametrize(
    "target", ["/", "/account", "/account?x=1", "/search?q=a%20b", "/a/b/c#d", "/%7Euser"]
)
def test_safe_next_accepts_local_paths(target):
    assert safe_next(target) == target


def test_safe_next_defaults_on_none():
    assert safe_next(None) == "/"


# The failure budget


def test_a_burst_of_wrong_passwords_for_one_account_gets_429(client, make_user):
    user = make_user()
    for attempt in range(5):
        address = {"REMOTE_ADDR": f"10.0.0.{attempt + 1}"}  # spread over several IPs
        assert sign_in(client, user.email, WRONG, environ_base=address).status_code == 422

    response = sign_in(client, user.email, user.password, environ_base={"REMOTE_ADDR": "10.9.9.9"})

    assert response.status_code == 429
    assert response.content_type.startswith("text/html")
    page = Page(response)
    assert "Too many attempts" in page.text
    assert "Traceback" not in page.html
    assert not is_signed_in(client)


def test_the_account_budget_is_per_account(client, make_user):
    target, other = make_user(), make_user()
    for attempt in range(5):
        address = {"REMOTE_ADDR": f"10.0.1.{attempt + 1}"}
        sign_in(client, target.email, WRONG, environ_base=address)
    assert sign_in(client, target.email, WRONG).status_code == 429
    assert sign_in(client, other.email, other.password).status_code == 302


def test_a_burst_of_wrong_passwords_from_one_address_gets_429(client, make_user):
    user = make_user()
    for n in range(10):  # different accounts, each well inside its own budget
        assert sign_in(client, f"guess{n}@example.org", WRONG).status_code == 422

    response = sign_in(client, user.email, user.password)
    assert response.status_code == 429
    assert "Too many attempts" in Page(response).text
    other_address = {"REMOTE_ADDR": "192.0.2.7"}
    assert sign_in(client, user.email, user.password, environ_base=other_address).status_code == 302


def test_successful_sign_ins_do_not_use_the_failure_budget(client, make_user):
    user = make_user()
    for _ in range(11):  # more than either budget allows failures
        assert sign_in(client, user.email, user.password).status_code == 302
    assert sign_in(client, user.email, WRONG).status_code == 422


def test_showing_the_sign_in_form_is_not_limited(client):
    for _ in range(15):
        assert client.get("/login").status_code == 200
