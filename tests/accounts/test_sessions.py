"""Sessions: rotation at sign-in, copied cookies die with the session, idle timeout."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from kx.accounts import sessions
from tests.support.accounts import is_signed_in
from tests.support.browser import Page, copy_cookie, submit

NEW_PASSWORD = "a different long passphrase"


@pytest.fixture
def stolen(app, client, make_user, login):
    """A signed-in member on ``client`` and an attacker's browser holding a copy of the
    session cookie, shown to work before the test ends the session."""
    user = make_user()
    login(client, user)
    attacker = app.test_client()
    copy_cookie(client, attacker)
    assert is_signed_in(attacker)
    return SimpleNamespace(user=user, attacker=attacker)


def test_a_copied_session_cookie_stops_working_after_logout(client, stolen):
    response = submit(client, "/logout", form_page="/")
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert "You are signed out." in Page(client.get("/")).text

    assert not is_signed_in(stolen.attacker)
    assert "Sign in" in Page(stolen.attacker.get("/")).text


def test_logging_out_does_not_end_a_session_without_the_form_token(client, stolen):
    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)
    assert is_signed_in(stolen.attacker)


def test_log_out_everywhere_ends_every_session(app, client, stolen, login):
    laptop = app.test_client()
    login(laptop, stolen.user)

    response = submit(client, "/account/logout-everywhere", form_page="/account")

    assert response.status_code == 302
    assert response.location == "/login"
    assert "signed out on every device" in Page(client.get("/login")).text
    for browser in (client, stolen.attacker, laptop):
        assert not is_signed_in(browser)


def test_log_out_everywhere_needs_a_signed_in_user_and_the_form_token(client, stolen):
    assert client.post("/account/logout-everywhere").status_code == 400
    assert is_signed_in(stolen.attacker)
    anonymous = client.application.test_client()
    response = submit(anonymous, "/account/logout-everywhere", form_page="/login")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert is_signed_in(stolen.attacker)


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(client, stolen, login):
    response = submit(
        client,
        "/account/password",
        {"current_password": stolen.user.password, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(stolen.attacker)


def test_deactivation_by_an_admin_ends_the_members_sessions(app, client, stolen, make_user, login):
    admin_browser = app.test_client()
    login(admin_browser, make_user(role="admin"))

    response = submit(
        admin_browser, f"/admin/users/{stolen.user.id}/active", {"active": "0"}, "/admin/users"
    )

    assert response.status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(stolen.attacker)
    assert "Deactivated" in Page(admin_browser.get("/admin/users")).text


def test_account_deletion_ends_every_session(client, stolen):
    response = submit(client, "/account/delete", {"password": stolen.user.password, "confirm": "y"})
    assert response.status_code == 302
    assert not is_signed_in(client)
    assert not is_signed_in(stolen.attacker)


def test_a_copied_remember_me_cookie_stops_working_after_logout(app, client, make_user, login):
    user = make_user()
    response = login(client, user, remember=True)
    assert any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))
    before = app.test_client()  # a browser holding only the remember-me cookie
    copy_cookie(client, before, "remember_token")
    assert is_signed_in(before)

    response = submit(client, "/logout", form_page="/")
    assert any(  # the browser is told to forget it
        c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie")
    )

    after = app.test_client()
    after.set_cookie("remember_token", before.get_cookie("remember_token").value)
    assert not is_signed_in(after)


def test_the_remember_me_cookie_dies_with_a_password_change(app, client, make_user, login):
    user = make_user()
    login(client, user, remember=True)
    token = client.get_cookie("remember_token").value
    submit(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": NEW_PASSWORD},
    )
    thief = app.test_client()
    thief.set_cookie("remember_token", token)
    assert not is_signed_in(thief)


def test_the_session_is_rotated_at_sign_in(app, client, make_user, login):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    fixated = app.test_client()  # the attacker kept the pre-login cookie
    fixated.set_cookie("session", before)

    login(client, user)

    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")
    assert is_signed_in(client)
    assert not is_signed_in(fixated)


def test_signing_in_as_someone_else_replaces_the_first_session(client, make_user, login):
    first, second = make_user(display_name="First Person"), make_user(display_name="Second One")
    login(client, first)
    login(client, second)
    text = Page(client.get("/account")).text
    assert "Second One" in text
    assert "First Person" not in text


def test_a_forged_or_stale_user_id_in_the_cookie_is_refused(app, client, make_user, login):
    user = make_user()
    login(client, user)
    for forged in (f"{user.id}:999", f"{user.id}", "abc:1", f"{user.id}:0", "999999:1"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert not is_signed_in(client), forged


# Idle timeout


class Clock:
    def __init__(self, start: float = 1_800_000_000):
        self.now = start

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    app.config["IDLE_TIMEOUT"] = timedelta(minutes=2)
    fake = Clock()
    monkeypatch.setattr(sessions, "time", fake)
    return fake


def test_an_idle_session_is_signed_out(client, make_user, login, clock):
    login(client, make_user())
    clock.now += 100
    assert is_signed_in(client)

    clock.now += 121
    response = client.get("/account")

    assert response.status_code == 302
    assert response.location.startswith("/login")
    page = Page(client.get(response.location))
    assert "signed out after a period of inactivity" in page.text
    assert not is_signed_in(client)


def test_activity_keeps_the_session_alive(client, make_user, login, clock):
    login(client, make_user())
    for _ in range(5):  # ten minutes in all, never two minutes idle
        clock.now += 110
        assert is_signed_in(client)


def test_the_idle_timeout_also_ends_a_remembered_session(app, client, make_user, login, clock):
    login(client, make_user(), remember=True)
    clock.now += 1000
    assert not is_signed_in(client)
    assert client.get_cookie("remember_token") is None


def test_a_form_typed_before_the_idle_timeout_can_still_be_sent(client, make_user, login, clock):
    """The CSRF token survives the timeout, so signing in again keeps the typed form."""
    user = make_user()
    login(client, user)
    page = client.get("/login")
    token = Page(page).value("csrf_token")
    clock.now += 1000
    response = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": user.password}
    )
    assert response.status_code == 302
    assert is_signed_in(client)


def test_signing_in_without_remember_me_drops_an_earlier_remember_me_cookie(
    app, client, make_user, login
):
    """Otherwise the earlier account would sign back in once this session ends."""
    first, second = make_user(), make_user()
    login(client, first, remember=True)
    assert client.get_cookie("remember_token") is not None

    login(client, second)

    assert client.get_cookie("remember_token") is None
    with client.session_transaction() as session:
        session.clear()  # the session cookie expires
    assert not is_signed_in(client)
