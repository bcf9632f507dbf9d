"""Deleting an account erases its personal data and keeps only what published content needs,
shown as by a "Former member"."""

from sqlalchemy import func, select

from kx.accounts.models import ApiToken, AuditEvent, SectorChangeRequest, User
from kx.extensions import db
from kx.forum.models import Follow, Post, PostRevision
from kx.notifications.models import Notification
from kx.practice.models import Practice
from kx.records.models import Revision
from kx.research.models import Research
from kx.search.models import SavedSearch
from tests.support.browser import Page, submit


def post(client, url, headers, expect=201, **body):
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def practice(client, headers, title, **fields):
    return post(client, "/api/v1/practices", headers, title=title, domains=["prevention"], **fields)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_deleting_an_account_leaves_only_what_published_content_needs(
    app, client, make_user, login, api_token
):
    moderator = make_user(role="moderator", sector="policy")
    mod = api_token(moderator)
    newcomer = make_user(verified=False, sector="ngo", country="DE", display_name="Dana Doe")
    verifier = app.test_client()
    login(verifier, moderator)
    submit(verifier, f"/admin/users/{newcomer.id}/verify", form_page="/admin/verification")
    login(client, newcomer)
    own = api_token(newcomer)

    # what they published, and what they never did
    published = practice(client, own, "Published helpline", submit=True, anonymised_confirmed=True)
    post(client, f"/api/v1/review/practice/{published['id']}", mod, 200, decision="approve")
    draft = practice(client, own, "Draft with my notes")
    pending = practice(client, own, "Pending example", submit=True, anonymised_confirmed=True)
    rejected = practice(client, own, "Rejected example", submit=True, anonymised_confirmed=True)
    post(client, f"/api/v1/review/practice/{rejected['id']}", mod, 200, decision="reject",
         reason="Too identifying.")  # fmt: skip
    research_draft = post(
        client, "/api/v1/research", own, title="My unfinished summary", domains=["treatment"]
    )
    # the forum: a thread (followed), a kept post, an edited then deleted post, a follow
    thread = post(
        client,
        "/api/v1/forum/threads",
        own,
        category="prevention",
        kind="discussion",
        title="Helplines across borders",
        body="How do your helplines work?",
    )
    kept = post(client, f"/api/v1/forum/threads/{thread['id']}/posts", own, body="Kept reply.")
    gone = post(client, f"/api/v1/forum/threads/{thread['id']}/posts", own, body="First text.")
    response = client.patch(
        f"/api/v1/forum/posts/{gone['id']}", json={"body": "Second text."}, headers=own
    )
    assert response.status_code == 200, response.get_json()
    assert client.delete(f"/api/v1/forum/posts/{gone['id']}", headers=own).status_code == 204
    submit(client, "/forum/follow", {"target_type": "domain", "target": "treatment"}, "/forum")
    post(client, f"/api/v1/forum/threads/{thread['id']}/posts", mod, body="A reply to you.")
    # a theme and a sector change waiting for a moderator
    submit(client, "/themes", {"q": "helpline", "name": "Helplines"}, form_page="/search?q=x")
    submit(client, "/account", {"display_name": "Dana Doe", "sector": "treatment", "country": "DE"})

    with app.app_context():
        user = db.session.get(User, newcomer.id)
        assert user.last_login_at and user.verified_by_id == moderator.id
        assert count(Follow, Follow.user_id == newcomer.id) == 2  # the thread and the domain
        # verified, approved, sent back, and a reply to their thread
        assert count(Notification, Notification.user_id == newcomer.id) == 4
        assert count(SavedSearch, SavedSearch.user_id == newcomer.id) == 1
        assert count(SectorChangeRequest, SectorChangeRequest.user_id == newcomer.id) == 1
        assert count(PostRevision, PostRevision.post_id == gone["id"]) == 2

    response = submit(client, "/account/delete", {"password": newcomer.password, "confirm": "y"})
    assert response.status_code == 302

    with app.app_context():
        user = db.session.get(User, newcomer.id)
        assert (user.sector, user.country, user.role) == (None, None, "member")
        assert (user.created_at, user.last_login_at, user.verified_at) == (None, None, None)
        assert user.verified_by_id is None
        assert user.deleted_at is not None
        assert count(Follow, Follow.user_id == newcomer.id) == 0
        assert count(Notification, Notification.user_id == newcomer.id) == 0
        assert count(SavedSearch, SavedSearch.user_id == newcomer.id) == 0
        assert count(SectorChangeRequest, SectorChangeRequest.user_id == newcomer.id) == 0
        assert count(ApiToken, ApiToken.user_id == newcomer.id) == 0
        assert count(Practice, Practice.author_id == newcomer.id) == 1  # the published one
        for item in (draft, pending, rejected):
            assert db.session.get(Practice, item["id"]) is None
            assert (
                count(Revision, Revision.item_type == "practice", Revision.item_id == item["id"])
                == 0
            )
        assert db.session.get(Research, research_draft["id"]) is None
        assert count(Revision, Revision.item_type == "research") == 0
        assert count(PostRevision, PostRevision.post_id == gone["id"]) == 0
        assert db.session.get(Post, kept["id"]).body == "Kept reply."
        details = [
            e.details
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "user.sector_request")
            )
        ]
        assert details and all("treatment" not in str(d) and "ngo" not in str(d) for d in details)

    # published content stays, by a "Former member" with no sector, on pages and in the API
    reader = app.test_client()
    item = reader.get(f"/api/v1/practices/{published['id']}").get_json()
    assert item["author"] == {"id": newcomer.id, "display_name": "Former member", "sector": None}
    page = Page(reader.get(f"/practices/{published['id']}"))
    assert "Former member" in page.text
    assert "Dana Doe" not in page.text
    staff = api_token(moderator)
    posts = client.get(f"/api/v1/forum/threads/{thread['id']}", headers=staff).get_json()["posts"]
    authors = {p["id"]: p["author"] for p in posts}
    assert authors[kept["id"]] == {
        "id": newcomer.id,
        "display_name": "Former member",
        "sector": None,
    }
    thread_json = client.get(f"/api/v1/forum/threads/{thread['id']}", headers=staff).get_json()
    assert thread_json["author"]["sector"] is None


def test_a_deletion_that_fails_erases_nothing(app, client, make_user, login, api_token):
    member = make_user(sector="ngo")
    login(client, member)
    draft = practice(client, api_token(member), "My draft")

    response = submit(client, "/account/delete", {"password": "not my password", "confirm": "y"})

    assert response.status_code == 422
    with app.app_context():
        user = db.session.get(User, member.id)
        assert (user.sector, user.country) == ("ngo", "GB")
        assert user.created_at is not None
        assert db.session.get(Practice, draft["id"]) is not None
