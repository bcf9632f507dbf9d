"""Writing in the forum: new threads (also from "Discuss this"), replies, quotes, edits and
deletions, with the bad input a person can send: empty or oversize text, a locked thread,
a category they cannot see, and posting too fast."""

import re

from kx.forum.services import MAX_POST
from tests.support.forum import send, text


def _error_beside(page: str, field_id: str, message: str) -> bool:
    """``message`` in the error list tied to the field ``field_id``."""
    match = re.search(rf'<ul class="errors" id="{field_id}-errors">(.*?)</ul>', page, re.S)
    return bool(match) and message in match.group(1)


def _selected(page: str, value: str) -> bool:
    return bool(
        re.search(rf'<option selected value="{value}">|<option value="{value}" selected', page)
    )


def test_member_starts_a_thread_and_sees_it(forum, browser_for):
    client = browser_for("author")
    form = client.get("/forum/new?category=policing")
    assert form.status_code == 200
    assert _selected(text(form), "policing")
    response = send(
        client,
        "/forum/new",
        {
            "category": "policing",
            "kind": "question",
            "title": "Triage of referrals",
            "body": "How do you **prioritise**?",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    body = text(page)
    assert "<h1>Triage of referrals</h1>" in body
    assert "<strong>prioritise</strong>" in body
    assert "Question" in body and "Alex Author" in body and "Law enforcement" in body
    assert "Your thread is open" in body
    listing = text(client.get("/forum/policing"))
    assert "Triage of referrals" in listing


def test_new_thread_errors_keep_the_text(forum, browser_for):
    client = browser_for("author")
    response = send(
        client,
        "/forum/new",
        {"category": "", "kind": "discussion", "title": "", "body": "Kept body text"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Kept body text" in page
    assert _error_beside(page, "category", "Choose a category.")
    assert _error_beside(page, "title", "Give a title of 1 to 200 characters.")
    assert "Kept body text" not in text(client.get("/forum/cross-disciplinary"))


def test_empty_reply_keeps_nothing_and_says_so(forum, browser_for):
    thread_id, _ = forum.thread()
    response = send(browser_for("other"), f"/forum/threads/{thread_id}/reply", {"body": "   "})
    assert response.status_code == 422
    assert _error_beside(text(response), "body", "Write something first.")
    assert forum.thread_state(thread_id).posts == 1


def test_oversize_reply_is_refused_with_the_text_kept(forum, browser_for):
    thread_id, _ = forum.thread()
    long_text = "word " * (MAX_POST // 5) + "tail-marker"
    response = send(browser_for("other"), f"/forum/threads/{thread_id}/reply", {"body": long_text})
    assert response.status_code == 422
    page = text(response)
    assert _error_beside(page, "body", "Shorten this to 20,000 characters or fewer")
    assert "tail-marker" in page  # the whole text is back in the box
    assert forum.thread_state(thread_id).posts == 1


def test_oversize_edit_keeps_the_new_text(forum, browser_for):
    _, post_id = forum.thread()
    response = send(
        browser_for("author"), f"/forum/posts/{post_id}/edit", {"body": "x" * (MAX_POST + 1)}
    )
    assert response.status_code == 422
    assert "x" * 200 in text(response)
    assert _error_beside(text(response), "body", "Shorten this")
    assert forum.post(post_id).body == "How do you share risk information?"


def test_locked_thread_refuses_replies_with_a_clear_message(forum, browser_for):
    thread_id, _ = forum.thread()
    forum.moderate_thread(thread_id, "lock")
    client = browser_for("other")
    page = text(client.get(f"/forum/threads/{thread_id}"))
    assert "This thread is locked:" in page
    assert f'action="/forum/threads/{thread_id}/reply"' not in page
    response = send(client, f"/forum/threads/{thread_id}/reply", {"body": "Still here?"})
    assert response.status_code == 403
    assert "This thread is locked: it takes no more replies." in text(response)
    assert forum.thread_state(thread_id).posts == 1


def test_posting_in_a_category_you_cannot_see_is_404(forum, browser_for):
    thread_id, _ = forum.thread(category="treatment")
    client = browser_for("unverified")
    assert client.get("/forum/treatment").status_code == 404
    assert client.get("/forum/new?category=treatment").status_code == 404
    response = send(client, f"/forum/threads/{thread_id}/reply", {"body": "Let me in"})
    assert response.status_code == 404
    response = send(
        client,
        "/forum/new",
        {"category": "treatment", "kind": "discussion", "title": "T", "body": "B"},
    )
    assert response.status_code == 404
    assert forum.thread_state(thread_id).posts == 1


def test_unknown_category_page_is_404(browser_for):
    assert browser_for("author").get("/forum/astrology").status_code == 404


def test_unverified_member_is_told_why_they_cannot_post(forum, browser_for):
    forum.visibility("prevention", "public")
    client = browser_for("unverified")
    response = client.get("/forum/new")
    assert response.status_code == 403
    assert "must be verified by a moderator before you can post" in text(response)


def test_quote_shows_the_quoted_post_and_notifies_its_author(forum, browser_for):
    thread_id, first = forum.thread(body="Line one\n\nLine two")
    client = browser_for("other")
    page = text(client.get(f"/forum/threads/{thread_id}?quote={first}"))
    # the quoted words are shown above the box, not copied into it
    assert re.search(r'<textarea[^>]*name="body"[^>]*>\s*</textarea>', page)
    assert "<blockquote>Line one Line two</blockquote>" in page
    assert re.search(rf'<input id="quote_of" name="quote_of" type="hidden" value="{first}">', page)
    response = send(
        client, f"/forum/threads/{thread_id}/reply", {"body": "I agree.", "quote_of": str(first)}
    )
    assert response.status_code == 302
    reply = int(response.headers["Location"].rsplit("#post-", 1)[1])
    assert forum.post(reply).body == "I agree."
    thread_page = text(client.get(response.headers["Location"]))
    assert f'In reply to <a href="/forum/posts/{first}">Alex Author\u2019s post</a>' in thread_page
    assert thread_page.count("<blockquote>Line one Line two</blockquote>") == 1
    assert forum.unread("author") == 1  # one notification (a quote), not two


def test_quote_of_a_hidden_post_is_not_offered(forum, browser_for):
    thread_id, _ = forum.thread()
    reply = forum.reply(thread_id, by="other", body="Soon hidden")
    forum.report(reply, by="author", reason="illegal-material")
    page = text(browser_for("academic").get(f"/forum/threads/{thread_id}?quote={reply}"))
    assert 'name="quote_of" type="hidden" value=""' in page
    assert "Soon hidden" not in page


def test_quote_of_a_post_from_another_thread_is_ignored(forum, browser_for):
    thread_id, _ = forum.thread()
    _, elsewhere = forum.thread(title="Another")
    response = send(
        browser_for("other"),
        f"/forum/threads/{thread_id}/reply",
        {"body": "Hi", "quote_of": str(elsewhere)},
    )
    assert response.status_code == 302
    assert "In reply to" not in text(browser_for("other").get(f"/forum/threads/{thread_id}"))


def test_author_edits_and_the_post_says_edited(forum, browser_for):
    thread_id, post_id = forum.thread()
    client = browser_for("author")
    form = client.get(f"/forum/posts/{post_id}/edit")
    assert "How do you share risk information?" in text(form)
    response = send(client, f"/forum/posts/{post_id}/edit", {"body": "Better question?"})
    assert response.status_code == 302
    page = text(client.get(f"/forum/threads/{thread_id}"))
    assert "Better question?" in page
    assert "edited" in page
    assert forum.post(post_id).revisions == ["How do you share risk information?"]


def test_author_deletes_and_a_placeholder_stays(forum, browser_for):
    thread_id, post_id = forum.thread()
    forum.reply(thread_id)
    client = browser_for("author")
    assert send(client, f"/forum/posts/{post_id}/delete").status_code == 302
    page = text(browser_for("other").get(f"/forum/threads/{thread_id}"))
    assert "Post deleted by its author." in page
    assert "How do you share risk information?" not in page
    # deleted posts cannot be edited or deleted again
    assert client.get(f"/forum/posts/{post_id}/edit").status_code == 404
    assert send(client, f"/forum/posts/{post_id}/delete").status_code == 404


def test_moderator_deletes_a_post(forum, browser_for):
    thread_id, post_id = forum.thread()
    assert send(browser_for("moderator"), f"/forum/posts/{post_id}/delete").status_code == 302
    page = text(browser_for("other").get(f"/forum/threads/{thread_id}"))
    assert "Post deleted by a moderator." in page


def test_thread_pages_hold_twenty_posts(forum, browser_for):
    thread_id, _ = forum.thread()
    for n in range(1, 22):
        forum.reply(thread_id, body=f"Reply number {n:02d}")
    client = browser_for("other")
    first_page = text(client.get(f"/forum/threads/{thread_id}"))
    assert "Reply number 19" in first_page and "Reply number 20" not in first_page
    assert "Page 1 of 2" in first_page
    second = text(client.get(f"/forum/threads/{thread_id}?page=2"))
    assert "Reply number 20" in second and "Reply number 21" in second
    assert "Reply number 19" not in second
    # a post's own address leads to the page it is on
    response = send(client, f"/forum/threads/{thread_id}/reply", {"body": "Newest reply"})
    assert "page=2" in response.headers["Location"]
    assert "#post-" in response.headers["Location"]
    # out-of-range pages show the nearest page instead of failing
    assert client.get(f"/forum/threads/{thread_id}?page=99").status_code == 200


def test_posting_is_rate_limited_per_member(forum, browser_for):
    thread_id, _ = forum.thread()
    client = browser_for("other")
    for n in range(10):
        response = send(client, f"/forum/threads/{thread_id}/reply", {"body": f"Post {n}"})
        assert response.status_code == 302, n
    response = send(client, f"/forum/threads/{thread_id}/reply", {"body": "One too many"})
    assert response.status_code == 429
    page = text(response)
    assert "You are posting too quickly: at most 10 posts a minute." in page
    assert "One too many" in page  # kept, to send again later
    assert "Retry-After" in response.headers
    # a new thread counts against the same budget
    response = send(
        client,
        "/forum/new",
        {"category": "policing", "kind": "discussion", "title": "Later", "body": "Kept too"},
    )
    assert response.status_code == 429
    assert "Kept too" in text(response)
    # another member is not affected
    response = send(browser_for("academic"), f"/forum/threads/{thread_id}/reply", {"body": "Hi"})
    assert response.status_code == 302
    assert forum.thread_state(thread_id).posts == 12


def test_invalid_posts_do_not_use_up_the_rate_limit(forum, browser_for):
    thread_id, _ = forum.thread()
    client = browser_for("other")
    for _ in range(12):
        assert send(client, f"/forum/threads/{thread_id}/reply", {"body": ""}).status_code == 422
    assert send(client, f"/forum/threads/{thread_id}/reply", {"body": "Now"}).status_code == 302


def test_discuss_this_opens_a_thread_linked_to_the_practice(forum, browser_for, app):
    practice_id = forum.practice()
    client = browser_for("author")
    form = client.get(f"/forum/new?practice={practice_id}")
    assert form.status_code == 200
    page = text(form)
    assert "This thread will be linked to the practice example" in page
    assert _selected(page, "desistance")
    response = send(
        client,
        "/forum/new",
        {
            "category": "desistance",
            "kind": "discussion",
            "title": "Running circles in rural areas",
            "body": "Volunteers are hard to find.",
            "practice": str(practice_id),
        },
    )
    assert response.status_code == 302
    thread_page = text(client.get(response.headers["Location"]))
    assert "What this thread is about" in thread_page
    assert f'href="/practices/{practice_id}"' in thread_page
    # the partial for the practice page lists the thread
    with app.test_request_context():
        from flask import render_template_string
        from flask_login import login_user

        from kx.extensions import db
        from kx.practice.models import Practice

        login_user(forum.user("other"))
        html = render_template_string(
            '{% include "forum/_discuss.html" %}', item=db.session.get(Practice, practice_id)
        )
    assert "Running circles in rural areas" in html
    assert f"/forum/new?practice={practice_id}" in html
    assert "Discuss this" in html


def test_discuss_this_for_an_item_you_cannot_see_is_404(forum, browser_for):
    draft = forum.practice(title="Draft idea", by="author", submit=False)
    assert browser_for("other").get(f"/forum/new?practice={draft}").status_code == 404
    assert browser_for("other").get("/forum/new?practice=abc").status_code == 404
    assert browser_for("other").get("/forum/new?research=99999").status_code == 404


def test_linked_items_are_visibility_filtered(forum, browser_for):
    restricted = forum.practice(
        title="Restricted casework method",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )
    public = forum.practice(title="Public method")
    thread_id, _ = forum.thread(
        by="author",
        links=[{"type": "practice", "id": restricted}, {"type": "practice", "id": public}],
    )
    author_page = text(browser_for("author").get(f"/forum/threads/{thread_id}"))
    assert "Restricted casework method" in author_page and "Public method" in author_page
    other_page = text(browser_for("other").get(f"/forum/threads/{thread_id}"))
    assert "Public method" in other_page
    assert "Restricted casework method" not in other_page
