"""The account pages: profile, password, data export and deletion."""

import json

import pytest

from tests.support.accounts import audit_rows, is_signed_in, user_row
from tests.support.browser import Page, submit

NEW_PASSWORD = "a different long passphrase"
PROFILE = {
    "display_name": "Renamed Person",
    "sector": "academic",
    "country": "DE",
    "organisation": "University of Somewhere",
    "bio": "Researcher on desistance.",
}


@pytest.fixture
def member(client, make_user, login):
    user = make_user(organisation="Old org", bio="Old bio")
    login(client, user)
    return user


# Profile


def test_editing_the_profile_saves_and_shows_it(app, client, member):
    response = submit(client, "/account", PROFILE)

    assert response.status_code == 302
    assert response.location == "/account"
    page = Page(client.get("/account"))
    assert "Your profile is saved." in page.text
    for name, value in PROFILE.items():
        assert page.value(name) == value
    # the sector is only requested: the verified one applies until a moderator approves
    assert "until a moderator approves the change to Academic" in page.text
    row = user_row(app, member.id)
    assert (row.display_name, row.sector, row.country) == (
        "Renamed Person",
        "law-enforcement",
        "DE",
    )
    assert row.email == member.email  # not editable here


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"display_name": ""}, "display_name", "required"),
        ({"sector": "spy-agency"}, "sector", "Choose a sector"),
        ({"country": "ZZ"}, "country", "Choose a country"),
        ({"bio": "x" * 1001}, "bio", "1000"),
    ],
)
def test_a_profile_error_keeps_what_was_typed_and_saves_nothing(
    app, client, member, changes, field, message
):
    before = user_row(app, member.id)

    response = submit(client, "/account", {**PROFILE, **changes})

    assert response.status_code == 422
    page = Page(response)
    assert message in page.error_text(field)
    for name, value in {**PROFILE, **changes}.items():
        if name != field or name not in ("sector", "country"):
            assert page.value(name) == value, name
    assert user_row(app, member.id) == before


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount"


# Password


def test_changing_the_password_asks_for_the_current_one(app, client, other_client, member):
    form = Page(client.get("/account/password"))
    assert form.has_control("current_password")

    response = submit(
        client,
        "/account/password",
        {"current_password": member.password, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert "Your password is changed" in Page(client.get("/account")).text
    old = submit(other_client, "/login", {"email": member.email, "password": member.password})
    assert old.status_code == 422
    new = submit(other_client, "/login", {"email": member.email, "password": NEW_PASSWORD})
    assert new.status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "field", "message"),
    [
        ("wrong current passphrase", NEW_PASSWORD, "current_password", "not correct"),
        ("", NEW_PASSWORD, "current_password", "required"),
        (None, "too short", "new_password", "at least 12"),
        (None, "qwerty123456", "new_password", "commonly used"),
        (None, "my kx password is long", "new_password", "site name"),
    ],
)
def test_a_password_change_error_is_shown_beside_its_field(
    app, client, other_client, member, current, new, field, message
):
    before = user_row(app, member.id)

    response = submit(
        client,
        "/account/password",
        {"current_password": member.password if current is None else current, "new_password": new},
    )

    assert response.status_code == 422
    page = Page(response)
    assert message in page.error_text(field)
    assert page.value("current_password") == ""
    assert page.value("new_password") == ""
    after = user_row(app, member.id)
    assert (after.password_hash, after.session_version) == (
        before.password_hash,
        before.session_version,
    )
    assert is_signed_in(client)
    login = submit(other_client, "/login", {"email": member.email, "password": member.password})
    assert login.status_code == 302


def test_a_password_containing_the_email_local_part_is_refused_on_change(client, make_user, login):
    user = make_user(email="maria.lopez@example.org")
    login(client, user)
    response = submit(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": "maria.lopez forever and ever"},
    )
    assert response.status_code == 422
    assert "e-mail address" in Page(response).error_text("new_password")


# Export


def test_the_export_is_a_json_download_of_the_users_data(app, client, member):
    submit(client, "/account", PROFILE)

    response = client.get("/account/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".json" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    profile = data["profile"]
    assert profile["id"] == member.id
    assert profile["email"] == member.email
    assert profile["display_name"] == "Renamed Person"
    assert profile["organisation"] == "University of Somewhere"
    assert profile["bio"] == "Researcher on desistance."
    assert profile["verified"] is True
    assert "password_hash" not in json.dumps(data)
    assert "$argon2" not in json.dumps(data)


def test_the_export_includes_staff_actions_and_no_one_elses_data(client, make_user, login):
    stranger = make_user(display_name="Stranger Danger", verified=False)
    moderator = make_user(role="moderator")
    login(client, moderator)
    submit(client, f"/admin/users/{stranger.id}/verify", form_page="/admin/verification")

    data = client.get("/account/export").get_json()

    assert data["profile"]["email"] == moderator.email
    assert data["staff_actions"][0]["action"] == "user.verify"
    assert data["staff_actions"][0]["target_id"] == stranger.id
    assert stranger.email not in json.dumps(data)


def test_the_export_needs_a_signed_in_user(client):
    response = client.get("/account/export")
    assert response.status_code == 302
    assert response.location.startswith("/login")


# Deletion


def test_deleting_the_account_erases_personal_data(app, client, other_client, member):
    response = submit(client, "/account/delete", {"password": member.password, "confirm": "y"})

    assert response.status_code == 302
    assert response.location == "/"
    assert "Your account is deleted" in Page(client.get("/")).text
    assert not is_signed_in(client)
    row = user_row(app, member.id)
    assert member.email not in row.email
    assert row.display_name == "Former member"
    assert row.organisation == ""
    assert row.bio == ""
    assert row.password_hash == ""
    assert row.deleted_at is not None
    again = submit(other_client, "/login", {"email": member.email, "password": member.password})
    assert again.status_code == 422


def test_a_deleted_staff_member_appears_as_former_member(app, client, make_user, login):
    newcomer = make_user(verified=False)
    moderator = make_user(role="moderator", display_name="Mod Erator")
    login(client, moderator)
    submit(client, f"/admin/users/{newcomer.id}/verify", form_page="/admin/verification")
    submit(client, "/account/delete", {"password": moderator.password, "confirm": "y"})

    admin_browser = app.test_client()
    login(admin_browser, make_user(role="admin"))
    page = Page(admin_browser.get("/admin/audit"))
    assert "Former member" in page.text
    assert "Mod Erator" not in page.text
    assert audit_rows(app)[0].actor_id == moderator.id
    assert "Mod Erator" not in Page(admin_browser.get("/admin/users")).text


def test_a_deleted_accounts_address_can_register_again(app, client, member):
    submit(client, "/account/delete", {"password": member.password, "confirm": "y"})
    fresh = app.test_client()
    response = submit(
        fresh,
        "/register",
        {
            "email": member.email,
            "display_name": "Back Again",
            "password": NEW_PASSWORD,
            "sector": "ngo",
            "country": "GB",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": "wrong passphrase here", "confirm": "y"}, "password", "not correct"),
        ({"password": "", "confirm": "y"}, "password", "required"),
        ({"password": None}, "confirm", "Tick the box"),
    ],
)
def test_a_deletion_error_keeps_the_account(app, client, member, data, field, message):
    before = user_row(app, member.id)
    data = {k: member.password if v is None else v for k, v in data.items()}

    response = submit(client, "/account/delete", data)

    assert response.status_code == 422
    assert message in Page(response).error_text(field)
    assert user_row(app, member.id) == before
    assert is_signed_in(client)


def test_guessing_the_current_password_is_limited(client, member):
    wrong = {"current_password": "a wrong guess here", "new_password": NEW_PASSWORD}
    for _ in range(5):
        assert submit(client, "/account/password", wrong).status_code == 422

    response = submit(client, "/account/password", wrong)

    assert response.status_code == 429
    assert "Too many attempts" in Page(response).text
    # the budget is shared with the other form that checks the password
    response = submit(client, "/account/delete", {"password": "another guess", "confirm": "y"})
    assert response.status_code == 429
    right = {"current_password": member.password, "new_password": NEW_PASSWORD}
    assert submit(client, "/account/password", right).status_code == 429


def test_a_rejected_new_password_does_not_use_the_guessing_budget(client, member):
    weak = {"current_password": member.password, "new_password": "qwerty123456"}
    for _ in range(7):
        assert submit(client, "/account/password", weak).status_code == 422
    right = {"current_password": member.password, "new_password": NEW_PASSWORD}
    assert submit(client, "/account/password", right).status_code == 302


def test_the_export_is_not_cached(client, member):
    assert client.get("/account/export").headers["Cache-Control"] == "private, no-store"
