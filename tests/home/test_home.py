"""The home page: for visitors the newest and best-rated practices, recent research, open
research needs and the domains; for members also their themes' news, unread notifications,
drafts and items waiting. Nobody sees there what they may not open, and the page's work
does not grow with the number of items."""

import pytest

from kx.accounts.models import User
from kx.evidence import services as evidence
from kx.extensions import db
from kx.forum import services as forum
from kx.practice.services import get_practice
from kx.research.services import get_research
from tests.support.browser import Html
from tests.support.database import page_statements
from tests.support.practice import add_practice, add_research
from tests.support.search import save_theme


def _link(app, user, practice_id, research_id):
    with app.app_context():
        actor = db.session.get(User, user.id)
        evidence.link_evidence(
            actor,
            get_practice(practice_id, actor),
            get_research(research_id, actor),
            "evaluates",
            "",
            [{"outcome": "sexual-reoffending", "direction": "positive"}],
        )


def _need(app, user, title, category="prevention"):
    with app.app_context():
        author = db.session.get(User, user.id)
        return forum.create_thread(
            author, category=category, kind="research-need", title=title, body="Who has data?"
        ).id


def _published(app, people, title, **fields):
    return add_practice(
        app, people.author, title=title, submit=True, approve_by=people.moderator, **fields
    )


def _section(page: Html, element_id: str) -> str:
    return page.text_of(element_id) if page.has_id(element_id) else ""


@pytest.fixture
def corpus(app, people):
    """Public, members-only and restricted practices, each backed by a trial of its own
    audience; a public practice backed only by a members-only trial; research and needs."""
    with app.app_context():
        forum.set_category_visibility(
            db.session.get(User, people.moderator.id), "prevention", "public"
        )
    made = {}
    for name, fields in {
        "Public helpline": {"visibility": "public"},
        "Members-only clinic": {"visibility": "members"},
        "Police-only programme": {
            "visibility": "restricted",
            "restricted_sectors": ["law-enforcement"],
        },
    }.items():
        practice_id = _published(app, people, name, **fields)
        trial = add_research(
            app, people.moderator, title=f"Trial of {name}", study_design="rct", **fields
        )
        _link(app, people.moderator, practice_id, trial)
        made[name] = practice_id
    hidden_backing = _published(app, people, "Public, backed in private")
    secret = add_research(
        app,
        people.moderator,
        title="A members-only trial",
        study_design="rct",
        visibility="members",
    )
    _link(app, people.moderator, hidden_backing, secret)
    made["needs"] = (
        _need(app, people.author, "Public need: reoffending data"),
        _need(app, people.author, "Members need: court data", category="cross-disciplinary"),
    )
    return made


def test_a_visitor_is_led_to_practices_research_needs_and_domains(app, people, corpus):
    page = Html(people.anonymous_client.get("/"))

    assert page.status == 200
    assert "Public helpline" in _section(page, "home-best")
    assert "Promising" in _section(page, "home-best")
    assert "Public helpline" in _section(page, "home-newest")
    assert "Added to kx" in _section(page, "home-newest")
    assert "Trial of Public helpline" in _section(page, "home-research")
    assert "Public need: reoffending data" in _section(page, "home-needs")
    assert f"/forum/threads/{corpus['needs'][0]}" in page.links()
    assert "/topics/domain/prevention" in page.links()
    assert "For you" not in page.text


def test_a_visitor_never_sees_members_only_or_restricted_items(app, people, corpus):
    page = Html(people.anonymous_client.get("/"))

    for hidden in (
        "Members-only clinic",
        "Police-only programme",
        "A members-only trial",
        "Trial of Members-only clinic",
        "Members need: court data",
    ):
        assert hidden not in page.text, hidden
    # rated only from what the visitor may see: its one trial is for members
    assert "Public, backed in private" not in _section(page, "home-best")
    assert "Public, backed in private" in _section(page, "home-newest")


def test_another_sector_never_sees_a_restricted_item(app, people, corpus):
    treatment = Html(people.other_client.get("/"))
    police = Html(people.author_client.get("/"))

    assert "Police-only programme" not in treatment.text
    assert "Members-only clinic" in _section(treatment, "home-best")
    assert "Public, backed in private" in _section(treatment, "home-best")
    assert "Members need: court data" in _section(treatment, "home-needs")
    assert "Police-only programme" in _section(police, "home-best")


def test_a_member_sees_drafts_waiting_items_and_unread_notifications(app, people):
    add_practice(app, people.author, title="My unfinished draft", submit=False)
    add_practice(app, people.author, title="My submission", submit=True)
    _published(app, people, "My approved example")  # the approval notifies the author
    add_practice(app, people.other, title="Someone else's draft", submit=False)

    page = Html(people.author_client.get("/"))

    assert "My unfinished draft" in _section(page, "home-drafts")
    assert "Someone else's draft" not in page.text
    assert "My submission" in _section(page, "home-pending")
    assert "My approved example" in _section(page, "home-notifications")
    assert "Unread notifications (1)" in page.text
    assert "Review queue" not in page.text


def test_a_moderator_is_told_how_many_submissions_wait(app, people):
    add_practice(app, people.author, title="Waiting one", submit=True)

    page = Html(people.moderator_client.get("/"))

    assert "1 submission waiting" in page.text
    assert "/review" in page.links()


def test_a_member_sees_what_is_new_in_their_themes(app, people):
    theme_id, _feed = save_theme(people.author_client, name="Helplines", q="helpline")
    _published(app, people, "A new helpline for worried adults")

    page = Html(people.author_client.get("/"))

    assert "Helplines" in _section(page, "home-themes")
    assert "1 new item" in _section(page, "home-themes")
    assert f"/themes/{theme_id}" in page.links()


def _statements(app, client) -> list[str]:
    return page_statements(app, client, "/")


def test_the_page_reads_a_bounded_number_of_rows(app, people, corpus):
    client = people.author_client
    client.get("/")  # sessions and caches warmed
    # each measured view is the first after a change: the reader's evidence catches up
    add_practice(app, people.moderator, title="Practice number 0", submit=True)
    few = _statements(app, client)
    for n in range(1, 41):  # a moderator's own submissions publish at once, telling nobody
        add_practice(app, people.moderator, title=f"Practice number {n}", submit=True)
    many = _statements(app, client)

    page = Html(client.get("/"))
    assert len(few) == len(many), [s for s in many if s not in few]
    assert _section(page, "home-newest").count("Added to kx") == 5
