"""``/api/v1/forum``: categories, threads, posts, reports and votes through the API, as each
kind of caller sees them (author, other member, unverified member, moderator, anonymous).

The cast writes through the API itself; category visibility, locking and practice
examples are set up through the services, as a moderator's actions would be.
"""

import re
from types import SimpleNamespace

import pytest

from kx.accounts.models import User
from kx.extensions import db
from kx.forum import moderation, services
from kx.forum.models import Thread
from kx.practice.services import save_practice
from tests.support.api import assert_json_error
from tests.support.forum import vote_cast_meanwhile

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
THREAD_KEYS = {
    "id",
    "category",
    "kind",
    "title",
    "status",
    "locked",
    "pinned",
    "author",
    "created_at",
    "links",
    "url",
}
POST_KEYS = {
    "id",
    "body",
    "body_html",
    "author",
    "created_at",
    "edited_at",
    "hidden",
    "deleted",
    "quote_of",
    "event",
}
PUBLIC = "cross-disciplinary"
MEMBERS = "treatment"


@pytest.fixture
def people(app, make_user, issue_token):
    """Bearer headers for: the author (law enforcement), another member (treatment), an
    academic, an unverified member, a moderator; ``anonymous`` sends no token. The
    cross-disciplinary category is public; the others stay members-only."""

    def person(**kwargs):
        user = make_user(**kwargs)
        return SimpleNamespace(id=user.id, headers=issue_token(user))

    cast = SimpleNamespace(
        author=person(sector="law-enforcement"),
        other=person(sector="treatment"),
        academic=person(sector="academic"),
        unverified=person(verified=False, sector="ngo"),
        moderator=person(role="moderator", sector="policy"),
        anonymous=SimpleNamespace(id=None, headers={}),
    )
    with app.app_context():
        moderator = db.session.get(User, cast.moderator.id)
        services.set_category_visibility(moderator, PUBLIC, "public")
    return cast


def new_thread(client, who, expect: int = 201, **fields) -> dict:
    body = {
        "category": PUBLIC,
        "kind": "discussion",
        "title": "Referral pathways after an arrest",
        "body": "How do police and treatment services hand over after an arrest?",
    } | fields
    response = client.post("/api/v1/forum/threads", json=body, headers=who.headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def reply(client, who, thread_id: int, expect: int = 201, **fields) -> dict:
    body = {"body": "In our area a liaison officer calls the service the same day."} | fields
    response = client.post(
        f"/api/v1/forum/threads/{thread_id}/posts", json=body, headers=who.headers
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def read_thread(client, who, thread_id: int, expect: int = 200) -> dict:
    response = client.get(f"/api/v1/forum/threads/{thread_id}", headers=who.headers)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def post_ids(thread: dict) -> list[int]:
    return [post["id"] for post in thread["posts"]]


def as_user(app, person, fn):
    with app.app_context():
        return fn(db.session.get(User, person.id))


# --------------------------------------------------------------------------- categories


def test_categories_list_only_what_the_caller_may_read(client, people):
    response = client.get("/api/v1/forum/categories")
    assert response.status_code == 200
    body = response.get_json()
    assert body["items"] == [{"slug": PUBLIC, "name": "Cross-disciplinary", "visibility": "public"}]
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 1)

    unverified = client.get("/api/v1/forum/categories", headers=people.unverified.headers)
    assert [c["slug"] for c in unverified.get_json()["items"]] == [PUBLIC]

    member = client.get("/api/v1/forum/categories", headers=people.other.headers).get_json()
    slugs = [c["slug"] for c in member["items"]]
    assert member["total"] == 8 and PUBLIC in slugs and MEMBERS in slugs
    assert {c["visibility"] for c in member["items"] if c["slug"] != PUBLIC} == {"members"}

    page = client.get(
        "/api/v1/forum/categories?per_page=3&page=3", headers=people.other.headers
    ).get_json()
    assert [c["slug"] for c in page["items"]] == slugs[6:]
    assert page["total"] == 8


def test_categories_refuse_unknown_parameters(client):
    assert_json_error(client.get("/api/v1/forum/categories?visibility=public"), 422, fields=True)


# --------------------------------------------------------------------------- threads


def test_a_member_opens_a_thread_linked_to_a_practice(app, client, people):
    practice_id = as_user(
        app,
        people.moderator,
        lambda moderator: (
            save_practice(
                moderator,
                {
                    "title": "Same-day referral after arrest",
                    "domains": ["policing"],
                    "submit": True,
                    "anonymised_confirmed": True,
                },
            ).id
        ),
    )
    thread = new_thread(
        client,
        people.author,
        links=[{"type": "practice", "id": practice_id}, {"type": "practice", "id": practice_id}],
    )
    assert set(thread) == THREAD_KEYS
    assert thread["category"] == PUBLIC and thread["kind"] == "discussion"
    assert thread["status"] is None and not thread["locked"] and not thread["pinned"]
    assert thread["author"] == {
        "id": people.author.id,
        "display_name": thread["author"]["display_name"],
        "sector": "law-enforcement",
    }
    assert RFC3339_UTC.match(thread["created_at"])
    assert thread["url"] == f"/forum/threads/{thread['id']}"
    assert thread["links"] == [
        {
            "type": "practice",
            "id": practice_id,
            "title": "Same-day referral after arrest",
            "url": f"/practices/{practice_id}",
        }
    ]

    detail = read_thread(client, people.anonymous, thread["id"])
    assert set(detail) == THREAD_KEYS | {"posts", "votes", "claimed_by"}
    assert len(detail["posts"]) == 1
    first = detail["posts"][0]
    assert set(first) == POST_KEYS
    assert first["body"].startswith("How do police and treatment")
    assert first["body_html"].startswith("<p>How do police")
    assert first["edited_at"] is None and first["hidden"] is False
    assert RFC3339_UTC.match(first["created_at"])
    assert detail["votes"] is None and detail["claimed_by"] is None


def test_links_to_items_the_member_may_not_see_answer_404(app, client, people):
    restricted_id = as_user(
        app,
        people.author,
        lambda author: (
            save_practice(
                author,
                {
                    "title": "Triage for police only",
                    "domains": ["policing"],
                    "visibility": "restricted",
                    "restricted_sectors": ["law-enforcement"],
                    "submit": True,
                    "anonymised_confirmed": True,
                },
            ).id
        ),
    )
    links = [{"type": "practice", "id": restricted_id}]
    # still pending review: only the author and moderators see it
    assert_json_error(
        client.post(
            "/api/v1/forum/threads",
            json={"category": PUBLIC, "title": "T", "body": "B", "links": links},
            headers=people.other.headers,
        ),
        404,
    )
    missing = [{"type": "research", "id": 99999}]
    assert_json_error(
        client.post(
            "/api/v1/forum/threads",
            json={"category": PUBLIC, "title": "T", "body": "B", "links": missing},
            headers=people.author.headers,
        ),
        404,
    )
    # the author may link their own pending item; others reading the thread do not see it
    thread = new_thread(client, people.author, links=links)
    assert [link["id"] for link in thread["links"]] == [restricted_id]
    assert read_thread(client, people.other, thread["id"])["links"] == []
    with app.app_context():
        assert len(db.session.get(Thread, thread["id"]).links) == 1


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n  "}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"category": "gossip"}, "category"),
        ({"kind": "poll"}, "kind"),
        ({"links": [{"type": "page", "id": 1}]}, "links"),
        ({"links": [{"type": "practice", "id": "1"}]}, "links"),
        ({"pinned": True}, "pinned"),
    ],
)
def test_bad_threads_get_422_by_the_field(client, people, fields, bad):
    body = {"category": PUBLIC, "title": "A title", "body": "A body"} | fields
    response = client.post("/api/v1/forum/threads", json=body, headers=people.author.headers)
    error = assert_json_error(response, 422, fields=True)
    assert set(error["fields"]) == {bad}


def test_an_oversize_post_says_how_long_it_may_be(client, people):
    body = {"category": PUBLIC, "title": "A title", "body": "x" * 20_001}
    response = client.post("/api/v1/forum/threads", json=body, headers=people.author.headers)
    error = assert_json_error(response, 422, fields=True)
    assert "20,000" in error["fields"]["body"][0]


def test_title_category_and_body_are_required(client, people):
    response = client.post("/api/v1/forum/threads", json={}, headers=people.author.headers)
    error = assert_json_error(response, 422, fields=True)
    assert set(error["fields"]) == {"category", "title", "body"}


def test_who_may_open_threads(client, people):
    assert_json_error(
        client.post("/api/v1/forum/threads", json={"category": PUBLIC, "title": "T", "body": "B"}),
        401,
    )
    error = assert_json_error(
        client.post(
            "/api/v1/forum/threads",
            json={"category": PUBLIC, "title": "T", "body": "B"},
            headers=people.unverified.headers,
        ),
        403,
    )
    assert "verified" in error["message"]
    new_thread(client, people.moderator, category=MEMBERS)
    new_thread(client, people.academic, category="risk-assessment", kind="question")


def test_threads_in_members_only_categories_are_hidden_from_anonymous_and_unverified(
    client, people
):
    public = new_thread(client, people.author)
    members = new_thread(client, people.author, category=MEMBERS, title="Members only")
    for who in (people.anonymous, people.unverified):
        response = client.get("/api/v1/forum/threads", headers=who.headers)
        assert [t["id"] for t in response.get_json()["items"]] == [public["id"]]
        read_thread(client, who, members["id"], expect=404)
        assert_json_error(
            client.get(f"/api/v1/forum/threads?category={MEMBERS}", headers=who.headers), 404
        )
    listed = client.get("/api/v1/forum/threads", headers=people.other.headers).get_json()
    assert {t["id"] for t in listed["items"]} == {public["id"], members["id"]}
    assert read_thread(client, people.other, members["id"])["title"] == "Members only"


def test_thread_filters_sort_and_pages(client, people):
    discussion = new_thread(client, people.author)
    question = new_thread(client, people.author, kind="question", title="A question")
    need = new_thread(client, people.author, kind="research-need", category=MEMBERS, title="A need")
    assert need["status"] == "open"
    headers = people.other.headers

    def listed(query: str) -> list[int]:
        response = client.get(f"/api/v1/forum/threads?{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [t["id"] for t in response.get_json()["items"]]

    assert listed("kind=question") == [question["id"]]
    assert listed("kind=research-need&status=open") == [need["id"]]
    assert listed("status=claimed") == []
    assert listed(f"category={MEMBERS}") == [need["id"]]
    assert listed("sort=newest") == [need["id"], question["id"], discussion["id"]]
    page = client.get("/api/v1/forum/threads?per_page=2&page=2", headers=headers).get_json()
    assert (len(page["items"]), page["total"], page["page"]) == (1, 3, 2)
    for query in ("kind=poll", "status=done", "sort=random", "category=gossip", "author=me"):
        assert_json_error(client.get(f"/api/v1/forum/threads?{query}"), 422, fields=True)


def test_a_deleted_or_missing_thread_answers_404(app, client, people):
    thread = new_thread(client, people.author)
    as_user(
        app,
        people.moderator,
        lambda m: moderation.moderate_thread(m, db.session.get(Thread, thread["id"]), "delete"),
    )
    read_thread(client, people.moderator, thread["id"], expect=404)
    read_thread(client, people.author, 424242, expect=404)
    assert_json_error(client.get("/api/v1/forum/threads/0"), 404)


# --------------------------------------------------------------------------- replies


def test_members_reply_and_quote(client, people):
    thread = new_thread(client, people.author)
    first = read_thread(client, people.author, thread["id"])["posts"][0]
    answer = reply(client, people.other, thread["id"], quote_of=first["id"])
    assert set(answer) == POST_KEYS
    assert answer["quote_of"] == first["id"]
    assert answer["author"]["sector"] == "treatment"
    assert answer["body_html"].startswith("<p>In our area")
    plain = reply(client, people.academic, thread["id"], body="**Evidence** helps here.")
    assert plain["quote_of"] is None and "<strong>Evidence</strong>" in plain["body_html"]
    posts = read_thread(client, people.anonymous, thread["id"])["posts"]
    assert post_ids({"posts": posts}) == [first["id"], answer["id"], plain["id"]]


def test_reply_failures(app, client, people):
    thread = new_thread(client, people.author)
    other_thread = new_thread(client, people.author, title="Another thread")
    members = new_thread(client, people.author, category=MEMBERS)
    foreign_post = read_thread(client, people.author, other_thread["id"])["posts"][0]["id"]
    url = f"/api/v1/forum/threads/{thread['id']}/posts"

    assert_json_error(client.post(url, json={"body": "Hello"}), 401)
    assert (
        "verified"
        in assert_json_error(
            client.post(url, json={"body": "Hello"}, headers=people.unverified.headers), 403
        )["message"]
    )
    # a category the unverified member cannot read: as if it did not exist
    assert_json_error(
        client.post(
            f"/api/v1/forum/threads/{members['id']}/posts",
            json={"body": "Hello"},
            headers=people.unverified.headers,
        ),
        404,
    )
    assert_json_error(
        client.post(
            "/api/v1/forum/threads/999999/posts", json={"body": "Hi"}, headers=people.other.headers
        ),
        404,
    )
    for body in ("", "  ", "x" * 20_001):
        error = assert_json_error(
            client.post(url, json={"body": body}, headers=people.other.headers), 422, fields=True
        )
        assert set(error["fields"]) == {"body"}
    assert_json_error(
        client.post(
            url, json={"body": "Hi", "quote_of": foreign_post}, headers=people.other.headers
        ),
        404,
    )
    assert_json_error(
        client.post(url, json={"body": "Hi", "quote_of": "1"}, headers=people.other.headers),
        422,
        fields=True,
    )

    as_user(
        app,
        people.moderator,
        lambda m: moderation.moderate_thread(m, db.session.get(Thread, thread["id"]), "lock"),
    )
    error = assert_json_error(
        client.post(url, json={"body": "Too late"}, headers=people.other.headers), 403
    )
    assert "locked" in error["message"]
    locked = read_thread(client, people.other, thread["id"])
    assert locked["locked"] is True and len(locked["posts"]) == 1


def test_posting_is_limited_to_ten_a_minute_per_member(client, people):
    thread = new_thread(client, people.author)
    for n in range(8):
        reply(client, people.author, thread["id"], body=f"Reply number {n + 1}.")
    # refused posts do not use up the budget: the tenth post still goes through
    reply(client, people.author, thread["id"], expect=422, body=" ")
    reply(client, people.author, thread["id"], body="The tenth post this minute.")
    response = client.post(
        f"/api/v1/forum/threads/{thread['id']}/posts",
        json={"body": "One too many."},
        headers=people.author.headers,
    )
    assert_json_error(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert_json_error(
        client.post(
            "/api/v1/forum/threads",
            json={"category": PUBLIC, "title": "T", "body": "B"},
            headers=people.author.headers,
        ),
        429,
    )
    # another member has a budget of their own
    reply(client, people.other, thread["id"])
    assert len(read_thread(client, people.other, thread["id"])["posts"]) == 11


# --------------------------------------------------------------------------- edit and delete


def test_the_author_and_a_moderator_edit_others_may_not(client, people):
    thread = new_thread(client, people.author)
    post_id = read_thread(client, people.author, thread["id"])["posts"][0]["id"]
    url = f"/api/v1/forum/posts/{post_id}"

    edited = client.patch(url, json={"body": "Clearer *now*."}, headers=people.author.headers)
    assert edited.status_code == 200, edited.get_json()
    post = edited.get_json()
    assert post["body"] == "Clearer *now*." and "<em>now</em>" in post["body_html"]
    assert RFC3339_UTC.match(post["edited_at"])

    assert_json_error(client.patch(url, json={"body": "Mine now"}), 401)
    assert_json_error(
        client.patch(url, json={"body": "Mine now"}, headers=people.other.headers), 403
    )
    assert_json_error(
        client.patch(url, json={"body": "Mine now"}, headers=people.unverified.headers), 403
    )
    error = assert_json_error(
        client.patch(url, json={"body": ""}, headers=people.author.headers), 422, fields=True
    )
    assert set(error["fields"]) == {"body"}
    assert_json_error(client.patch(url, json={}, headers=people.author.headers), 422, fields=True)
    by_moderator = client.patch(
        url, json={"body": "Tidied by a moderator."}, headers=people.moderator.headers
    )
    assert by_moderator.status_code == 200
    assert read_thread(client, people.other, thread["id"])["posts"][0]["body"] == (
        "Tidied by a moderator."
    )
    assert_json_error(
        client.patch(
            "/api/v1/forum/posts/999999", json={"body": "x"}, headers=people.author.headers
        ),
        404,
    )


def test_posts_in_members_only_categories_are_404_for_unverified(client, people):
    thread = new_thread(client, people.author, category=MEMBERS)
    post_id = read_thread(client, people.author, thread["id"])["posts"][0]["id"]
    url = f"/api/v1/forum/posts/{post_id}"
    assert_json_error(client.patch(url, json={"body": "x"}, headers=people.unverified.headers), 404)
    assert_json_error(client.delete(url, headers=people.unverified.headers), 404)
    assert_json_error(
        client.post(f"{url}/reports", json={"reason": "spam"}, headers=people.unverified.headers),
        404,
    )


def test_deleting_leaves_an_empty_placeholder(client, people):
    thread = new_thread(client, people.author)
    first = read_thread(client, people.author, thread["id"])["posts"][0]["id"]
    answer = reply(client, people.other, thread["id"])["id"]

    assert_json_error(client.delete(f"/api/v1/forum/posts/{first}"), 401)
    assert_json_error(
        client.delete(f"/api/v1/forum/posts/{first}", headers=people.other.headers), 403
    )
    response = client.delete(f"/api/v1/forum/posts/{answer}", headers=people.other.headers)
    assert response.status_code == 204 and response.data == b""
    response = client.delete(f"/api/v1/forum/posts/{first}", headers=people.moderator.headers)
    assert response.status_code == 204
    # again: nothing changes
    assert (
        client.delete(f"/api/v1/forum/posts/{answer}", headers=people.other.headers).status_code
        == 204
    )

    posts = read_thread(client, people.anonymous, thread["id"])["posts"]
    assert post_ids({"posts": posts}) == [first, answer]
    assert all(p["deleted"] and p["body"] == "" and p["body_html"] == "" for p in posts)
    error = assert_json_error(
        client.patch(
            f"/api/v1/forum/posts/{answer}", json={"body": "Back"}, headers=people.other.headers
        ),
        409,
    )
    assert "deleted" in error["message"]


# --------------------------------------------------------------------------- reports


def test_reports_and_their_failures(client, people):
    thread = new_thread(client, people.author)
    post_id = read_thread(client, people.author, thread["id"])["posts"][0]["id"]
    url = f"/api/v1/forum/posts/{post_id}/reports"

    response = client.post(
        url,
        json={"reason": "off-topic", "note": "Belongs elsewhere."},
        headers=people.other.headers,
    )
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["post_id"] == post_id and report["reason"] == "off-topic"
    assert report["note"] == "Belongs elsewhere." and report["guidance"] == ""
    assert report["post_hidden"] is False and RFC3339_UTC.match(report["created_at"])
    # the same report again: refused, nothing new
    assert_json_error(
        client.post(url, json={"reason": "off-topic"}, headers=people.other.headers), 409
    )
    # a different reason is a different report
    assert (
        client.post(url, json={"reason": "spam"}, headers=people.other.headers).status_code == 201
    )

    assert (
        "own"
        in assert_json_error(
            client.post(url, json={"reason": "spam"}, headers=people.author.headers), 403
        )["message"]
    )
    assert_json_error(client.post(url, json={"reason": "spam"}), 401)
    assert_json_error(
        client.post(url, json={"reason": "spam"}, headers=people.unverified.headers), 403
    )
    for body, bad in (
        ({"reason": "boring"}, "reason"),
        ({}, "reason"),
        ({"reason": "spam", "note": "n" * 2001}, "note"),
    ):
        error = assert_json_error(
            client.post(url, json=body, headers=people.academic.headers), 422, fields=True
        )
        assert set(error["fields"]) == {bad}
    assert_json_error(
        client.post(
            "/api/v1/forum/posts/999999/reports",
            json={"reason": "spam"},
            headers=people.other.headers,
        ),
        404,
    )


def test_an_illegal_material_report_hides_the_post_at_once_for_all_but_moderators(client, people):
    thread = new_thread(client, people.author)
    bad = reply(client, people.other, thread["id"], body="A post someone reports.")
    kept = reply(client, people.academic, thread["id"], body="An ordinary reply.")

    response = client.post(
        f"/api/v1/forum/posts/{bad['id']}/reports",
        json={"reason": "illegal-material", "note": "Do not open the link."},
        headers=people.author.headers,
    )
    assert response.status_code == 201, response.get_json()
    report = response.get_json()
    assert report["post_hidden"] is True
    assert "Do not copy, save or share" in report["guidance"] and "hotline" in report["guidance"]

    for who in (people.author, people.academic, people.other, people.unverified, people.anonymous):
        posts = read_thread(client, who, thread["id"])["posts"]
        assert bad["id"] not in post_ids({"posts": posts}), who
        assert kept["id"] in post_ids({"posts": posts})
        assert all(p["hidden"] is False for p in posts)
    moderator_view = read_thread(client, people.moderator, thread["id"])["posts"]
    hidden = [p for p in moderator_view if p["id"] == bad["id"]]
    assert hidden and hidden[0]["hidden"] is True and hidden[0]["body"] == "A post someone reports."

    # the hidden post cannot be reached through its id either, not even by its author
    url = f"/api/v1/forum/posts/{bad['id']}"
    assert_json_error(client.patch(url, json={"body": "x"}, headers=people.other.headers), 404)
    assert_json_error(client.delete(url, headers=people.other.headers), 404)
    assert_json_error(
        client.post(f"{url}/reports", json={"reason": "spam"}, headers=people.academic.headers),
        404,
    )
    assert_json_error(
        client.post(
            f"/api/v1/forum/threads/{thread['id']}/posts",
            json={"body": "Quoting it", "quote_of": bad["id"]},
            headers=people.academic.headers,
        ),
        404,
    )


# --------------------------------------------------------------------------- votes


def test_members_vote_once_for_a_research_need_and_votes_show_by_sector(client, people):
    need = new_thread(client, people.author, kind="research-need", title="What works online?")
    url = f"/api/v1/forum/threads/{need['id']}/votes"
    for who in (people.author, people.other, people.academic):
        response = client.post(url, headers=who.headers)
        assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "total": 3,
        "by_sector": {"law-enforcement": 1, "academic": 1, "treatment": 1},
    }
    assert_json_error(client.post(url, headers=people.other.headers), 409)
    assert_json_error(client.post(url), 401)
    assert_json_error(client.post(url, headers=people.unverified.headers), 403)
    detail = read_thread(client, people.anonymous, need["id"])
    assert detail["votes"]["total"] == 3 and detail["status"] == "open"

    discussion = new_thread(client, people.author)
    error = assert_json_error(
        client.post(
            f"/api/v1/forum/threads/{discussion['id']}/votes", headers=people.other.headers
        ),
        409,
    )
    assert "research needs" in error["message"]


def test_a_vote_sent_twice_at_the_same_moment_answers_409_not_500(app, client, people):
    need = new_thread(client, people.author, kind="research-need")
    url = f"/api/v1/forum/threads/{need['id']}/votes"
    with vote_cast_meanwhile(app, need["id"], people.other.id) as cast:
        response = client.post(url, headers=people.other.headers)
    assert cast, "the competing vote was not cast"
    assert_json_error(response, 409)
    assert read_thread(client, people.other, need["id"])["votes"]["total"] == 1


def test_a_claimed_need_shows_its_claimer_and_the_status_change(app, client, people):
    need = new_thread(client, people.author, kind="research-need")

    def claim(academic):
        services.set_need_status(academic, db.session.get(Thread, need["id"]), "claimed")

    as_user(app, people.academic, claim)
    detail = read_thread(client, people.other, need["id"])
    assert detail["status"] == "claimed"
    assert detail["claimed_by"]["id"] == people.academic.id
    event = detail["posts"][-1]
    assert event["event"] == "claimed" and event["body"] == ""
    # a status change is not a post anyone edits, deletes or reports
    url = f"/api/v1/forum/posts/{event['id']}"
    assert_json_error(client.patch(url, json={"body": "x"}, headers=people.academic.headers), 409)
    assert_json_error(client.delete(url, headers=people.academic.headers), 409)
    assert_json_error(
        client.post(f"{url}/reports", json={"reason": "spam"}, headers=people.other.headers), 409
    )


def test_openapi_documents_the_forum_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/forum/threads"]) == {"get", "post"}
    assert set(paths["/api/v1/forum/posts/{post_id}"]) == {"patch", "delete"}
    posting = paths["/api/v1/forum/threads/{thread_id}/posts"]["post"]["responses"]
    assert {"201", "401", "403", "404", "422", "429"} <= set(posting)
    reports = paths["/api/v1/forum/posts/{post_id}/reports"]["post"]
    assert {"201", "403", "409"} <= set(reports["responses"])
