"""``/api/v1/review``: the moderators' queue and their decisions, and who else is refused."""

import pytest
from sqlalchemy import select

from kx.audit import AuditEvent
from kx.extensions import db
from tests.support.api import assert_json_error, new_practice, new_research

QUEUE_KEYS = {
    "type",
    "kind",
    "id",
    "title",
    "author",
    "visibility",
    "submitted_at",
    "updated_at",
    "identifier_warnings",
    "changes",
    "doi_clashes",
    "url",
    "api_url",
}


@pytest.fixture
def pending(client, people):
    """A pending practice (with an identifier in it), a pending summary, and a draft."""
    return {
        "practice": new_practice(
            client,
            people.author,
            title="Pending practice",
            body="Referrals go to referrals@example.org.",
            submit=True,
            anonymised_confirmed=True,
        )["id"],
        "research": new_research(client, people.author, title="Pending study", submit=True)["id"],
        "draft": new_practice(client, people.author, title="Still a draft")["id"],
    }


def test_moderators_see_the_pending_queue_with_the_anonymisation_findings(client, people, pending):
    response = client.get("/api/v1/review", headers=people.moderator.headers)

    assert response.status_code == 200
    queue = response.get_json()
    assert queue["total"] == 2 and queue["page"] == 1
    assert [(i["type"], i["id"]) for i in queue["items"]] == [
        ("practice", pending["practice"]),
        ("research", pending["research"]),
    ]
    practice = queue["items"][0]
    assert set(practice) == QUEUE_KEYS
    assert practice["url"] == f"/practices/{pending['practice']}"
    assert practice["api_url"] == f"/api/v1/practices/{pending['practice']}"
    assert practice["author"]["id"] == people.author.id
    assert [w["kind"] for w in practice["identifier_warnings"]] == ["email"]
    assert (practice["kind"], practice["changes"], practice["doi_clashes"]) == (
        "submission",
        [],
        [],
    )
    assert queue["items"][1]["url"] == f"/research/{pending['research']}"

    only = client.get("/api/v1/review?type=research", headers=people.moderator.headers).get_json()
    assert [i["id"] for i in only["items"]] == [pending["research"]]
    paged = client.get("/api/v1/review?per_page=1&page=2", headers=people.moderator.headers)
    assert [i["id"] for i in paged.get_json()["items"]] == [pending["research"]]
    assert_json_error(
        client.get("/api/v1/review?type=thread", headers=people.moderator.headers), 422
    )


def test_the_queue_is_for_moderators_only(client, people, pending):
    assert_json_error(client.get("/api/v1/review"), 401)
    for who in (people.author, people.colleague, people.unverified):
        assert_json_error(client.get("/api/v1/review", headers=who.headers), 403)


@pytest.mark.parametrize("kind", ["practice", "research"])
def test_approving_publishes_and_is_audited(client, app, people, pending, kind):
    item_id = pending[kind]
    segment = "practices" if kind == "practice" else "research"
    assert_json_error(client.get(f"/api/v1/{segment}/{item_id}"), 404)

    response = client.post(
        f"/api/v1/review/{kind}/{item_id}",
        json={"decision": "approve"},
        headers=people.moderator.headers,
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "type": kind,
        "id": item_id,
        "status": "published",
        "review_note": "",
        "url": f"/{segment}/{item_id}",
    }
    public = client.get(f"/api/v1/{segment}/{item_id}").get_json()
    assert public["status"] == "published" and public["published_at"]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (event.action, event.target_id, event.actor_id) == (
            f"{kind}.approve",
            item_id,
            people.moderator.id,
        )
    assert client.get("/api/v1/review", headers=people.moderator.headers).get_json()["total"] == 1


def test_rejecting_needs_a_reason_which_the_author_then_sees(client, people, pending):
    url = f"/api/v1/review/practice/{pending['practice']}"

    no_reason = client.post(url, json={"decision": "reject"}, headers=people.moderator.headers)
    assert "reason" in assert_json_error(no_reason, 422)["fields"]
    blank = client.post(
        url, json={"decision": "reject", "reason": "   "}, headers=people.moderator.headers
    )
    assert_json_error(blank, 422)

    response = client.post(
        url,
        json={"decision": "reject", "reason": "Please remove the e-mail address."},
        headers=people.moderator.headers,
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    item = client.get(
        f"/api/v1/practices/{pending['practice']}", headers=people.author.headers
    ).get_json()
    assert item["status"] == "rejected"
    assert item["review_note"] == "Please remove the e-mail address."
    assert_json_error(
        client.get(f"/api/v1/practices/{pending['practice']}", headers=people.colleague.headers),
        404,
    )


def test_only_pending_items_can_be_decided(client, people, pending):
    draft = client.post(
        f"/api/v1/review/practice/{pending['draft']}",
        json={"decision": "approve"},
        headers=people.moderator.headers,
    )
    assert_json_error(draft, 422)

    url = f"/api/v1/review/research/{pending['research']}"
    first = client.post(url, json={"decision": "approve"}, headers=people.moderator.headers)
    assert first.status_code == 200
    again = client.post(url, json={"decision": "approve"}, headers=people.moderator.headers)
    assert_json_error(again, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "maybe"},
        {},
        {"decision": "approve", "status": "published"},
        {"decision": "reject", "reason": "x" * 2001},
        {"decision": True},
    ],
)
def test_invalid_decisions_get_422(client, people, pending, body):
    response = client.post(
        f"/api/v1/review/practice/{pending['practice']}",
        json=body,
        headers=people.moderator.headers,
    )

    assert_json_error(response, 422, fields=True)


def test_unknown_items_and_kinds_are_404(client, people, pending):
    body = {"decision": "approve"}
    h = people.moderator.headers
    assert_json_error(client.post("/api/v1/review/practice/999999", json=body, headers=h), 404)
    assert_json_error(client.post("/api/v1/review/research/999999", json=body, headers=h), 404)
    assert_json_error(
        client.post(f"/api/v1/review/thread/{pending['practice']}", json=body, headers=h), 404
    )


def test_members_cannot_decide_not_even_on_their_own_items(client, people, pending):
    for who, status in [
        (people.anonymous, 401),
        (people.author, 403),
        (people.colleague, 403),
        (people.unverified, 403),
    ]:
        for kind in ("practice", "research"):
            response = client.post(
                f"/api/v1/review/{kind}/{pending[kind]}",
                json={"decision": "approve"},
                headers=who.headers,
            )
            assert_json_error(response, status)
    item = client.get(
        f"/api/v1/practices/{pending['practice']}", headers=people.author.headers
    ).get_json()
    assert item["status"] == "pending"
