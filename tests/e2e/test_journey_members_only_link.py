"""A link to members-only content opened on a phone (390 px) by a signed-out visitor: the
page says some content needs signing in, looks the same for an item that does not exist,
and signing in from it returns to the item. The home page at both widths leads to the
newest practices and the domains without scrolling sideways; axe finds no serious or
critical problem on these pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.services import save_practice
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}
TITLE = "Peer supervision for officers reviewing abuse images"


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _sideways(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth") > page.viewport_size["width"]


@pytest.fixture
def members_practice(live_server, make_user):
    moderator = make_user(role="moderator", email="mo@example.org")
    with live_server.app.app_context():
        item = save_practice(
            db.session.get(User, moderator.id),
            {
                "title": TITLE,
                "summary": "Monthly sessions for officers who grade images.",
                "domains": ["policing"],
                "visibility": "members",
                "start_year": 2019,
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        return item.id, moderator


def test_a_visitor_signs_in_from_a_members_only_link_and_comes_back(
    new_page, members_practice, screenshot
):
    practice_id, moderator = members_practice
    visitor = new_page("phone")
    visitor.set_viewport_size(PHONE)

    missing = visitor.goto("/practices/999999")
    missing_text = visitor.locator("main").inner_text()
    response = visitor.goto(f"/practices/{practice_id}")

    assert response.status == missing.status == 404
    assert visitor.locator("main").inner_text() == missing_text
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Some content needs signing in")
    assert TITLE not in visitor.content()
    assert not _sideways(visitor)
    assert _serious(visitor) == []
    screenshot(visitor, "members-only-phone")

    visitor.get_by_role("link", name="Sign in and come back here").click()
    visitor.get_by_label("E-mail address").fill(moderator.email)
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in", exact=True).click()

    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert visitor.url.endswith(f"/practices/{practice_id}")
    expect(visitor.get_by_text("Ran")).to_be_visible()


@pytest.mark.parametrize("size", [PHONE, WIDE], ids=["phone", "wide"])
def test_the_home_page_leads_somewhere_at_both_widths(new_page, live_server, make_user, size):
    author = make_user(role="moderator")
    with live_server.app.app_context():
        save_practice(
            db.session.get(User, author.id),
            {
                "title": "A public helpline for adults worried about their thoughts",
                "domains": ["prevention"],
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
    visitor = new_page("home")
    visitor.set_viewport_size(size)
    visitor.goto("/")

    newest = visitor.locator("#home-newest")
    expect(newest.get_by_role("link")).to_have_text(
        "A public helpline for adults worried about their thoughts"
    )
    expect(newest).to_contain_text("Added to kx")
    visitor.locator("#home-domains").get_by_role("link", name="Prevention").click()
    assert "/topics/domain/prevention" in visitor.url
    visitor.goto("/")
    assert not _sideways(visitor)
    assert _serious(visitor) == []
