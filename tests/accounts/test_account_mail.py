"""Mail about the account itself, on a real SMTP server: the address confirmed at
registration (and shown to moderators), an address change confirmed at the new address
and announced to the old one, and a notice when the password changes."""

import time

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.extensions import db
from kx.mail.models import OutboxMessage
from tests.support.accounts import user_row
from tests.support.browser import Page, submit
from tests.support.smtp import links_in, text_of

BASE = "http://127.0.0.1:5000"
REGISTRATION = {
    "email": "noa.newcomer@example.org",
    "display_name": "Noa Newcomer",
    "password": "violet harbour lantern seven",
    "sector": "treatment",
    "country": "NL",
}


def link_path(message, fragment: str) -> str:
    [link] = [link for link in links_in(message) if fragment in link]
    assert link.startswith(BASE)
    return link.removeprefix(BASE)


def newcomer_id(app) -> int:
    with app.app_context():
        return accounts.find_user_by_email(REGISTRATION["email"]).id


def test_registration_mails_a_confirmation_link_the_moderator_sees_followed(
    mail_app, smtp, client, make_user, login
):
    assert submit(client, "/register", REGISTRATION).status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == REGISTRATION["email"]
    assert message["Subject"] == "[kx] Confirm your e-mail address"
    assert "Hello Noa Newcomer" in text_of(message)
    assert "not confirmed yet" in Page(client.get("/account")).text

    moderator = mail_app.test_client()
    login(moderator, make_user(role="moderator"))
    assert "Not confirmed yet" in Page(moderator.get("/admin/verification")).text

    path = link_path(message, "/confirm-address/")
    page = mail_app.test_client().get(path)  # from the mail program: no session needed
    assert page.status_code == 200 and "Confirm my address" in Page(page).text
    assert (
        user_row(mail_app, newcomer_id(mail_app)).email_confirmed_at is None
    )  # GET changes nothing
    visitor = mail_app.test_client()
    assert submit(visitor, path, {}).status_code == 302
    assert user_row(mail_app, newcomer_id(mail_app)).email_confirmed_at is not None
    assert "(confirmed)" in Page(client.get("/account")).text
    queue = Page(moderator.get("/admin/verification")).text
    assert "Confirmed" in queue and "Not confirmed yet" not in queue


def test_a_confirmation_link_can_be_sent_again(mail_app, smtp, client):
    submit(client, "/register", REGISTRATION)
    smtp.wait_for(1)
    assert submit(client, "/account/confirmation", {}, "/account").status_code == 302
    first, second = smtp.wait_for(2)
    assert first["To"] == second["To"] == REGISTRATION["email"]
    assert (
        submit(mail_app.test_client(), link_path(second, "/confirm-address/"), {}).status_code
        == 302
    )
    assert user_row(mail_app, newcomer_id(mail_app)).email_confirmed_at is not None


def test_accounts_created_by_an_operator_are_confirmed_and_get_no_mail(mail_app, smtp, make_user):
    user = make_user()
    assert user_row(mail_app, user.id).email_confirmed_at is not None
    time.sleep(0.3)
    assert smtp.messages == []


def test_an_address_change_is_confirmed_at_the_new_address_and_told_to_the_old(
    mail_app, smtp, client, make_user, login
):
    user = make_user()
    login(client, user)
    assert "/account/email" in Page(client.get("/account")).links
    response = submit(client, "/account/email", {"new_email": "New.Home@Example.org",
                                                 "password": user.password})  # fmt: skip
    assert response.status_code == 302
    [confirm] = smtp.wait_for(1)
    assert confirm["To"] == "new.home@example.org"
    assert "Confirm your new e-mail address" in confirm["Subject"]
    assert user_row(mail_app, user.id).email == user.email  # not before the link is followed

    path = link_path(confirm, "/account/email/")
    assert submit(mail_app.test_client(), path, {}).status_code == 302
    assert user_row(mail_app, user.id).email == "new.home@example.org"
    [_confirm, notice] = smtp.wait_for(2)
    assert notice["To"] == user.email
    assert "new.home@example.org" in text_of(notice)
    assert "/account/email/" not in text_of(notice)

    again = mail_app.test_client().get(path)
    assert again.status_code == 410  # used: the account no longer has the old address
    other = mail_app.test_client()
    assert submit(other, "/login", {"email": "new.home@example.org",
                                    "password": user.password}).status_code == 302  # fmt: skip


def test_an_address_change_needs_the_password_and_a_free_address(
    mail_app, smtp, client, make_user, login
):
    user = make_user()
    taken = make_user()
    login(client, user)
    wrong = submit(client, "/account/email", {"new_email": "x@example.org", "password": "nope"})
    assert wrong.status_code == 422
    assert Page(wrong).errors("password") == ["The password is not correct."]
    clash = submit(client, "/account/email", {"new_email": taken.email, "password": user.password})
    assert clash.status_code == 422
    assert "already exists" in Page(clash).error_text("new_email")
    bad = submit(
        client, "/account/email", {"new_email": "not an address", "password": user.password}
    )
    assert bad.status_code == 422 and Page(bad).errors("new_email")
    time.sleep(0.3)
    assert smtp.messages == []


def test_an_address_taken_after_the_link_was_sent_is_not_taken_twice(
    mail_app, smtp, client, make_user, login
):
    user = make_user()
    login(client, user)
    submit(client, "/account/email", {"new_email": "wanted@example.org", "password": user.password})
    [confirm] = smtp.wait_for(1)
    make_user(email="wanted@example.org")
    response = submit(mail_app.test_client(), link_path(confirm, "/account/email/"), {})
    assert response.status_code == 302
    assert user_row(mail_app, user.id).email == user.email


def test_a_password_change_sends_a_notice(mail_app, smtp, client, make_user, login):
    user = make_user()
    login(client, user)
    response = submit(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": "quartz meadow river ninety"},
    )
    assert response.status_code == 302
    [notice] = smtp.wait_for(1)
    assert notice["To"] == user.email and notice["Subject"] == "[kx] Your password was changed"
    assert f"{BASE}/reset-password" in text_of(notice)
    assert "through a link" not in text_of(notice)


def test_a_deleted_account_leaves_no_mail_behind(mail_app, smtp, client, make_user, login):
    user = make_user()
    smtp.stop()
    login(client, user)
    new_password = "quartz meadow river ninety"
    submit(client, "/account/password", {"current_password": user.password,
                                         "new_password": new_password})  # fmt: skip
    response = submit(
        client,
        "/account/delete",
        {"password": new_password, "confirm": "y"},
    )
    assert response.status_code == 302
    with mail_app.app_context():
        assert db.session.get(User, user.id).deleted_at is not None
        assert db.session.scalars(db.select(OutboxMessage)).all() == []
