"""The forum's rules are asked the same way everywhere: the templates' ``may`` global, the
API (which sees a visitor as the same anonymous user as the pages) and the posting budget
that the forms and the API share."""

from types import SimpleNamespace

from flask_login import login_user

from kx.accounts.models import AnonymousUser, User
from kx.api.core import api_user
from kx.extensions import db
from kx.forum import rules
from kx.templating import may
from tests.support.forum import send


def test_a_bearer_token_and_the_browser_share_one_posting_budget(
    forum, people, api_token, browser_for
):
    thread_id, _ = forum.thread()
    client = forum.app.test_client()
    headers = api_token(people.other)
    for n in range(9):
        response = client.post(
            f"/api/v1/forum/threads/{thread_id}/posts", json={"body": f"Post {n}"}, headers=headers
        )
        assert response.status_code == 201, response.get_json()
    browser = browser_for("other")
    assert send(browser, f"/forum/threads/{thread_id}/reply", {"body": "Tenth"}).status_code == 302
    assert (
        send(browser, f"/forum/threads/{thread_id}/reply", {"body": "Too many"}).status_code == 429
    )
    response = client.post(
        f"/api/v1/forum/threads/{thread_id}/posts", json={"body": "Too many"}, headers=headers
    )
    assert response.status_code == 429


def test_the_api_sees_a_visitor_as_the_anonymous_user(app):
    with app.test_request_context("/api/v1/forum/categories"):
        viewer = api_user()
        assert isinstance(viewer, AnonymousUser)
        assert not rules.can_post(viewer) and not rules.can_moderate(viewer)


def test_templates_ask_the_same_rules(app, people):
    post = SimpleNamespace(author_id=people.author.id, event="", deleted_at=None, hidden=False)
    with app.test_request_context("/forum"):
        assert not may("post") and not may("edit_post", post) and not may("report_post", post)
        for name, (edit, report) in {
            "author": (True, False),
            "other": (False, True),
            "moderator": (True, True),
        }.items():
            user = db.session.get(User, getattr(people, name).id)
            login_user(user)
            assert (may("edit_post", post), may("report_post", post)) == (edit, report), name
            assert may("moderate_forum") == (name == "moderator") == rules.can_moderate(user)
