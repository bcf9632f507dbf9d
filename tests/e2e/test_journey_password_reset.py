"""Forgot password -> the mail arrives (a real SMTP server on loopback) -> a new password
-> signed in; the old password no longer works and the link works once."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.smtp import links_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "lighthouse pebble orchard ninety"


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_forgot_password_mail_new_password_signed_in(
    mail_app, smtp, live_server, new_page, make_user, screenshot
):
    member = make_user(display_name="Robin Reset")
    page = new_page("member")

    page.goto("/")
    account_nav(page).get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password", level=1)).to_be_visible()
    page.get_by_label("E-mail address").fill(member.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your mail", level=1)).to_be_visible()
    screenshot(page, "1-check-your-mail")

    [message] = smtp.wait_for(1)
    assert message["To"] == member.email
    [link] = [link for link in links_in(message) if "/reset-password/" in link]
    path = link.removeprefix(mail_app.config["BASE_URL"])
    page.goto(path)
    expect(page.get_by_role("heading", name="Set a new password", level=1)).to_be_visible()
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()

    expect(page.get_by_role("status")).to_contain_text("Your password is set")
    expect(account_nav(page)).to_contain_text("Robin Reset")
    expect(account_nav(page).get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "2-signed-in")

    # The link worked once; the old password is gone, the new one signs in.
    page.goto(path)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.get_by_role("link", name="Ask for a new password link").click()
    expect(page).to_have_url(re.compile(r"/reset-password$"))
    account_nav(page).get_by_role("button", name="Sign out").click()
    other = new_page("again")
    sign_in(other, member.email, member.password)
    expect(other.get_by_text("The e-mail address or password is not correct.")).to_be_visible()
    sign_in(other, member.email, NEW_PASSWORD)
    expect(account_nav(other).get_by_role("button", name="Sign out")).to_be_visible()
    assert smtp.wait_for(2)[1]["Subject"] == "[kx] Your password was changed"
