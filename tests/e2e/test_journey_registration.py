"""Register -> a moderator verifies -> the member signs in and sees members-only navigation.

Every step goes through the real pages with accessible locators (labels, roles and
names), so the journey also checks that the forms are labelled and the controls named.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.accounts import services as accounts

pytestmark = pytest.mark.e2e

EMAIL = "dana.prevention@example.org"
NAME = "Dana Prevention"
PASSWORD = "harbour lantern violet quarry"


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/")
    account_nav(page).get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(account_nav(page).get_by_role("button", name="Sign out")).to_be_visible()


def test_registration_verification_and_members_navigation(
    live_server, new_page, make_user, screenshot
):
    moderator = make_user(role="moderator", display_name="Morgan Moderator", sector="ngo")

    # A visitor registers through the real form.
    member = new_page("member")
    member.goto("/")
    account_nav(member).get_by_role("link", name="Register", exact=True).click()
    expect(member).to_have_url(re.compile(r"/register$"))
    member.get_by_label("Work e-mail address").fill(EMAIL)
    member.get_by_label("Display name").fill(NAME)
    member.get_by_label("Password").fill(PASSWORD)
    member.get_by_label("Sector").select_option(label="Treatment")
    member.get_by_label("Country you work in").select_option(label="Netherlands")
    member.get_by_label("Organisation").fill("Outpatient prevention service")
    member.get_by_label("Short bio").fill("Psychologist running a prevention programme.")
    member.get_by_role("button", name="Register", exact=True).click()

    # Signed in, awaiting verification, and no members-only navigation.
    expect(member.get_by_role("status")).to_contain_text("A moderator will verify your account")
    expect(account_nav(member)).to_contain_text(NAME)
    expect(account_nav(member)).to_contain_text("awaiting verification")
    expect(main_nav(member).get_by_role("link", name="Members")).to_have_count(0)
    screenshot(member, "1-registered")
    response = member.goto("/members")
    assert response.status == 403
    expect(
        member.get_by_role("heading", name="Your account is awaiting verification")
    ).to_be_visible()
    with live_server.app.app_context():
        user = accounts.find_user_by_email(EMAIL)
        assert user is not None and not user.is_verified
        assert (user.display_name, user.sector, user.country) == (NAME, "treatment", "NL")

    # A moderator, in a browser of their own, verifies the account from the queue.
    staff = new_page("moderator")
    sign_in(staff, moderator.email, moderator.password)
    main_nav(staff).get_by_role("link", name="Verification").click()
    expect(staff.get_by_role("heading", name="Verification queue")).to_be_visible()
    expect(staff.get_by_role("row", name=re.compile(re.escape(EMAIL)))).to_be_visible()
    screenshot(staff, "2-verification-queue")
    staff.get_by_role("button", name=f"Verify {NAME}").click()
    expect(staff.get_by_role("status")).to_contain_text("The account is verified.")
    expect(staff.get_by_text("No accounts are waiting.")).to_be_visible()
    with live_server.app.app_context():
        assert accounts.find_user_by_email(EMAIL).is_verified

    # The member signs out, signs in again and now sees the members-only navigation.
    account_nav(member).get_by_role("button", name="Sign out").click()
    expect(member.get_by_role("status")).to_contain_text("You are signed out.")
    sign_in(member, EMAIL, PASSWORD)
    expect(account_nav(member)).not_to_contain_text("awaiting verification")
    main_nav(member).get_by_role("link", name="Members").click()
    expect(member).to_have_url(re.compile(r"/members$"))
    expect(member.get_by_role("heading", name="Members", level=1)).to_be_visible()
    members = member.get_by_role("table", name="Verified members")
    expect(members.get_by_role("link", name=NAME)).to_be_visible()
    expect(members.get_by_role("link", name="Morgan Moderator")).to_be_visible()

    assert screenshot(member, "3-members").stat().st_size > 0
