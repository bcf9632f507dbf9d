"""Registration: a new account is unverified; every error keeps what was typed."""

import pytest

from tests.support.accounts import is_signed_in, user_count, user_row
from tests.support.browser import Page, submit

GOOD = {
    "email": "new.person@example.org",
    "display_name": "Noa Newcomer",
    "password": "violet harbour lantern seven",
    "sector": "treatment",
    "country": "NL",
    "organisation": "Outpatient clinic",
    "bio": "Therapist in a prevention programme.",
}


def register(client, **changes):
    return submit(client, "/register", {**GOOD, **changes})


def test_registration_creates_an_unverified_signed_in_account(app, client):
    response = register(client)

    assert response.status_code == 302
    assert response.location == "/account"
    page = Page(client.get("/account"))
    assert "Awaiting verification by a moderator" in page.text
    assert "awaiting verification" in page.text
    assert "new.person@example.org" in page.text
    assert page.value("display_name") == "Noa Newcomer"
    assert page.value("sector") == "treatment"
    assert page.value("country") == "NL"
    assert page.value("organisation") == "Outpatient clinic"
    assert page.value("bio") == "Therapist in a prevention programme."
    assert user_count(app) == 1


def test_registration_stores_a_normalised_email_and_an_argon2id_hash(app, client, make_user):
    register(client, email="  New.Person@EXAMPLE.org ")
    with app.app_context():
        from kx.accounts.services import find_user_by_email

        user = find_user_by_email("new.person@example.org")
        assert user is not None
        row = user_row(app, user.id)
    assert row.email == "new.person@example.org"
    assert row.role == "member"
    assert row.verified_at is None
    assert row.password_hash.startswith("$argon2id$")
    assert GOOD["password"] not in row.password_hash


def test_the_new_account_can_sign_in_again_with_its_password(client, other_client):
    register(client)
    response = submit(
        other_client, "/login", {"email": GOOD["email"], "password": GOOD["password"]}
    )
    assert response.status_code == 302
    assert is_signed_in(other_client)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "@"),
        ({"email": "someone@"}, "email", "after the @"),
        ({"password": "qwerty123456"}, "password", "commonly used"),
        ({"password": "QWERTY123456"}, "password", "commonly used"),
        ({"password": "short pass"}, "password", "at least 12 characters"),
        ({"password": "new.person lives here"}, "password", "e-mail address"),
        ({"password": "NEW.PERSON lives here"}, "password", "e-mail address"),
        ({"password": "my kx passphrase is long"}, "password", "site name"),
        ({"password": ""}, "password", "required"),
        ({"display_name": "   "}, "display_name", "required"),
        ({"sector": "spy-agency"}, "sector", "Choose a sector"),
        ({"sector": ""}, "sector", "Choose a sector"),
        ({"country": "XX"}, "country", "Choose a country"),
        ({"country": ""}, "country", "Choose a country"),
    ],
)
def test_a_registration_error_keeps_what_was_typed(app, client, changes, field, message):
    response = register(client, **changes)

    assert response.status_code == 422
    page = Page(response)
    assert message.lower() in page.error_text(field).lower()
    assert "Please correct the marked fields" in page.text
    for name, typed in {**GOOD, **changes}.items():
        if name == "password":
            assert page.value("password") == "", "the password must not be sent back"
        elif name in ("sector", "country") and name == field:
            continue  # an unknown choice cannot be shown as selected
        else:
            assert page.value(name) == typed, name
    assert user_count(app) == 0
    assert not is_signed_in(client)


def test_several_errors_are_shown_at_once_beside_their_fields(app, client):
    response = register(client, email="not-an-email", sector="spy", country="XX")
    page = Page(response)
    assert response.status_code == 422
    assert page.errors("email")
    assert page.errors("sector")
    assert page.errors("country")
    assert user_count(app) == 0


def test_a_duplicate_email_is_refused_whatever_its_case(app, client, make_user):
    existing = make_user(email="taken@example.org")

    response = register(client, email="Taken@Example.ORG")

    assert response.status_code == 422
    page = Page(response)
    assert "already exists" in page.error_text("email")
    assert page.value("email") == "Taken@Example.ORG"
    assert page.value("display_name") == GOOD["display_name"]
    assert user_count(app) == 1
    assert user_row(app, existing.id).display_name != GOOD["display_name"]


def test_a_long_passphrase_with_any_characters_is_accepted(app, client, other_client):
    passphrase = "Ünïcödé pässwörd — 日本語のパスワード 🙂 " * 3  # 100+ characters
    assert len(passphrase) > 64
    assert register(client, password=passphrase).status_code == 302
    response = submit(other_client, "/login", {"email": GOOD["email"], "password": passphrase})
    assert response.status_code == 302


def test_a_signed_in_user_is_sent_home_from_the_registration_page(client, make_user, login):
    login(client, make_user())
    response = client.get("/register")
    assert response.status_code == 302
    assert response.location == "/"


def test_repeated_registration_attempts_for_one_address_get_429(client):
    for _ in range(3):
        assert register(client, password="short").status_code == 422
    response = register(client, password="short")
    assert response.status_code == 429
    page = Page(response)
    assert "Too many attempts" in page.text
    assert "Traceback" not in page.html


# Members-only content


def test_an_unverified_member_can_sign_in_but_cannot_see_members_content(client, make_user, login):
    make_user(display_name="Verified Colleague")
    user = make_user(verified=False)
    login(client, user)

    home = Page(client.get("/"))
    assert "awaiting verification" in home.text
    assert "/members" not in home.links
    response = client.get("/members")
    assert response.status_code == 403
    page = Page(response)
    assert "Your account is awaiting verification" in page.text
    assert "Verified Colleague" not in page.text
    assert client.get(f"/members/{user.id}").status_code == 403


def test_a_verified_member_sees_members_content(client, make_user, login):
    colleague = make_user(display_name="Colleague Visible", organisation="Unit A")
    hidden = make_user(display_name="Not Yet Verified", verified=False)
    login(client, make_user())

    home = Page(client.get("/"))
    assert "/members" in home.links
    page = Page(client.get("/members"))
    assert page.status == 200
    assert "Colleague Visible" in page.text
    assert "Not Yet Verified" not in page.text
    member = Page(client.get(f"/members/{colleague.id}"))
    assert member.status == 200
    assert "Unit A" in member.text
    assert client.get(f"/members/{hidden.id}").status_code == 404
    assert client.get("/members/999999").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_for_members_content(client):
    response = client.get("/members")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_two_registrations_racing_for_one_address_end_in_a_message(
    app, client, make_user, monkeypatch
):
    """The check for an existing address can pass in both requests; the database decides."""
    from kx.accounts import services

    make_user(email=GOOD["email"])
    monkeypatch.setattr(services, "find_user_by_email", lambda email: None)

    response = register(client)

    assert response.status_code == 422
    page = Page(response)
    assert "already exists" in page.error_text("email")
    assert page.value("display_name") == GOOD["display_name"]
    assert user_count(app) == 1
