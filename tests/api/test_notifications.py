"""``/api/v1/notifications`` and ``/api/v1/notification-preferences``."""

from kx.accounts.models import User
from kx.extensions import db
from kx.forum import moderation
from kx.forum import services as forum


def _replies(app, people) -> None:
    """Two threads of the author's with a reply each; the second is then deleted."""
    with app.app_context():
        author = db.session.get(User, people.author.id)
        other = db.session.get(User, people.academic.id)
        threads = [
            forum.create_thread(
                author, category="cross-disciplinary", kind="discussion", title=title, body="?"
            )
            for title in ("Kept", "Deleted")
        ]
        for thread in threads:
            forum.reply(other, thread, "An answer.")
        moderator = db.session.get(User, people.moderator.id)
        moderation.moderate_thread(moderator, threads[1], "delete")


def test_list_and_mark_read_only_what_the_caller_may_see(app, client, people):
    _replies(app, people)
    headers = people.author.headers
    listed = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert item["kind"] == "reply" and item["read"] is False
    assert item["url"].startswith("/forum/posts/") and "replied in “Kept”" in item["text"]
    # someone else's ids change nothing
    other = client.post(
        "/api/v1/notifications/read", json={"ids": [item["id"]]}, headers=people.academic.headers
    )
    assert other.status_code == 204
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["total"] == 1
    marked = client.post("/api/v1/notifications/read", json={"ids": [item["id"]]}, headers=headers)
    assert marked.status_code == 204
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["total"] == 0
    everything = client.get("/api/v1/notifications", headers=headers).get_json()
    assert everything["total"] == 1 and everything["items"][0]["read"] is True
    assert (
        client.post("/api/v1/notifications/read", json={"all": True}, headers=headers).status_code
        == 204
    )
    for body in ({"ids": ["x"]}, {"all": 1}, {"all": True, "extra": 1}):
        response = client.post("/api/v1/notifications/read", json=body, headers=headers)
        assert response.status_code == 422, body
    assert client.get("/api/v1/notifications?unread=maybe", headers=headers).status_code == 422
    assert client.get("/api/v1/notifications").status_code == 401


def test_preferences_read_and_change_per_topic(client, people):
    headers = people.author.headers
    defaults = client.get("/api/v1/notification-preferences", headers=headers).get_json()
    assert defaults["decisions"] == "immediately" and defaults["account"] == "immediately"
    assert defaults["replies"] == "daily"
    changed = client.put(
        "/api/v1/notification-preferences", json={"replies": "weekly"}, headers=headers
    ).get_json()
    assert changed == {**defaults, "replies": "weekly"}
    for body, field in (({"replies": "hourly"}, "replies"), ({"gossip": "off"}, "gossip")):
        response = client.put("/api/v1/notification-preferences", json=body, headers=headers)
        assert response.status_code == 422
        assert field in response.get_json()["error"]["fields"]
    other = client.get("/api/v1/notification-preferences", headers=people.academic.headers)
    assert other.get_json()["replies"] == "daily"
