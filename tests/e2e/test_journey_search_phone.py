"""kx on a phone (390 by 844 pixels, a common size).

The header is one row: the brand, the search box and a Menu button; the links wait behind
Menu, which opens with a tap, the keyboard, or with JavaScript switched off. A moderator
verifies a newcomer with the Verify button in view.

Search on a phone: a visitor asks a question in the
header's search box and gets results on the first screen, not below the facets; the facets
open behind "Filter" (with the keyboard too), a chosen filter shows as a chip above the
results and the chip takes it away again. The page never scrolls sideways and axe finds no
serious or critical problem on it. On a wide screen the facets stay beside the results.

The content is written through the services like the demo's: long titles, several
countries and domains, so the facets and the result cards are as tall as real ones.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.extensions import db
from kx.practice.services import save_practice
from kx.research.services import save_research
from tests.support.screens import PHONE, WIDE, serious_violations, sign_in

pytestmark = pytest.mark.e2e

QUESTION = "what works in prevention in Germany?"

ANSWER = "What works in prevention in Germany: ten years of an anonymous therapy network"
PRACTICES = [
    {
        "title": ANSWER,
        "summary": "What works for adults worried about their sexual interest in children: "
        "a network of clinics across Germany offers confidential prevention therapy.",
        "body": "The network's clinics in Germany offer free, confidential therapy to people "
        "who have not offended or whose offences are not known to the justice system. This "
        "page gathers what works in prevention according to its evaluations.",
        "domains": ["prevention", "treatment"],
        "countries": ["DE", "AT"],
        "prevention_level": "primary",
    },
    {
        "title": "Deterrence messages shown to people searching for child sexual abuse "
        "material, with a route to anonymous help",
        "summary": "Search engines in Germany and the United Kingdom show a warning and a "
        "helpline number to people searching for abuse material.",
        "body": "Warnings appear on searches; the helpline offers counselling and prevention.",
        "domains": ["prevention", "policing"],
        "countries": ["DE", "GB"],
        "prevention_level": "secondary",
    },
    {
        "title": "Circles of support and accountability for men released from prison after "
        "online offences",
        "summary": "Volunteers meet a core member every week for a year after release.",
        "body": "Circles work with probation in Canada to prevent reoffending.",
        "domains": ["desistance"],
        "countries": ["CA"],
        "prevention_level": "tertiary",
    },
    {
        "title": "Online safety lessons on consent and image sharing in secondary schools",
        "summary": "Teachers run six lessons on online safety and consent.",
        "body": "Pupils discuss consent, sharing images and where to get advice on prevention.",
        "domains": ["education", "prevention"],
        "countries": ["FR", "BE"],
        "prevention_level": "primary",
    },
]
RESEARCH = [
    {
        "title": "A pilot evaluation of confidential prevention therapy in Germany for men "
        "with a sexual interest in children",
        "authors": ["Example, Ann", "Sample, Ben"],
        "year": 2015,
        "venue": "Journal of Prevention Studies",
        "study_design": "quasi-experimental",
        "domains": ["prevention", "treatment"],
        "countries": ["DE"],
        "summary": "Men in Germany who received prevention therapy were compared with men on "
        "the waiting list; what works was measured as dynamic risk factors after a year.",
        "key_findings": "Some dynamic risk factors fell; the sample was small.",
    },
    {
        "title": "Who calls a prevention helpline in Canada? A cohort of anonymous callers",
        "authors": ["Example, Cara"],
        "year": 2021,
        "venue": "Canadian Journal of Prevention",
        "study_design": "cohort",
        "domains": ["prevention"],
        "countries": ["CA"],
        "summary": "Anonymous callers to a prevention helpline in Canada, followed for a year.",
        "key_findings": "Most callers accepted counselling; a third started therapy.",
    },
]


@pytest.fixture
def content(live_server, make_user) -> None:
    """Publish everything as a moderator (their own items publish directly)."""
    moderator_id = make_user(role="moderator", sector="ngo").id
    with live_server.app.app_context():
        moderator = db.session.get(User, moderator_id)
        for data in PRACTICES:
            item = save_practice(moderator, {**data, "submit": True, "anonymised_confirmed": True})
            assert item.status == "published"
        for data in RESEARCH:
            assert save_research(moderator, {**data, "submit": True}).status == "published"


def first_screen_problems(page) -> list[str]:
    """What keeps the page from fitting a phone: a first result below the first screen,
    or content wider than the screen (the page would scroll sideways)."""
    page.evaluate("window.scrollTo(0, 0)")
    problems = []
    first = page.locator(".search-hits > li").first
    expect(first).to_be_visible()
    top = first.bounding_box()["y"]
    if top >= PHONE["height"]:
        problems.append(f"the first result starts {top:.0f} px down")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"the page is {width} px wide")
    return problems


def test_a_question_on_a_phone_shows_results_first_and_filters_on_demand(
    new_page, content, screenshot
):
    visitor = new_page("phone")
    visitor.set_viewport_size(PHONE)

    # The visitor asks from the header of the home page.
    visitor.goto("/")
    header_search = visitor.get_by_role("search", name="Site search")
    header_search.get_by_label("Search kx").fill(QUESTION)
    header_search.get_by_role("button", name="Search").click()
    expect(visitor).to_have_url(re.compile(r"/search\?q=what\+works"))
    results = visitor.get_by_role("region", name=re.compile(r"results? for"))
    expect(results.get_by_role("link", name=ANSWER, exact=True)).to_be_visible()
    assert not first_screen_problems(visitor), first_screen_problems(visitor)

    # The facets wait behind "Filter"; the keyboard opens it like a button.
    toggle = visitor.locator("summary", has_text="Filter")
    expect(toggle).to_be_visible()
    filters = visitor.get_by_role("region", name="Filter results")
    germany = filters.get_by_role("checkbox", name=re.compile(r"^Germany \("))
    expect(germany).to_be_hidden()
    toggle.focus()
    visitor.keyboard.press("Enter")
    expect(germany).to_be_visible()
    assert visitor.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    screenshot(visitor, "1-filters-open")
    assert not serious_violations(visitor), serious_violations(visitor)

    # Choosing a country: the page comes back with the results first and a chip above them.
    germany.check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(visitor).to_have_url(re.compile(r"[?&]country=DE(&|$)"))
    chip = results.get_by_role("link", name="Remove filter Country: Germany")
    expect(chip).to_be_visible()
    expect(results.get_by_role("heading", level=2).first).to_contain_text("with 1 filter")
    expect(germany).to_be_hidden()  # closed again: the results are what was asked for
    chip_box, first_box = chip.bounding_box(), visitor.locator(".search-hits > li").first
    assert chip_box["y"] < first_box.bounding_box()["y"]  # the chip sits above the results
    assert not first_screen_problems(visitor), first_screen_problems(visitor)
    screenshot(visitor, "2-chip")
    assert not serious_violations(visitor), serious_violations(visitor)

    # The chip removes its filter, and only that.
    chip.click()
    expect(visitor).not_to_have_url(re.compile(r"country="))
    expect(visitor).to_have_url(re.compile(r"q=what\+works"))
    expect(results.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(0)
    expect(results.get_by_role("heading", level=2).first).not_to_contain_text("filter")
    expect(results.get_by_role("link", name=ANSWER, exact=True)).to_be_visible()
    assert not first_screen_problems(visitor), first_screen_problems(visitor)


def test_many_filters_and_a_broad_search_still_start_on_the_first_screen(new_page, content):
    visitor = new_page("phone")
    visitor.set_viewport_size(PHONE)
    visitor.goto(
        "/search?q=prevention&domain=prevention&domain=treatment&country=DE&country=AT"
        "&year_from=2010"
    )
    results = visitor.get_by_role("region", name=re.compile(r"results? for"))
    expect(results.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(5)
    expect(results.get_by_role("link", name="Clear all filters")).to_be_visible()
    assert not first_screen_problems(visitor), first_screen_problems(visitor)

    visitor.goto("/search?q=prevention")  # every facet full
    assert not first_screen_problems(visitor), first_screen_problems(visitor)
    assert not serious_violations(visitor), serious_violations(visitor)


def test_on_a_wide_screen_the_facets_stay_beside_the_results(new_page, content):
    visitor = new_page("desk")
    visitor.set_viewport_size(WIDE)
    visitor.goto("/search?q=prevention")
    filters = visitor.get_by_role("region", name="Filter results")
    germany = filters.get_by_role("checkbox", name=re.compile(r"^Germany \("))
    expect(germany).to_be_visible()  # without opening anything
    expect(visitor.locator("summary", has_text="Filter")).to_be_hidden()
    first = visitor.locator(".search-hits > li").first
    side, main = filters.bounding_box(), first.bounding_box()
    assert side["x"] + side["width"] <= main["x"]  # beside, not above
    assert (
        abs(
            side["y"]
            - visitor.get_by_role("heading", name=re.compile("results? for")).bounding_box()["y"]
        )
        < 40
    )


HEADER_MAX = 64  # px: one row, where a moderator's twelve links took 267


def _menu_is_closed_and_compact(page) -> None:
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= HEADER_MAX, header.bounding_box()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Forum")
    ).to_be_hidden()
    expect(page.get_by_role("search", name="Site search").get_by_label("Search kx")).to_be_visible()


def test_on_a_phone_the_links_wait_behind_menu_and_open_without_javascript(
    browser, live_server, make_user
):
    moderator = make_user(role="moderator", display_name="Morgan Moderator")
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False, locale="en-GB"
    )
    try:
        page = context.new_page()
        sign_in(page, moderator.email, moderator.password)
        _menu_is_closed_and_compact(page)

        page.locator("summary", has_text="Menu").click()
        main_nav = page.get_by_role("navigation", name="Main")
        for name in ("Research", "Gap map", "Forum", "My themes", "Review", "Verification"):
            expect(main_nav.get_by_role("link", name=name, exact=True)).to_be_visible()
        account = page.get_by_role("navigation", name="Account")
        expect(account.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

        main_nav.get_by_role("link", name="Forum", exact=True).click()
        expect(page).to_have_url(re.compile(r"/forum$"))
        _menu_is_closed_and_compact(page)  # a new page starts with the menu closed
    finally:
        context.close()


def test_the_menu_opens_with_the_keyboard_and_its_button_counts_unread_notifications(
    new_page, make_user, live_server
):
    moderator_id = make_user(role="moderator").id
    member = make_user(verified=False, display_name="Inspector Phone")
    with live_server.app.app_context():  # being verified is a notification
        accounts.verify_user(db.session.get(User, moderator_id), db.session.get(User, member.id))
    page = new_page("member")
    page.set_viewport_size(PHONE)
    sign_in(page, member.email, member.password)
    _menu_is_closed_and_compact(page)
    menu = page.locator("summary", has_text="Menu")
    expect(menu).to_have_text(re.compile(r"Menu\s*1 unread notifications"))
    menu.focus()
    page.keyboard.press("Enter")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Forum")).to_be_visible()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Notifications (1) unread")).to_be_visible()
    assert not serious_violations(page), serious_violations(page)
    page.keyboard.press("Enter")  # and closes again
    _menu_is_closed_and_compact(page)


def test_on_a_wide_screen_the_links_show_without_a_menu_button(new_page, make_user):
    page = new_page("desk")
    page.set_viewport_size(WIDE)
    page.goto("/")
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Forum", exact=True)).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")
    ).to_be_visible()


def test_a_moderator_verifies_a_newcomer_on_a_phone(new_page, make_user):
    moderator = make_user(role="moderator")
    make_user(
        verified=False,
        display_name="Nia Newcomer",
        email="nia.newcomer-at-the-regional-probation-service@probation.example.org",
        organisation="Regional probation service for the north of the country",
    )
    page = new_page("moderator")
    page.set_viewport_size(PHONE)
    sign_in(page, moderator.email, moderator.password)
    page.goto("/admin/verification")
    verify = page.get_by_role("button", name="Verify Nia Newcomer")
    expect(verify).to_be_in_viewport()  # on screen, not beyond the right edge
    box = verify.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    address = page.get_by_role("cell", name=re.compile("nia.newcomer-at-the-regional"))
    box = address.bounding_box()  # the long address wraps inside the screen
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    verify.click()
    expect(page.get_by_text("The account is verified.")).to_be_visible()
    expect(page.get_by_role("button", name="Verify Nia Newcomer")).to_have_count(0)
