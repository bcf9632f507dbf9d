"""Theme pages (/topics/<kind>/<slug>) show what works, the newest items, open research
needs, active threads and the gap map of one domain, prevention level, stage or country,
counting only what the reader may see.

Fixture: P1 public (treatment, supervision, tertiary, DE) is rated promising from a public
trial, effective for members who also see a members-only review; P2 is members-only
treatment; P3 a draft; P4 public treatment without studies. Threads: an open research
need in the treatment category (members-only by default), one in a public category linked
to P1, an addressed one, and a discussion linked to P2.
"""

import pytest

from kx.accounts.models import User
from kx.database import transaction
from kx.evidence.models import EvidenceLink, Finding
from kx.extensions import db
from kx.forum.models import CategorySetting, Post, Thread, ThreadLink
from kx.practice import services as practice_services
from kx.records import services as records
from kx.research import services as research_services
from tests.support.browser import Html


def add_practice(app, author, title, visibility="public", status="published", **fields):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {"title": title, "visibility": visibility, "body": "How it works.", **fields}
        item = practice_services.save_practice(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_research(app, author, title, design, visibility="public", domains=("treatment",)):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {
            "title": title,
            "domains": list(domains),
            "countries": ["DE"],
            "study_design": design,
            "visibility": visibility,
        }
        item = research_services.save_research(user, data)
        with transaction():
            records.set_status(item, "published")
        return item.id


def add_link(app, research_id, practice_id, outcome):
    with app.app_context(), transaction():
        db.session.add(
            EvidenceLink(
                research_id=research_id,
                practice_id=practice_id,
                relation="evaluates",
                findings=[Finding(position=0, outcome=outcome, direction="positive")],
            )
        )


def add_thread(app, author, title, category, kind="discussion", status=None, about=None):
    with app.app_context(), transaction():
        thread = Thread(
            category=category, kind=kind, status=status, title=title, author_id=author.id
        )
        thread.posts.append(Post(author_id=author.id, body="Text.", body_html="<p>Text.</p>"))
        if about is not None:
            thread.links.append(ThreadLink(item_type="practice", item_id=about))
        db.session.add(thread)


@pytest.fixture
def world(app, make_user):
    author = make_user(role="moderator", sector="academic")
    people = {"member": make_user(sector="law-enforcement"), "author": author}
    p1 = add_practice(
        app,
        author,
        "P1 Circles",
        domains=["treatment"],
        stages=["supervision"],
        prevention_level="tertiary",
        countries=["DE"],
    )
    p2 = add_practice(app, author, "P2 Group", "members", domains=["treatment"])
    add_practice(app, author, "P3 Draft", status="draft", domains=["treatment"])
    add_practice(app, author, "P4 Helpline", domains=["treatment"], countries=["DE"])
    trial = add_research(app, author, "R1 Trial", "rct")
    review = add_research(app, author, "R2 Review", "systematic-review", "members")
    add_research(app, author, "R3 Other field", "rct", domains=("policing",))
    add_link(app, trial, p1, "sexual-reoffending")
    add_link(app, review, p1, "sexual-reoffending")
    with app.app_context(), transaction():
        db.session.add(CategorySetting(slug="prevention", visibility="public"))
    add_thread(app, author, "Need in treatment", "treatment", "research-need", "open")
    add_thread(app, author, "Need about P1", "prevention", "research-need", "open", about=p1)
    add_thread(app, author, "Need addressed", "prevention", "research-need", "addressed", p1)
    add_thread(app, author, "Talk about P2", "prevention", about=p2)
    add_thread(app, author, "Talk elsewhere", "prevention")
    return people


def page(client, url: str) -> Html:
    found = Html(client.get(url))
    assert found.status == 200, url
    return found


def section(found: Html, heading_id: str) -> str:
    """The text of the section labelled by ``heading_id``."""
    start = found.html.index(f'aria-labelledby="{heading_id}"')
    end = found.html.find("<section", start)
    return Html(found.html[start : end if end > 0 else None]).text


def test_a_domain_theme_shows_what_works_for_the_public(client, world):
    found = page(client, "/topics/domain/treatment")

    works = section(found, "what-works")
    assert "Promising 1" in works and "Insufficient evidence 1" in works
    assert "Effective 0" in works
    assert "P1 Circles" in works and "strongest: Randomised controlled trial" in works
    newest = section(found, "newest-practices")
    assert "P1 Circles" in newest and "P4 Helpline" in newest
    assert "P2 Group" not in found.text and "P3 Draft" not in found.text
    research = section(found, "newest-research")
    assert "R1 Trial" in research
    assert "R2 Review" not in research and "R3 Other field" not in research


def test_the_public_count_leaves_out_members_only_practices(client, world):
    works = section(page(client, "/topics/domain/treatment"), "what-works")

    assert "2 published practice examples by rating" in works


def test_members_see_the_rating_their_evidence_gives(client, world, login):
    login(client, world["member"])
    found = page(client, "/topics/domain/treatment")

    works = section(found, "what-works")
    assert "3 published practice examples by rating" in works
    assert "Effective 1" in works and "Promising 0" in works
    assert "strongest: Systematic review" in works
    assert "R2 Review" in section(found, "newest-research")


def test_research_needs_and_threads_follow_category_and_links(client, world, login):
    public = page(client, "/topics/domain/treatment")
    needs = section(public, "research-needs")
    # the treatment category is members-only; the need linked to P1 is in a public one
    assert "Need about P1" in needs
    assert "Need in treatment" not in needs and "Need addressed" not in needs
    threads = section(public, "active-threads")
    assert "Talk about P2" not in threads  # P2 is members-only
    assert "Talk elsewhere" not in threads

    login(client, world["member"])
    member = page(client, "/topics/domain/treatment")
    assert "Need in treatment" in section(member, "research-needs")
    assert "Talk about P2" in section(member, "active-threads")


def test_see_all_links_lead_to_the_filtered_lists(client, world):
    found = page(client, "/topics/domain/treatment")

    assert "/practices?domain=treatment" in found.html
    assert "/research?domain=treatment" in found.html
    assert "/forum/research-needs?domain=treatment&amp;status=open" in found.html
    assert "/gap-map?rows=stage&amp;columns=outcome&amp;domain=treatment" in found.html


def test_the_theme_map_is_narrowed_to_the_theme(client, world):
    found = page(client, "/topics/domain/treatment")
    theme_map = section(found, "theme-map")

    assert "Studies per stage (rows) and outcome (columns)" in theme_map
    assert "1 study on Supervision, Sexual reoffending" in theme_map
    assert "No studies" in theme_map
    assert "/gap-map/cell?row=supervision&amp;column=sexual-reoffending" in found.html


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/topics/stage/supervision", "Supervision"),
        ("/topics/prevention-level/tertiary", "Tertiary (after an offence)"),
        ("/topics/country/DE", "Germany"),
    ],
)
def test_every_kind_of_theme_has_a_page(client, world, url, heading):
    found = page(client, url)

    assert f"<h1>{heading}</h1>" in found.html
    assert "P1 Circles" in section(found, "what-works")
    assert "Studies per domain (rows) and outcome (columns)" in found.text


def test_a_country_theme_lists_its_research(client, world):
    found = page(client, "/topics/country/DE")

    assert "R1 Trial" in section(found, "newest-research")
    assert "/research?country=DE" in found.html
    assert "P4 Helpline" in section(found, "newest-practices")


def test_a_stage_theme_lists_the_research_linked_to_its_practices(client, world):
    research = section(page(client, "/topics/stage/supervision"), "newest-research")

    assert "R1 Trial" in research and "R3 Other field" not in research


def test_a_lower_case_country_code_redirects(client):
    response = client.get("/topics/country/de")

    assert response.status_code == 301
    assert response.headers["Location"].endswith("/topics/country/DE")


@pytest.mark.parametrize(
    "url",
    ["/topics/planet/earth", "/topics/domain/astrology", "/topics/country/XX", "/topics/stage/"],
)
def test_unknown_themes_are_not_found(client, url):
    assert client.get(url).status_code == 404


def test_an_empty_theme_says_so(client):
    found = page(client, "/topics/domain/education")

    assert "No published practice example yet." in found.text
    assert "No open research need you may read." in found.text


def test_the_index_links_every_theme_with_its_count(client, world):
    found = page(client, "/topics")

    assert 'href="/topics/domain/treatment"' in found.html
    assert 'href="/topics/prevention-level/primary"' in found.html
    assert 'href="/topics/stage/arrest"' in found.html
    assert 'href="/topics/country/DE"' in found.html
    assert 'href="/topics/country/FR"' not in found.html  # no practice there
    assert "Treatment (2 practice examples" in found.text


def test_the_home_page_domains_link_to_their_themes(client):
    html = client.get("/").get_data(as_text=True)

    assert 'href="/topics/domain/prevention"' in html
    assert 'href="/topics"' in html
