"""A signed-out visitor following a link to members-only content: one page offering to sign
in and come back, the same whether the item exists or not; after signing in the usual
rules apply."""

import re

import pytest

from kx.accounts.models import User
from kx.extensions import db
from kx.forum import services as forum
from tests.support.browser import Html, submit
from tests.support.practice import add_practice, add_research

pytestmark = pytest.mark.usefixtures("_index_later")

UNKNOWN_ID = 987654


def _members_thread(app, user) -> int:
    """A thread in a category that is for members only (the default)."""
    with app.app_context():
        author = db.session.get(User, user.id)
        thread = forum.create_thread(
            author,
            category="cross-disciplinary",
            kind="discussion",
            title="Sharing risk",
            body="How do you share risk information?",
        )
        return thread.id


def _body(response, path: str) -> str:
    """The page with its own address blanked (the sign-in link returns there)."""
    return response.get_data(as_text=True).replace(f"next={path}", "next=PATH")


@pytest.fixture
def members_only(app, people):
    """Address patterns and the id of an existing item only members may see, per kind."""
    practice = add_practice(
        app, people.author, visibility="members", submit=True, approve_by=people.moderator
    )
    research = add_research(app, people.moderator, visibility="members")
    restricted = add_practice(
        app,
        people.author,
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
        submit=True,
        approve_by=people.moderator,
    )
    return {
        "/practices/{}": practice,
        "/research/{}": research,
        "/forum/threads/{}": _members_thread(app, people.author),
        "/practices/{}#restricted": restricted,
    }


def test_an_existing_members_only_item_and_a_missing_one_look_the_same(members_only, people):
    client = people.anonymous_client
    for pattern, item_id in members_only.items():
        path = pattern.split("#")[0]
        existing = client.get(path.format(item_id))
        missing = client.get(path.format(UNKNOWN_ID))

        assert existing.status_code == missing.status_code == 404, pattern
        assert _body(existing, path.format(item_id)) == _body(missing, path.format(UNKNOWN_ID)), (
            pattern
        )
        page = Html(existing)
        assert "Some content needs signing in" in page.text
        assert f"/login?next={path.format(item_id)}" in page.links()


def test_signing_in_from_the_offer_returns_to_the_item(app, members_only, people, browser):
    client = browser(None)
    path = f"/practices/{members_only['/practices/{}']}"
    page = Html(client.get(path))
    sign_in = next(link for link in page.links() if link.startswith("/login?next="))

    response = submit(
        client,
        sign_in,
        {"email": people.other.email, "password": people.other.password},
    )

    assert response.status_code == 302
    assert response.location == path
    assert client.get(path).status_code == 200


def test_after_signing_in_the_usual_rules_apply(members_only, people):
    client = people.other_client  # the treatment sector: not among the restricted sectors
    restricted = client.get(f"/practices/{members_only['/practices/{}#restricted']}")
    missing = client.get(f"/practices/{UNKNOWN_ID}")

    for response in (restricted, missing):
        assert response.status_code == 404
        assert "Some content needs signing in" not in response.get_data(as_text=True)
        assert "No such practice example." in response.get_data(as_text=True)


def test_the_api_keeps_its_json_errors(members_only, people):
    response = people.anonymous_client.get(f"/api/v1/practices/{members_only['/practices/{}']}")

    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_a_public_item_is_shown_to_visitors(app, people):
    public = add_practice(app, people.author, submit=True, approve_by=people.moderator)

    response = people.anonymous_client.get(f"/practices/{public}")

    assert response.status_code == 200
    assert re.search(r"Some content needs signing in", response.get_data(as_text=True)) is None
