"""The rating journey: an academic who linked a systematic review to a practice example
records what the review found (no effect on sexual reoffending) on the link's edit page ->
the practice's rating drops from "Promising" to "No effect" on its page ("at a glance"),
in the practice list and in search results, for them and for an anonymous visitor.

Search results read the rating from the database when the page is drawn, so the new
finding shows there without the index being rebuilt.
"""

import re

import pytest
from playwright.sync_api import expect

from kx.accounts.models import User
from kx.evidence import services
from kx.extensions import db
from kx.practice.services import get_practice, save_practice
from kx.research.services import get_research, save_research

pytestmark = pytest.mark.e2e

TITLE = "Circles of support and accountability for men leaving prison"
TRIAL = "A randomised trial of circles of support"
REVIEW = "Community reintegration programmes: a systematic review"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()


def set_up(app, moderator, academic) -> int:
    """A published practice with a trial in its favour (linked by the moderator) and a
    systematic review the academic linked without findings yet: rated promising."""
    with app.app_context():
        mod = db.session.get(User, moderator.id)
        member = db.session.get(User, academic.id)
        practice = save_practice(
            mod,
            {
                "title": TITLE,
                "summary": "Volunteers meet a man every week after his release.",
                "domains": ["treatment"],
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        studies = [
            save_research(
                mod,
                {"title": title, "study_design": design, "domains": ["treatment"], "submit": True},
            )
            for title, design in ((TRIAL, "rct"), (REVIEW, "systematic-review"))
        ]
        positive = {"outcome": "sexual-reoffending", "direction": "positive"}
        services.link_evidence(
            mod, get_practice(practice.id, mod), studies[0], "evaluates", "", [positive]
        )
        services.link_evidence(
            member,
            get_practice(practice.id, member),
            get_research(studies[1].id, member),
            "evaluates",
        )
        return practice.id


def rating_on_list(page, title: str):
    card = page.get_by_role("article", name=title)
    return card.locator(".card-facts").filter(has_text="Rating")


def test_a_no_effect_finding_lowers_the_rating_on_the_page_the_list_and_search(
    live_server, new_page, make_user, screenshot
):
    app = live_server.app
    moderator = make_user(role="moderator", sector="ngo")
    academic = make_user(sector="academic", display_name="Ada Academic")
    practice_id = set_up(app, moderator, academic)

    page = new_page("academic")
    sign_in(page, academic.email, academic.password)
    page.goto(f"/practices/{practice_id}")
    glance = page.get_by_role("region", name="At a glance")
    expect(glance).to_contain_text("Does it work? Promising")
    expect(glance.get_by_role("link", name="How ratings are worked out")).to_be_visible()
    expect(glance.get_by_role("region", name="Evidence against (0)")).to_be_visible()
    screenshot(page, "1-promising")

    # The academic records what the review found, on the link's edit page.
    page.get_by_role("link", name=re.compile(r"^Edit findings of .*systematic review")).click()
    expect(page.get_by_role("heading", name="Edit evidence link", level=1)).to_be_visible()
    row = page.get_by_role("group", name="Finding 1")
    row.get_by_label("Outcome").select_option(label="Sexual reoffending")
    row.get_by_label("What the study found").select_option(label="No effect")
    page.get_by_role("button", name="Save changes").click()

    # Back on the practice page, the rating has dropped, and the review is listed against.
    expect(page.get_by_role("status")).to_contain_text("The evidence link is saved.")
    glance = page.get_by_role("region", name="At a glance")
    expect(glance).to_contain_text("Does it work? No effect")
    expect(glance).to_contain_text("A systematic review found no benefit")
    against = glance.get_by_role("region", name="Evidence against (1)")
    expect(against.get_by_role("link", name=REVIEW)).to_be_visible()
    outcomes = glance.get_by_role("table", name="Rating for each outcome studied")
    expect(outcomes.get_by_role("row", name=re.compile("^Sexual reoffending"))).to_contain_text(
        "No effect"
    )
    screenshot(page, "2-no-effect")

    # The list and search say the same, to the academic and to an anonymous visitor.
    visitor = new_page("visitor")
    for reader in (page, visitor):
        reader.goto("/practices")
        expect(rating_on_list(reader, TITLE)).to_contain_text("No effect")
        expect(rating_on_list(reader, TITLE)).to_contain_text("2 studies")
        reader.goto("/search?q=circles")
        hit = reader.get_by_role("article", name=TITLE)
        expect(hit).to_contain_text("No effect")
        expect(hit).not_to_contain_text("Promising")
    screenshot(visitor, "3-search")
