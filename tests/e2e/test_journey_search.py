"""The search journey: an anonymous visitor searches from the header -> narrows the results
with a facet -> opens a result -> follows a related item.

The records are written through the services (so they reach the index the way real
writes do: the outbox, applied after commit). They share vocabulary, so related items
exist, and one members-only example shares it most of all: it must never show for the
anonymous visitor, neither as a result, nor in a facet count, nor in the related box.
A service check as a verified member first proves it is indexed and would be found, so
the visitor's "not there" means filtered, not missing.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.services import save_practice
from kx.research.services import save_research
from kx.search import services as search
from kx.search.backend import Query

pytestmark = pytest.mark.e2e

HELPLINE = "Anonymous helpline for adults worried about their sexual thoughts"
SELF_HELP = "Online self-help programme for people who view sexual images of children"
WARNINGS = "Warning messages that point searchers to an anonymous helpline"
SCHOOLS = "Online safety lessons in secondary schools"
COHORT = "Who calls a prevention helpline? A cohort study of anonymous callers"
SECRET = "Members-only referral protocol between the helpline and probation"

PUBLIC_PRACTICES = [
    {
        "title": HELPLINE,
        "summary": "Trained counsellors answer an anonymous helpline for adults worried "
        "about their sexual thoughts about children.",
        "body": "Callers to the helpline speak to trained counsellors anonymously. The "
        "counsellors offer safety planning, counselling sessions and referral to "
        "therapy for adults worried about their sexual thoughts.",
        "domains": ["prevention"],
        "countries": ["DE"],
        "prevention_level": "primary",
    },
    {
        "title": SELF_HELP,
        "summary": "A self-help course with optional counselling, reached through the "
        "helpline's website.",
        "body": "Adults worried about viewing sexual images work through self-help "
        "modules and can book counselling sessions with the helpline's counsellors "
        "anonymously; many are referred to therapy.",
        "domains": ["treatment"],
        "countries": ["NL"],
        "prevention_level": "secondary",
    },
    {
        "title": WARNINGS,
        "summary": "Search engines show a warning and the helpline's number to people "
        "searching for sexual images of children.",
        "body": "Deterrence messages shown on searches point worried adults to the "
        "anonymous helpline, where counsellors offer counselling and referral to therapy.",
        "domains": ["policing", "prevention"],
        "countries": ["GB"],
        "prevention_level": "secondary",
    },
    {
        "title": SCHOOLS,
        "summary": "Teachers run six lessons on online safety and consent.",
        "body": "Pupils discuss consent, sharing images and where to get advice.",
        "domains": ["education"],
        "countries": ["FR"],
        "prevention_level": "primary",
    },
]
PUBLIC_RESEARCH = {
    "title": COHORT,
    "authors": ["Example, Ann", "Sample, Ben"],
    "year": 2021,
    "venue": "Journal of Prevention Studies",
    "study_design": "cohort",
    "domains": ["prevention"],
    "countries": ["DE"],
    "summary": "A cohort of anonymous callers to a prevention helpline: adults worried "
    "about their sexual thoughts who received counselling and referral to therapy.",
    "key_findings": "Most callers accepted counselling; a third started therapy.",
}
MEMBERS_ONLY = {
    "title": SECRET,
    "summary": "How the anonymous helpline's counsellors and probation share referrals.",
    "body": "Helpline counsellors refer worried adults with their consent; the anonymous "
    "helpline offers counselling, safety planning and therapy to adults worried about "
    "their sexual thoughts, and probation follows up.",
    "domains": ["prevention", "desistance"],
    "countries": ["IE"],
    "prevention_level": "tertiary",
    "visibility": "members",
}


def option(label: str, count: int) -> re.Pattern:
    """A facet checkbox's accessible name, exactly: its label and count, "(3 results)"."""
    noun = "result" if count == 1 else "results"
    return re.compile(rf"^{re.escape(label)} \({count} {noun}\)$")


def seed(app, moderator_id: int) -> dict[str, int]:
    """Publish everything as a moderator (their own items publish directly)."""
    ids = {}
    with app.app_context():
        moderator = db.session.get(User, moderator_id)
        for data in (*PUBLIC_PRACTICES, MEMBERS_ONLY):
            item = save_practice(moderator, {**data, "submit": True, "anonymised_confirmed": True})
            assert item.status == "published"
            ids[item.title] = item.id
        research = save_research(moderator, {**PUBLIC_RESEARCH, "submit": True})
        assert research.status == "published"
        ids[research.title] = research.id
    return ids


def test_anonymous_search_facet_result_and_related_items(
    live_server, new_page, make_user, screenshot
):
    app = live_server.app
    moderator = make_user(role="moderator", sector="ngo")
    member = make_user(role="member", sector="treatment")
    ids = seed(app, moderator.id)

    # The members-only example is indexed: a verified member finds it and gets it as related.
    with app.app_context():
        member_user = db.session.get(User, member.id)
        found = search.search(member_user, Query(text="helpline"))
        assert SECRET in {hit.title for hit in found.hits}
        assert found.facets["domain"]["prevention"] == 4
        helpline = type("Item", (), {"item_type": "practice", "id": ids[HELPLINE]})
        assert SECRET in {hit.title for hit in search.related(helpline, member_user, limit=10)}

    # An anonymous visitor searches from the header of the home page.
    visitor = new_page("visitor")
    visitor.goto("/")
    header_search = visitor.get_by_role("search", name="Site search")
    header_search.get_by_label("Search kx").fill("helpline")
    header_search.get_by_role("button", name="Search").click()
    expect(visitor).to_have_url(re.compile(r"/search\?q=helpline$"))
    expect(visitor.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(visitor.get_by_role("search", name="Search kx").get_by_role("searchbox")).to_have_value(
        "helpline"
    )

    # Four public results; the members-only example is not among them, nor in any count.
    results = visitor.get_by_role("region", name=re.compile(r"results? for"))
    expect(results.get_by_role("heading", level=2).first).to_have_text("4 results for “helpline”")
    for title in (HELPLINE, SELF_HELP, WARNINGS, COHORT):
        expect(results.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(visitor.get_by_text(SECRET)).to_have_count(0)
    expect(visitor.get_by_role("link", name=SCHOOLS)).to_have_count(0)
    expect(visitor.locator("main")).not_to_contain_text("probation")  # not even in a snippet
    filters = visitor.get_by_role("region", name="Filter results")
    domain = filters.get_by_role("group", name="Domain")
    expect(domain.get_by_role("checkbox", name=option("Prevention", 3))).to_be_visible()
    expect(domain.get_by_role("checkbox", name=option("Treatment", 1))).to_be_visible()
    expect(domain.get_by_role("checkbox", name=option("Policing", 1))).to_be_visible()
    expect(domain.get_by_role("checkbox", name=re.compile("Desistance"))).to_have_count(0)
    kinds = filters.get_by_role("group", name="Type")
    expect(kinds.get_by_role("checkbox", name=option("Practice examples", 3))).to_be_visible()
    expect(kinds.get_by_role("checkbox", name=option("Research summaries", 1))).to_be_visible()
    country = filters.get_by_role("group", name="Country")
    expect(country.get_by_role("checkbox", name=option("Germany", 2))).to_be_visible()
    expect(country.get_by_role("checkbox", name=re.compile("Ireland"))).to_have_count(0)
    expect(filters.get_by_role("group", name="Prevention level")).not_to_contain_text("Tertiary")
    screenshot(visitor, "1-results")

    # A facet click narrows the results to the domain "Prevention".
    domain.get_by_role("checkbox", name=option("Prevention", 3)).check()
    filters.get_by_role("button", name="Apply filters").click()
    expect(visitor).to_have_url(re.compile(r"[?&]domain=prevention(&|$)"))
    expect(results.get_by_role("heading", level=2).first).to_have_text(
        "3 results for “helpline” with 1 filter"
    )
    for title in (HELPLINE, WARNINGS, COHORT):
        expect(results.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=SELF_HELP)).to_have_count(0)
    expect(results.get_by_role("link", name="Remove filter Domain: Prevention")).to_be_visible()
    expect(domain.get_by_role("checkbox", name=option("Prevention", 3))).to_be_checked()
    expect(visitor.get_by_text(SECRET)).to_have_count(0)
    screenshot(visitor, "2-facet")

    # Open a result: its detail page has a "Related items" box without the secret.
    results.get_by_role("link", name=HELPLINE, exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/practices/{ids[HELPLINE]}$"))
    expect(visitor.get_by_role("heading", name=HELPLINE, level=1)).to_be_visible()
    related = visitor.get_by_role("complementary", name="Related items")
    expect(related).to_be_visible()
    links = related.get_by_role("link")
    expect(links.first).to_be_visible()
    shown = set(links.all_inner_texts())
    assert shown, "the related box lists nothing"
    assert shown <= {SELF_HELP, WARNINGS, COHORT, SCHOOLS}, shown
    expect(related.get_by_role("link", name=HELPLINE, exact=True)).to_have_count(0)  # not itself
    expect(related).not_to_contain_text(SECRET)
    expect(visitor.get_by_text(SECRET)).to_have_count(0)
    screenshot(visitor, "3-detail-related")

    # Follow the related research summary (another type) to its own page.
    assert COHORT in shown, shown
    related.get_by_role("link", name=COHORT, exact=True).click()
    expect(visitor).to_have_url(re.compile(rf"/research/{ids[COHORT]}$"))
    expect(visitor.get_by_role("heading", name=COHORT, level=1)).to_be_visible()
    expect(visitor.get_by_role("main")).to_contain_text("Journal of Prevention Studies")
    related = visitor.get_by_role("complementary", name="Related items")
    expect(related.get_by_role("link", name=HELPLINE, exact=True)).to_be_visible()
    expect(related.get_by_role("link", name=COHORT, exact=True)).to_have_count(0)
    expect(visitor.get_by_text(SECRET)).to_have_count(0)
    screenshot(visitor, "4-related-research")

    # Guessing the members-only example's address finds nothing either.
    response = visitor.goto(f"/practices/{ids[SECRET]}")
    assert response.status == 404
    expect(visitor.get_by_text(SECRET)).to_have_count(0)
