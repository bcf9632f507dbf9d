"""Follows and notifications: replies to your thread, replies quoting you and new threads in
what you follow; the unread count in the header; marking read."""

import re

from tests.support.forum import send, text


def header_count(client) -> int | None:
    """The unread count the header shows, or None when it shows no count."""
    page = text(client.get("/forum"))
    match = re.search(
        r'<a href="/notifications"[^>]*>Notifications(?: \((\d+)\)<span class="visually-hidden">'
        r" unread</span>)?</a>",
        page,
    )
    assert match, "no notifications link in the header"
    return int(match.group(1)) if match.group(1) else None


def test_replies_notify_the_thread_author_and_the_header_counts(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    author = browser_for("author")
    assert header_count(author) is None
    send(browser_for("other"), f"/forum/threads/{thread_id}/reply", {"body": "First answer"})
    assert header_count(author) == 1
    send(browser_for("academic"), f"/forum/threads/{thread_id}/reply", {"body": "Second"})
    assert header_count(author) == 2
    # the other member follows the thread they replied to, and hears about the academic
    assert forum.unread("other") == 1
    # nobody is told about their own posts
    send(author, f"/forum/threads/{thread_id}/reply", {"body": "Thanks both"})
    assert forum.unread("author") == 2
    assert forum.unread("other") == 2 and forum.unread("academic") == 1

    page = text(author.get("/notifications"))
    assert "2 unread" in page
    assert "Olive Other" in page and "Ada Academic" in page and "replied in" in page
    assert "Working across police and treatment" in page

    # opening the thread reads the replies the author was told about
    assert author.get(f"/forum/threads/{thread_id}").status_code == 200
    assert header_count(author) is None and forum.unread("author") == 0
    assert forum.unread("other") == 2  # only the one who opened it


def test_quoting_notifies_the_quoted_author_once(forum, browser_for):
    thread_id, first = forum.thread(by="author")
    reply = forum.reply(thread_id, by="other")
    assert forum.unread("author") == 1
    send(
        browser_for("academic"),
        f"/forum/threads/{thread_id}/reply",
        {"body": "> quoted\n\nYes", "quote_of": str(reply)},
    )
    # the quoted member gets a "quote", the thread's author a "reply"
    assert forum.unread("other") == 1
    assert forum.unread("author") == 2
    page = text(browser_for("other").get("/notifications"))
    assert "quoted you in" in page
    # quoting the thread's author: one notification, not a reply and a quote
    send(
        browser_for("academic"),
        f"/forum/threads/{thread_id}/reply",
        {"body": "> first\n\nAgreed", "quote_of": str(first)},
    )
    assert forum.unread("author") == 3


def test_new_threads_in_a_followed_category_notify(forum, browser_for):
    follower = browser_for("other")
    response = send(follower, "/forum/follow", {"target_type": "category", "target": "policing"})
    assert response.status_code == 302
    assert 'Unfollow<span class="visually-hidden"> Policing' in text(follower.get("/forum"))
    forum.thread(by="author", category="policing", title="Warrant templates")
    forum.thread(by="author", category="education", title="Not followed")
    assert header_count(follower) == 1
    page = text(follower.get("/notifications"))
    assert "started a new thread:" in page and "Warrant templates" in page
    assert "Not followed" not in page
    # unfollowing stops them
    send(
        follower,
        "/forum/follow",
        {"target_type": "category", "target": "policing", "action": "unfollow"},
    )
    forum.thread(by="author", category="policing", title="Another one")
    assert forum.unread("other") == 1


def test_followed_thread_notifies_and_unfollow_stops_it(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    watcher = browser_for("academic")
    send(watcher, "/forum/follow", {"target_type": "thread", "target": str(thread_id)})
    assert "Unfollow" in text(watcher.get(f"/forum/threads/{thread_id}"))
    forum.reply(thread_id, by="other")
    assert forum.unread("academic") == 1
    send(
        watcher,
        "/forum/follow",
        {"target_type": "thread", "target": str(thread_id), "action": "unfollow"},
    )
    forum.reply(thread_id, by="other", body="Again")
    assert forum.unread("academic") == 1


def test_no_notifications_about_threads_the_follower_cannot_read(forum, browser_for):
    forum.visibility("prevention", "public")
    for name in ("unverified", "other"):
        client = browser_for(name)
        # the unverified member cannot follow at all; the member follows a public category
        send(client, "/forum/follow", {"target_type": "category", "target": "prevention"})
    forum.visibility("prevention", "members")
    forum.thread(by="author", category="prevention")
    assert forum.unread("unverified") == 0
    assert forum.unread("other") == 1


def test_mark_one_and_all_read(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    for n in range(3):
        forum.reply(thread_id, by="other", body=f"Reply {n}")
    author = browser_for("author")
    assert header_count(author) == 3
    page = text(author.get("/notifications"))
    ids = re.findall(r'name="notification" value="(\d+)"', page)
    assert len(ids) == 3
    response = send(author, "/notifications/read", {"notification": ids[0]})
    assert response.status_code == 302
    assert "Notification marked read." in text(author.get(response.headers["Location"]))
    assert header_count(author) == 2
    send(author, "/notifications/read", {"all": "1"})
    assert header_count(author) is None
    page = text(author.get("/notifications"))
    assert "0 unread" in page and "Mark all read" not in page
    assert 'name="notification"' not in page  # no "Mark read" buttons left
    assert page.count("Olive Other") == 3  # read notifications stay listed


def test_marking_someone_elses_notification_changes_nothing(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    forum.reply(thread_id, by="other")
    page = text(browser_for("author").get("/notifications"))
    (notification_id,) = re.findall(r'name="notification" value="(\d+)"', page)
    send(browser_for("academic"), "/notifications/read", {"notification": notification_id})
    send(browser_for("academic"), "/notifications/read", {"notification": "not-a-number"})
    assert forum.unread("author") == 1


def test_notification_links_to_the_post(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    reply = forum.reply(thread_id, by="other")
    author = browser_for("author")
    page = text(author.get("/notifications"))
    assert f'href="/forum/posts/{reply}"' in page
    response = author.get(f"/forum/posts/{reply}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forum/threads/{thread_id}?page=1#post-{reply}")


def test_notification_about_a_hidden_post_links_to_the_thread(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    reply = forum.reply(thread_id, by="other")
    forum.report(reply, by="academic", reason="illegal-material")
    page = text(browser_for("author").get("/notifications"))
    assert f'href="/forum/posts/{reply}"' not in page
    assert f'href="/forum/threads/{thread_id}"' in page


def test_deleted_thread_is_not_named_in_notifications(forum, browser_for):
    thread_id, _ = forum.thread(by="author", title="Soon gone")
    forum.reply(thread_id, by="other")
    forum.moderate_thread(thread_id, "delete")
    page = text(browser_for("author").get("/notifications"))
    assert "Soon gone" not in page
    assert "a thread you can no longer see" in page


def test_unread_count_leaves_out_threads_you_can_no_longer_read(forum, browser_for):
    gone, _ = forum.thread(by="author", title="Soon gone")
    kept, _ = forum.thread(by="author", title="Still here")
    forum.reply(gone, by="other")
    forum.reply(kept, by="other")
    author = browser_for("author")
    assert header_count(author) == 2
    forum.moderate_thread(gone, "delete")
    assert header_count(author) == 1
    page = text(author.get("/notifications"))
    assert "1 unread" in page
    assert page.count("badge--unread") == 1
    assert "Still here" in page and "a thread you can no longer see" in page


def test_anonymous_visitors_have_no_notifications_link(browser_for):
    page = text(browser_for(None).get("/forum"))
    assert 'href="/notifications"' not in page
