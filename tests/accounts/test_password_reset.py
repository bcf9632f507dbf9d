"""Forgot password: a link by mail (to a real SMTP server), used once within an hour, the
same answer for every address, budgets per address and per client, and a reset that
signs the account out everywhere."""

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from kx.accounts.models import PasswordResetRequest, User
from kx.extensions import db
from tests.support.accounts import is_signed_in, user_row
from tests.support.browser import Page, submit
from tests.support.smtp import links_in, text_of

NEW_PASSWORD = "copper meadow lantern ninety"
BASE = "http://127.0.0.1:5000"


def ask(client, email: str, address: str = "127.0.0.1"):
    return submit(
        client, "/reset-password", {"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def reset_path(smtp, email: str, nth: int = -1) -> str:
    """The path of the reset link in the ``nth`` message to ``email``."""
    message = smtp.to(email)[nth]
    assert "Reset your password" in message["Subject"]
    [link] = [link for link in links_in(message) if "/reset-password/" in link]
    assert link.startswith(f"{BASE}/reset-password/")  # built on KX_BASE_URL
    return link.removeprefix(BASE)


def sign_in(client, email: str, password: str) -> int:
    return submit(client, "/login", {"email": email, "password": password}).status_code


def test_a_reset_by_mail_signs_in_and_ends_every_other_session_and_token(
    mail_app, smtp, client, other_client, make_user, login, api_token
):
    user = make_user()
    login(other_client, user)
    token = api_token(user)
    assert client.get("/api/v1/practices", headers=token).status_code == 200

    login_page = Page(client.get("/login"))
    assert "/reset-password" in login_page.links
    response = ask(client, user.email)
    assert response.status_code == 200
    assert "Check your mail" in Page(response).text
    smtp.wait_for(1)
    path = reset_path(smtp, user.email)
    assert "60 minutes" in text_of(smtp.to(user.email)[0])

    form = client.get(path)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    response = submit(client, path, {"new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(other_client)
    assert client.get("/api/v1/practices", headers=token).status_code == 401

    assert sign_in(mail_app.test_client(), user.email, user.password) == 422
    assert sign_in(mail_app.test_client(), user.email, NEW_PASSWORD) == 302
    [_reset, notice] = smtp.wait_for(2)
    assert notice["Subject"] == "[kx] Your password was changed"
    assert "through a link sent to this address" in text_of(notice)


def test_a_used_link_is_refused_with_a_way_to_ask_again(mail_app, smtp, client, make_user):
    user = make_user()
    ask(client, user.email)
    ask(client, user.email)
    smtp.wait_for(2)
    first, second = reset_path(smtp, user.email, 0), reset_path(smtp, user.email, 1)
    assert submit(client, first, {"new_password": NEW_PASSWORD}).status_code == 302

    for path in (first, second):  # used, and its sibling died with the old password
        response = mail_app.test_client().get(path)
        page = Page(response)
        assert response.status_code == 410
        assert "This link no longer works" in page.text and "used already" in page.text
        assert "/reset-password" in page.links
    fresh = mail_app.test_client()
    response = fresh.post(second, data={"new_password": "another long pass phrase"})
    assert response.status_code in (400, 410)  # no CSRF token, or the link: nothing changes
    assert sign_in(fresh, user.email, NEW_PASSWORD) == 302


@pytest.mark.parametrize(("age_minutes", "works"), [(59, True), (61, False)])
def test_a_link_works_for_sixty_minutes(mail_app, smtp, client, make_user, monkeypatch,
                                        age_minutes, works):  # fmt: skip
    user = make_user()
    issued = int(time.time()) - age_minutes * 60
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        ask(client, user.email)
        smtp.wait_for(1)  # the link is signed after the answer, by the sender
    response = client.get(reset_path(smtp, user.email))
    if works:
        assert response.status_code == 200
    else:
        assert response.status_code == 410
        assert "The link has expired" in Page(response).text
        assert "/reset-password" in Page(response).links


def test_a_changed_or_tampered_link_is_refused(mail_app, smtp, client, make_user):
    user = make_user()
    ask(client, user.email)
    smtp.wait_for(1)
    path = reset_path(smtp, user.email)
    for bad in (path[:-2], path + "x", "/reset-password/nonsense", "/reset-password/" + "a" * 900):
        response = client.get(bad)
        assert response.status_code == 410, bad
        assert "This link no longer works" in Page(response).text


def test_a_weak_new_password_is_refused_and_the_link_still_works(mail_app, smtp, client, make_user):
    user = make_user()
    ask(client, user.email)
    smtp.wait_for(1)
    path = reset_path(smtp, user.email)
    response = submit(client, path, {"new_password": "short"})
    assert response.status_code == 422
    assert Page(response).errors("new_password")
    assert submit(client, path, {"new_password": NEW_PASSWORD}).status_code == 302


CLOCK_HEADERS = ("Date", "X-RateLimit-Reset", "Retry-After")


def _answer(response, email: str) -> tuple:
    """Everything the asker receives, with the address they typed taken out."""
    text = Page(response).text.replace(email.strip(), "ADDRESS")
    headers = sorted(
        # the clock readings: the date, when the rate-limit window ends, and how long until
        # then (whole seconds less the time now, so 3600 or 3599 by chance): present alike,
        # their values left out
        (name, "CLOCK" if name in CLOCK_HEADERS else value)
        for name, value in response.headers.items()
        if name not in ("Content-Length", "Set-Cookie")
    )
    cookies = sorted(
        re.sub(r"=[^;]*", "=VALUE", cookie, count=1)
        for cookie in response.headers.getlist("Set-Cookie")
    )
    return response.status_code, re.sub(r'name="csrf_token"[^>]*>', "", text), headers, cookies


def test_every_address_gets_the_same_answer_and_only_an_account_gets_mail(
    mail_app, smtp, make_user
):
    known = make_user()
    gone = make_user()
    with mail_app.app_context():
        db.session.get(User, gone.id).active = False
        db.session.commit()
    answers = {
        email: _answer(ask(mail_app.test_client(), email), email)
        for email in (known.email, "nobody@example.org", gone.email, "not an address", " ")
        if email.strip()
    }
    assert len({repr(answer) for answer in answers.values()}) == 1, answers
    assert next(iter(answers.values()))[0] == 200
    [message] = smtp.wait_for(1)
    time.sleep(0.3)
    assert [m["To"] for m in smtp.messages] == [known.email]
    assert message["To"] == known.email
    with mail_app.app_context():  # the addresses asked for are not kept once looked up
        assert db.session.scalar(db.select(db.func.count(PasswordResetRequest.id))) == 0


def test_requests_are_limited_per_address_whoever_asks(mail_app, smtp, client, make_user):
    user = make_user()
    for n in range(3):
        assert ask(client, user.email, f"203.0.113.{n}").status_code == 200
    assert ask(client, user.email.upper(), "203.0.113.9").status_code == 429
    for n in range(3):  # an address without an account spends its budget the same way
        assert ask(client, "nobody@example.org", f"198.51.100.{n}").status_code == 200
    assert ask(client, "nobody@example.org", "198.51.100.9").status_code == 429
    assert len(smtp.wait_for(3)) == 3


def test_requests_are_limited_per_client_address(mail_app, smtp, client):
    for n in range(10):
        assert ask(client, f"someone{n}@example.org").status_code == 200
    assert ask(client, "someone-else@example.org").status_code == 429
    assert ask(client, "someone-else@example.org", "203.0.113.5").status_code == 200


def test_a_reset_asked_during_an_smtp_outage_arrives_when_it_ends(mail_app, smtp, make_user):
    user = make_user()
    smtp.stop()
    assert ask(mail_app.test_client(), user.email).status_code == 200
    time.sleep(0.3)
    smtp.start()
    browser = mail_app.test_client()
    assert browser.get("/").status_code == 200  # a later request sends what waited
    smtp.wait_for(1)
    assert (
        submit(browser, reset_path(smtp, user.email), {"new_password": NEW_PASSWORD}).status_code
        == 302
    )
    assert user_row(mail_app, user.id).email_confirmed_at is not None
