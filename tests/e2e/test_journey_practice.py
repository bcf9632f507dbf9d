"""The practice journey: a verified member writes a practice example with an e-mail address in
it -> the anonymisation check shows the finding beside the field -> the member removes it,
confirms the example is anonymised and submits it -> a moderator approves it from the
review queue -> an anonymous visitor finds it on the practice list.

Three people, three browser contexts (their own cookies). Every control is found by its
label, role and accessible name, so the journey also checks that the form is labelled.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.extensions import db
from kx.practice.models import Practice

pytestmark = pytest.mark.e2e

TITLE = "Confidential helpline for adults worried about their sexual thoughts"
SUMMARY = "A free, anonymous telephone and chat service that helps callers stop before they offend."
EMAIL = "referrals.team@helpline.example.org"
BODY_WITH_EMAIL = (
    "Worried adults reach the team by writing to "
    f"{EMAIL}, and a counsellor answers within two working days.\n\n"
    "Callers are offered up to twelve sessions of cognitive behavioural therapy."
)
BODY_CLEAN = (
    "Worried adults reach the team through the contact form on the service's website, "
    "and a counsellor answers within two working days.\n\n"
    "Callers are offered up to twelve sessions of cognitive behavioural therapy."
)
CONFIRMATION = "I confirm this example is anonymised"


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def sign_in(page, email: str, password: str) -> None:
    page.goto("/")
    account_nav(page).get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(account_nav(page).get_by_role("button", name="Sign out")).to_be_visible()


def practices(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(Practice)).all()
        return [(p.title, p.status, p.body, p.identifier_warnings) for p in rows]


def test_practice_with_an_email_is_checked_fixed_submitted_approved_and_listed(
    live_server, new_page, make_user, screenshot
):
    app = live_server.app
    member = make_user(role="member", sector="treatment", display_name="Tess Treatment")
    moderator = make_user(role="moderator", sector="ngo", display_name="Morgan Moderator")

    # A verified member opens the form from the practice list.
    author = new_page("author")
    sign_in(author, member.email, member.password)
    main_nav(author).get_by_role("link", name="Practice examples").click()
    author.get_by_role("link", name="Write a practice example").click()
    expect(author).to_have_url(re.compile(r"/practices/new$"))
    expect(author.get_by_role("heading", name="New practice example", level=1)).to_be_visible()

    author.get_by_label("Title", exact=True).fill(TITLE)
    author.get_by_label("Summary", exact=True).fill(SUMMARY)
    domains = author.get_by_role("group", name="Domains")
    domains.get_by_label("Prevention", exact=True).check()
    domains.get_by_label("Treatment", exact=True).check()
    author.get_by_role("group", name="Countries").get_by_label("Germany", exact=True).check()
    author.get_by_label("Prevention level").select_option(label="Primary (before any offence)")
    body = author.get_by_label("What was done")
    body.fill(BODY_WITH_EMAIL)
    expect(author.get_by_role("radio", name="Public")).to_be_checked()

    # "Check anonymisation": the finding is shown at the top and beside its field, with
    # the excerpt, and nothing is saved.
    author.get_by_role("button", name="Check anonymisation").click()
    found = "The anonymisation check found 1 possible identifying detail"
    result = author.get_by_role("status").filter(has=author.get_by_role("heading", name=found))
    expect(result).to_be_visible()
    expect(result.get_by_role("link", name="What was done")).to_be_visible()
    expect(result).to_contain_text(EMAIL)
    body = author.get_by_label("What was done")
    expect(body).to_have_value(BODY_WITH_EMAIL)  # what was typed is kept
    beside = author.locator(".field", has=body).locator(".findings-box")
    expect(beside).to_contain_text("Possible identifying details in what was done")
    expect(beside).to_contain_text("E-mail address")
    expect(beside.locator("q.excerpt")).to_contain_text(EMAIL)
    # ...and the finding is part of the field's description for screen-reader users.
    expect(body).to_have_accessible_description(re.compile(re.escape(EMAIL)))
    expect(author.get_by_label("Title", exact=True)).to_have_value(TITLE)
    domains = author.get_by_role("group", name="Domains")
    expect(domains.get_by_label("Prevention", exact=True)).to_be_checked()
    expect(domains.get_by_label("Treatment", exact=True)).to_be_checked()
    screenshot(author, "1-anonymisation-warning")
    assert practices(app) == []

    # The member removes the address and tries to submit without the confirmation.
    body.fill(BODY_CLEAN)
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_role("alert")).to_contain_text("Please correct the marked fields")
    confirmation = author.get_by_label(CONFIRMATION)
    expect(confirmation).not_to_be_checked()
    expect(confirmation).to_have_attribute("aria-invalid", "true")
    expect(confirmation).to_have_accessible_description(
        "Confirm that the example is anonymised before you submit it."
    )
    expect(author.get_by_label("What was done")).to_have_value(BODY_CLEAN)
    expect(author.locator(".findings-box")).to_have_count(0)
    screenshot(author, "2-confirmation-missing")
    assert practices(app) == []

    # Ticks the confirmation and submits for review.
    confirmation.check()
    author.get_by_role("button", name="Submit for review").click()
    expect(author.get_by_role("status")).to_contain_text(
        "Submitted for review. A moderator will check it before it is published."
    )
    expect(author.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(author.get_by_text("Waiting for a moderator since")).to_be_visible()
    expect(author.get_by_role("main")).not_to_contain_text(EMAIL)
    screenshot(author, "3-submitted")
    [(title, status, stored_body, warnings)] = practices(app)
    assert (title, status, warnings) == (TITLE, "pending", [])
    assert EMAIL not in stored_body

    # An anonymous visitor does not see it yet.
    visitor = new_page("visitor")
    visitor.goto("/practices")
    expect(visitor.get_by_role("heading", name="0 practice examples")).to_be_visible()
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)

    # A moderator, in a browser of their own, opens it from the review queue, reads it in
    # full and approves it.
    staff = new_page("moderator")
    sign_in(staff, moderator.email, moderator.password)
    main_nav(staff).get_by_role("link", name="Review").click()
    expect(staff).to_have_url(re.compile(r"/review$"))
    expect(staff.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    card = staff.get_by_role("article", name=TITLE)
    expect(card).to_contain_text("Tess Treatment")
    expect(card).to_contain_text("The anonymisation check found no possible identifying details.")
    screenshot(staff, "4-review-queue")
    expect(card.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    card.get_by_role("link", name=f"Read it in full to approve “{TITLE}”").click()
    expect(staff.get_by_role("main")).to_contain_text("cognitive behavioural therapy")
    staff.get_by_role("button", name="Approve and publish").click()
    expect(staff.get_by_role("status")).to_contain_text(f"Published: “{TITLE}”.")
    expect(staff.get_by_text("Nothing is waiting for review.")).to_be_visible()
    assert practices(app)[0][1] == "published"

    # The visitor now finds it on the list and opens it.
    visitor.reload()
    expect(visitor.get_by_role("heading", name="1 practice example")).to_be_visible()
    listed = visitor.get_by_role("article", name=TITLE)
    expect(listed).to_contain_text(SUMMARY)
    expect(listed).to_contain_text("Prevention")
    expect(listed).to_contain_text("Treatment")
    expect(listed).to_contain_text("Germany")
    screenshot(visitor, "5-public-list")
    listed.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text("cognitive behavioural therapy")
    expect(visitor.get_by_role("main")).not_to_contain_text(EMAIL)
    expect(visitor.get_by_role("button", name="Approve and publish")).to_have_count(0)
    expect(visitor.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    screenshot(visitor, "6-public-detail")

    # The author's "My items" lists it as published.
    main_nav(author).get_by_role("link", name="My items").click()
    expect(author.get_by_role("link", name=TITLE)).to_be_visible()
