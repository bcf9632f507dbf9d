"""Every main page with the demo content, loaded through the real CLI, as a visitor, a
member and a moderator: axe-core in Chromium at 1280 and 390 px wide finds no serious or
critical violation and no page scrolls sideways; the Nu HTML Checker finds no markup error.
A failure names the rule (or what sticks out), the page and the place."""

import re
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import expect
from sqlalchemy import func, select

from kx import create_app
from kx.accounts import passwords
from kx.accounts import services as accounts
from kx.demo import DEMO_PASSWORD
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.forum.models import Thread
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.research.models import Research
from kx.search import saved as themes
from tests.support.database import clear_tables, driver_url
from tests.support.html import vnu_problems
from tests.support.screens import PHONE, WIDE, serious_violations, sideways, sign_in

pytestmark = pytest.mark.e2e

#: pages checked on purpose as the 404 they are
NOT_FOUND = {"/practices/999999"}


@pytest.fixture(scope="module")
def demo_app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "SQLALCHEMY_DATABASE_URI": driver_url(database_url),
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("axe-index") / "index"),
        }
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        yield app
    with app.app_context():
        clear_tables(db)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(demo_app):
    return demo_app


@pytest.fixture(scope="module")
def demo_ids(demo_app) -> SimpleNamespace:
    """Ids of demo items, plus what the demo leaves empty: a theme saved by the member, a
    practice waiting for review and a newcomer waiting for verification."""
    with demo_app.app_context():
        helpline = db.session.scalar(select(Practice).where(Practice.title.contains("helpline")))
        link = db.session.scalar(select(EvidenceLink).where(EvidenceLink.findings.any()))
        doi = db.session.scalar(
            select(Research)
            .where(Research.doi.is_not(None))
            .order_by(func.length(Research.doi).desc())
        )
        thread = db.session.scalar(select(Thread).order_by(Thread.id))
        member = link.created_by
        themes.save(
            member,
            "Prevention in Germany and the Netherlands",
            {"q": "prevention", "country": ["DE", "NL"]},
        )
        save_practice(
            member,
            {
                "title": "A waiting practice example with a long title about online safety lessons",
                "summary": "Waiting for a moderator.",
                "body": "Six lessons on consent and image sharing in secondary schools.",
                "domains": ["education"],
                "countries": ["FR"],
                "prevention_level": "primary",
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        accounts.register_user(
            email="newcomer-with-a-long-address@probation-service.example.org",
            display_name="Nia Newcomer",
            password=DEMO_PASSWORD,
            sector="law-enforcement",
            country="GB",
            organisation="Regional probation service for the north of the country",
        )
        return SimpleNamespace(
            helpline=helpline.id,
            research=link.research_id,
            doi_research=doi.id,
            link=link.id,
            link_practice=link.practice_id,
            link_author=member.email,
            thread=thread.id,
            category=thread.category,
        )


def _violations(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.status == (404 if path in NOT_FOUND else 200), f"{path}: {response.status}"
    return [f"{path}: {problem}" for problem in serious_violations(page)]


def _public_pages(ids) -> list[str]:
    return [
        "/",
        "/practices/999999",  # a visitor's "some content needs signing in" (404)
        f"/practices/{ids.helpline}",
        f"/practices/{ids.link_practice}",
        f"/research/{ids.research}",
        f"/research/{ids.doi_research}",
        "/practices",
        "/research",
        "/gap-map",
        "/gap-map?rows=stage&columns=study_design&colour=risk_of_bias",
        "/methods",
        "/topics",
        "/topics/domain/prevention",
        "/topics/country/DE",
        "/search?q=helpline",
        "/forum",
        f"/forum/{ids.category}",
        f"/forum/threads/{ids.thread}",
        "/forum/research-needs",
        "/login",
        "/register",
        "/reset-password",
    ]


def _member_pages(ids) -> list[str]:
    return [
        "/",
        f"/practices/{ids.link_practice}",
        f"/evidence/{ids.link}/edit",
        f"/research/{ids.research}",
        "/gap-map?columns=outcome",
        "/my-items",
        "/themes",
        "/members",
        "/notifications",
        "/notifications/preferences",
        "/account",
        "/practices/new",
        "/research/new",
        "/research/import",
        "/forum/new",
        f"/forum/threads/{ids.thread}",
    ]


MODERATOR_PAGES = [
    "/",
    "/review",
    "/admin/verification",
    "/admin/users",
    "/admin/audit",
    "/forum/moderation",
    "/my-items",
    "/gap-map",
]


def _check(page, paths: list[str], viewport: dict) -> list[str]:
    page.set_viewport_size(viewport)
    problems = []
    for path in paths:
        problems += _violations(page, path)
        problems += [f"{path}: {problem}" for problem in sideways(page)]
    return problems


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_main_pages_fit_and_have_no_serious_violations_for_a_visitor(new_page, demo_ids, viewport):
    page = new_page("visitor")
    problems = _check(page, _public_pages(demo_ids), viewport)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_main_pages_fit_and_have_no_serious_violations_for_a_member(new_page, demo_ids, viewport):
    page = new_page("member")
    sign_in(page, demo_ids.link_author, DEMO_PASSWORD)
    problems = _check(page, _member_pages(demo_ids), viewport)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_main_pages_fit_and_have_no_serious_violations_for_a_moderator(
    new_page, demo_ids, viewport
):
    page = new_page("moderator")
    sign_in(page, "moderator@example.org", DEMO_PASSWORD)
    problems = _check(page, MODERATOR_PAGES, viewport)
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_gap_map_scrolls_its_columns_and_keeps_its_row_labels(new_page, demo_ids):
    page = new_page("visitor")
    page.set_viewport_size(PHONE)
    page.goto("/gap-map?columns=outcome")
    grid = page.get_by_role("region", name=re.compile("^Studies per domain"))
    label = grid.get_by_role("rowheader", name="Policing")
    label.scroll_into_view_if_needed()
    before = label.bounding_box()
    wide, shown = grid.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert wide > shown  # the columns do not fit: they scroll inside the map ...
    grid.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_function("el => el.scrollLeft > 0", arg=grid.element_handle())
    after = label.bounding_box()
    assert after["x"] == before["x"]  # ... and the row labels stay where they were
    expect(label).to_be_in_viewport()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_on_a_phone_a_long_doi_wraps_inside_the_research_page(new_page, demo_ids):
    page = new_page("visitor")
    page.set_viewport_size(PHONE)
    page.goto(f"/research/{demo_ids.doi_research}")
    doi = page.locator("a[href*='doi.org/']").first
    expect(doi).to_be_visible()
    box = doi.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_main_pages_are_valid_html(app, demo_ids, login, tmp_path):
    """The Nu HTML Checker (vnu.jar, shipped in the vnujar wheel, on the machine's Java) on
    every main page, as a visitor, a member and a moderator."""
    visitor, member, moderator = app.test_client(), app.test_client(), app.test_client()
    login(member, SimpleNamespace(email=demo_ids.link_author, password=DEMO_PASSWORD))
    login(moderator, SimpleNamespace(email="moderator@example.org", password=DEMO_PASSWORD))
    pages = [(visitor, path) for path in _public_pages(demo_ids)]
    pages += [(member, path) for path in _member_pages(demo_ids)]
    pages += [(moderator, path) for path in MODERATOR_PAGES]
    assert len(pages) >= 12
    files = {}
    for number, (client, path) in enumerate(pages):
        response = client.get(path)
        assert response.status_code == (404 if path in NOT_FOUND else 200), path
        file = tmp_path / f"page-{number}.html"
        file.write_bytes(response.data)
        files[str(file)] = path
    problems = vnu_problems(files)
    assert not problems, "\n".join(problems)
