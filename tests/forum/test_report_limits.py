"""One member's illegal-material reports hide at most 3 posts a day before a moderator
confirms: later ones leave the post visible, wait first in the queue marked urgent, and
alert the moderators to the burst. Reports are rate-limited per member, HTML and API."""

import re

import pytest

from kx.extensions import db
from kx.notifications.models import Notification
from tests.support.forum import send, text


@pytest.fixture
def posts(forum):
    """Six replies by "other" in one public thread, each with a word of its own."""
    forum.visibility("prevention", "public")
    thread_id, _ = forum.thread(category="prevention")
    return thread_id, [
        forum.reply(thread_id, by="other", body=f"Reply number {n}: marker{n}word.")
        for n in range(6)
    ]


def report_in_browser(client, post_id: int, reason="illegal-material"):
    return send(client, f"/forum/posts/{post_id}/report", {"reason": reason, "note": ""})


def burst_alerts(forum, name="moderator") -> int:
    with forum.app.app_context():
        user = forum.user(name)
        return db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.kind == "report-burst"
            )
        )


def test_a_members_fourth_illegal_report_in_a_day_leaves_the_post_visible_and_urgent(
    posts, forum, browser_for
):
    thread_id, replies = posts
    reporter = browser_for("author")
    for post_id in replies[:3]:
        response = report_in_browser(reporter, post_id)
        assert response.status_code == 302
        assert "queued" not in response.headers["Location"]
        assert forum.post(post_id).hidden
    assert burst_alerts(forum) == 0

    response = report_in_browser(reporter, replies[3])
    assert response.status_code == 302
    guidance = text(reporter.get(response.headers["Location"]))
    assert "The post stays visible until a moderator has looked at it" in guidance
    assert not forum.post(replies[3]).hidden
    # everyone still reads it, in the thread
    page = text(browser_for(None).get(f"/forum/threads/{thread_id}"))
    assert "marker3word" in page
    assert "marker0word" not in page

    # the moderators' queue shows it first, marked urgent, and they were alerted
    queue = text(browser_for("moderator").get("/forum/moderation"))
    first = re.search(r'<li class="card report[^"]*">(.*?)</li>', queue, re.S).group(1)
    assert "Urgent" in first
    assert f"/forum/posts/{replies[3]}" in first
    assert "Not hidden:" in first
    assert burst_alerts(forum) == 1
    notes = text(browser_for("moderator").get("/notifications"))
    assert "the report waits, urgent" in notes


def test_other_reasons_and_other_members_are_not_held_back(posts, forum, browser_for):
    _, replies = posts
    for post_id in replies[:3]:
        forum.report(post_id, by="author", reason="illegal-material")
    # the same member may still report for another reason; another member may still hide
    assert report_in_browser(browser_for("author"), replies[3], "spam").status_code == 302
    assert report_in_browser(browser_for("academic"), replies[4]).status_code == 302
    assert forum.post(replies[4]).hidden
    assert burst_alerts(forum) == 0


def test_reports_a_moderator_confirmed_do_not_count_against_the_reporter(posts, forum, browser_for):
    _, replies = posts
    report_ids = [forum.report(p, by="author", reason="illegal-material") for p in replies[:3]]
    moderator = browser_for("moderator")
    response = send(moderator, f"/forum/reports/{report_ids[0]}/resolve", {"resolution": "hide"})
    assert response.status_code == 302
    # one confirmed: the member's next report hides at once again ...
    report_in_browser(browser_for("author"), replies[3])
    assert forum.post(replies[3]).hidden
    # ... and the one after that is the 4th unconfirmed: it waits
    report_in_browser(browser_for("author"), replies[4])
    assert not forum.post(replies[4]).hidden
    # a dismissed report was not upheld: it still counts
    send(moderator, f"/forum/reports/{report_ids[1]}/resolve", {"resolution": "dismiss"})
    report_in_browser(browser_for("author"), replies[5])
    assert not forum.post(replies[5]).hidden


def test_the_api_says_when_a_report_waits_instead_of_hiding(posts, forum, people, api_token):
    _, replies = posts
    for post_id in replies[:3]:
        forum.report(post_id, by="author", reason="illegal-material")
    client = forum.app.test_client()
    response = client.post(
        f"/api/v1/forum/posts/{replies[3]}/reports",
        json={"reason": "illegal-material"},
        headers=api_token(people.author),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["post_hidden"] is False
    assert body["urgent"] is True
    assert "stays visible until a moderator" in body["guidance"]
    assert not forum.post(replies[3]).hidden


@pytest.fixture
def many_posts(forum):
    thread_id, _ = forum.thread()
    return [forum.reply(thread_id, by="other", body=f"Post {n}.") for n in range(11)]


def test_reports_are_rate_limited_per_member_in_the_api(many_posts, forum, people, api_token):
    client = forum.app.test_client()
    headers = api_token(people.author)
    for post_id in many_posts[:10]:
        response = client.post(
            f"/api/v1/forum/posts/{post_id}/reports", json={"reason": "spam"}, headers=headers
        )
        assert response.status_code == 201, response.get_json()
    response = client.post(
        f"/api/v1/forum/posts/{many_posts[10]}/reports", json={"reason": "spam"}, headers=headers
    )
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429


def test_reports_are_rate_limited_per_member_in_the_form_and_share_the_apis_budget(
    many_posts, forum, people, api_token, browser_for
):
    client = forum.app.test_client()
    headers = api_token(people.author)
    for post_id in many_posts[:9]:
        response = client.post(
            f"/api/v1/forum/posts/{post_id}/reports", json={"reason": "spam"}, headers=headers
        )
        assert response.status_code == 201
    browser = browser_for("author")
    assert report_in_browser(browser, many_posts[9], "spam").status_code == 302
    response = send(
        browser, f"/forum/posts/{many_posts[10]}/report", {"reason": "spam", "note": "Ads again"}
    )
    assert response.status_code == 429
    page = text(response)
    assert "You have sent 10 reports in the last hour" in page
    assert "Ads again" in page  # the note is kept
    # another member is not held back
    assert report_in_browser(browser_for("academic"), many_posts[10], "spam").status_code == 302
