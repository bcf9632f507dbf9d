"""A member opens "Discuss this" on a practice example and posts a thread; another member
replies; the first member sees the notification count in the header and the notification.

Accessible locators throughout (roles, names, labels), so the journey also checks that the
forum's controls are named and its forms labelled.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.services import save_practice

pytestmark = pytest.mark.e2e

TITLE = "Volunteer circles outside the cities"
BODY = "How do you recruit **volunteers** for circles in rural areas?"
REPLY = "We pair each circle with a probation officer who lives nearby."


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def sign_in(page, user) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(account_nav(page).get_by_role("button", name="Sign out")).to_be_visible()


def test_discuss_a_practice_reply_and_notification(live_server, new_page, make_user, screenshot):
    moderator = make_user(role="moderator", display_name="Morgan Moderator", sector="ngo")
    first = make_user(display_name="Priya Probation", sector="law-enforcement")
    second = make_user(display_name="Tomas Therapist", sector="treatment")
    with live_server.app.app_context():
        practice = save_practice(
            db.session.get(User, moderator.id),
            {
                "title": "Circles of support and accountability",
                "body": "Volunteers meet a person leaving prison every week.",
                "domains": ["desistance"],
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        practice_id = practice.id

    # The first member opens "Discuss this" on the practice page (or, while the page does
    # not include the forum partial yet, the same address the link points to).
    member = new_page("first-member")
    sign_in(member, first)
    member.goto(f"/practices/{practice_id}")
    discuss = member.get_by_role("link", name=re.compile(r"^Discuss this"))
    if discuss.count():
        discuss.first.click()
    else:
        member.goto(f"/forum/new?practice={practice_id}")
    expect(member.get_by_role("heading", name="Start a thread", level=1)).to_be_visible()
    expect(member.get_by_text("This thread will be linked to the practice example")).to_be_visible()
    expect(member.get_by_label("Category")).to_have_value("desistance")
    member.get_by_label("Discussion").check()
    member.get_by_label("Title").fill(TITLE)
    member.get_by_label("Message").fill(BODY)
    screenshot(member, "1-new-thread")
    member.get_by_role("button", name="Post the thread").click()

    expect(member.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(member.get_by_role("status")).to_contain_text("Your thread is open")
    linked = member.get_by_role("region", name="What this thread is about")
    expect(linked.get_by_role("link", name="Circles of support and accountability")).to_be_visible()
    expect(member.locator("article").first.locator("strong", has_text="volunteers")).to_be_visible()
    thread_url = member.url
    expect(
        account_nav(member).get_by_role("link", name="Notifications", exact=True)
    ).to_be_visible()

    # Another member finds the thread in the forum and replies to it.
    other = new_page("second-member")
    sign_in(other, second)
    other.get_by_role("navigation", name="Main").get_by_role("link", name="Forum").click()
    expect(other.get_by_role("heading", name="Forum", level=1)).to_be_visible()
    other.get_by_role("link", name="Desistance", exact=True).click()
    other.get_by_role("link", name=TITLE).click()
    expect(other).to_have_url(thread_url)
    other.get_by_label("Your reply").fill(REPLY)
    other.get_by_role("button", name="Post reply").click()
    expect(other.get_by_role("status")).to_contain_text("Your reply is posted")
    expect(other.get_by_text(REPLY)).to_be_visible()
    screenshot(other, "2-reply")

    # The first member sees the count in the header and the notification.
    member.goto("/forum")
    link = account_nav(member).get_by_role("link", name=re.compile(r"^Notifications \(1\) unread$"))
    expect(link).to_be_visible()
    link.click()
    expect(member.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    notification = member.get_by_role("listitem").filter(has_text="Tomas Therapist replied in")
    expect(notification).to_be_visible()
    screenshot(member, "3-notification")
    notification.get_by_role("link", name=TITLE).click()
    expect(member.get_by_text(REPLY)).to_be_visible()

    # Opening what it is about marked it read and cleared the header count.
    member.goto("/notifications")
    expect(
        account_nav(member).get_by_role("link", name="Notifications", exact=True)
    ).to_be_visible()
    expect(member.get_by_text("0 unread.")).to_be_visible()
