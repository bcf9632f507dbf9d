"""The record kinds declared once: each kind's URL is its page, its lookup hides what the
viewer may not see, and the API and the review queue link to the kind's URL."""

from types import SimpleNamespace

import pytest

from kx.accounts.models import AnonymousUser, User
from kx.errors import NotFound
from kx.extensions import db
from kx.forum import services as forum_services
from kx.kinds import KINDS, PRACTICE, RESEARCH, THREAD, url_of
from tests.support.browser import Html
from tests.support.practice import add_practice, add_research


@pytest.fixture
def items(app, make_user):
    """A published practice, a published summary, a thread in a public category, a pending
    practice and a thread in a members-only category; with the moderator and author."""
    moderator = make_user(role="moderator", sector="policy")
    author = make_user()
    practice = add_practice(app, author, approve_by=moderator, submit=True, title="Open triage")
    pending = add_practice(app, author, submit=True, title="Waiting triage")
    research = add_research(app, moderator, title="Published helpline study")
    with app.app_context():
        forum_services.set_category_visibility(
            db.session.get(User, moderator.id), "cross-disciplinary", "public"
        )
        writer = db.session.get(User, author.id)
        thread = forum_services.create_thread(
            writer, category="cross-disciplinary", kind="discussion", title="Open talk", body="Hi"
        ).id
        hidden = forum_services.create_thread(
            writer, category="prevention", kind="discussion", title="Members talk", body="Hi"
        ).id
    return SimpleNamespace(
        moderator=moderator,
        author=author,
        practice=practice,
        research=research,
        thread=thread,
        pending=pending,
        hidden=hidden,
    )


def _token(app, user) -> dict:
    from kx.accounts import services as accounts

    with app.app_context():
        _row, raw = accounts.create_token(db.session.get(User, user.id))
    return {"Authorization": f"Bearer {raw}"}


def test_every_kind_is_declared_under_its_slug():
    assert set(KINDS) == {"practice", "research", "thread"}
    for slug, kind in KINDS.items():
        assert kind.item_type == slug == kind.model.item_type
        assert kind.singular and kind.plural


@pytest.mark.parametrize(
    "kind, name, title",
    [(PRACTICE, "practice", "Open triage"), (RESEARCH, "research", "Published helpline study")],
)
def test_each_kinds_url_is_its_page(app, client, items, kind, name, title):
    item_id = getattr(items, name)
    with app.test_request_context():
        item = kind.get(item_id, AnonymousUser())
        url = kind.url(item)
        assert url == url_of(item) == kind.url(item_id)
        api_url = kind.api_url(item)
        assert api_url.startswith("/api/v1/")
    page = Html(client.get(url))
    assert page.status == 200
    assert title in page.text
    assert client.get(api_url).get_json()["id"] == item_id


def test_a_threads_url_is_its_page(app, client, items):
    with app.test_request_context():
        thread = THREAD.get(items.thread, AnonymousUser())
        url = url_of(thread)
        assert url == f"/forum/threads/{items.thread}"
        api_url = THREAD.api_url(thread)
    assert "Open talk" in Html(client.get(url)).text
    assert client.get(api_url).get_json()["url"] == url


@pytest.mark.parametrize(
    "kind, name", [(PRACTICE, "pending"), (THREAD, "hidden"), (RESEARCH, "missing")]
)
def test_an_invisible_item_is_not_found_through_its_kind(app, items, kind, name):
    item_id = getattr(items, name, 999_999)
    with app.test_request_context():
        with pytest.raises(NotFound):
            kind.get(item_id, AnonymousUser())
        visible = {row.id for row in db.session.scalars(kind.query(AnonymousUser()))}
        assert item_id not in visible


def test_the_list_query_holds_what_the_viewer_may_see(app, items):
    with app.test_request_context():
        author = db.session.get(User, items.author.id)
        mine = {row.id for row in db.session.scalars(PRACTICE.query(author, {"author": "me"}))}
        assert mine == {items.practice, items.pending}
        threads = {row.id for row in db.session.scalars(THREAD.query(AnonymousUser()))}
        assert threads == {items.thread}


def test_api_urls_are_the_kinds_urls(app, client, items):
    headers = _token(app, items.author)
    with app.test_request_context():
        practice_url, research_url = PRACTICE.url(items.practice), RESEARCH.url(items.research)
        linked = forum_services.create_thread(
            db.session.get(User, items.author.id),
            category="cross-disciplinary",
            kind="question",
            title="About both",
            body="Which works?",
            links=[
                {"type": "practice", "id": items.practice},
                {"type": "research", "id": items.research},
            ],
        ).id
    assert client.get(f"/api/v1/practices/{items.practice}").get_json()["url"] == practice_url
    assert client.get(f"/api/v1/research/{items.research}").get_json()["page_url"] == research_url
    thread = client.get(f"/api/v1/forum/threads/{linked}", headers=headers).get_json()
    assert {link["url"] for link in thread["links"]} == {practice_url, research_url}


def test_review_queue_links_are_the_kinds_urls(app, client, items, login):
    headers = _token(app, items.moderator)
    pending_research = add_research(app, items.author, title="Pending study")
    with app.test_request_context():
        expected = {
            ("practice", items.pending): (
                PRACTICE.url(items.pending),
                PRACTICE.api_url(items.pending),
            ),
            ("research", pending_research): (
                RESEARCH.url(pending_research),
                RESEARCH.api_url(pending_research),
            ),
        }
    queue = client.get("/api/v1/review", headers=headers).get_json()["items"]
    assert {(e["type"], e["id"]): (e["url"], e["api_url"]) for e in queue} == expected
    login(client, items.moderator)
    page = client.get("/review").get_data(as_text=True)
    for url, _api_url in expected.values():
        assert f'href="{url}"' in page


def test_each_kinds_export_is_in_the_personal_data_export(app, items):
    from kx.accounts import services as accounts

    with app.app_context():
        author = db.session.get(User, items.author.id)
        exported = accounts.export_user_data(author)
        for kind in KINDS.values():
            assert exported[kind.export_key] == kind.export(author)
    assert {p["id"] for p in exported["practice_examples"]} == {items.practice, items.pending}


@pytest.mark.parametrize("kind, name", [(PRACTICE, "practice"), (RESEARCH, "research")])
def test_each_kinds_page_offers_its_editor_the_same_actions(app, client, items, login, kind, name):
    item_id = getattr(items, name)
    with app.test_request_context():
        actions = {
            kind.edit_url(item_id),
            kind.action_url("delete", item_id),
            f"/{kind.segment}/{item_id}/revisions",
        }
        archive = kind.action_url("archive", item_id)
        url = kind.url(item_id)
    anonymous = Html(client.get(url))
    assert not actions & set(anonymous.links()) and archive not in anonymous.forms()
    login(client, items.moderator)
    page = Html(client.get(url))
    assert actions <= set(page.links()) and archive in page.forms()
    assert page.has_id("record-title") and page.has_id("tools-heading")


@pytest.mark.parametrize("kind", [PRACTICE, RESEARCH])
def test_a_moderator_reviews_a_pending_item_from_its_page(app, client, items, login, kind):
    if kind is PRACTICE:
        item_id = items.pending
    else:
        item_id = add_research(app, items.author, title="Pending study")
    with app.test_request_context():
        url = kind.url(item_id)
    login(client, items.moderator)
    page = Html(client.get(url))
    assert f"/review/{kind.item_type}/{item_id}" in " ".join(page.forms())
    assert "Approve and publish" in page.text
