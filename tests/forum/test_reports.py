"""Reports and moderation: an illegal-material report hides the post at once, everywhere
but for moderators; the moderators' queue, its actions and the audit log; edit history for
moderators only; category visibility."""

import html
import re

import pytest

from kx.audit import AuditEvent
from kx.extensions import db
from kx.search import services as search_services
from kx.search.backend import Query
from tests.support.forum import send, text

SECRET_WORD = "quokkafication"


def found(forum, viewer, word=SECRET_WORD) -> bool:
    """Whether ``viewer`` finds any thread for ``word`` through the search service."""
    with forum.app.app_context():
        results = search_services.search(forum.user(viewer), Query(text=word, types=["thread"]))
        return results.total > 0


def audit_actions(forum) -> list[str]:
    with forum.app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def reported(forum):
    """A public thread whose reply by the other member holds the secret word."""
    forum.visibility("prevention", "public")
    thread_id, first = forum.thread(category="prevention")
    reply = forum.reply(thread_id, by="other", body=f"A post about {SECRET_WORD} here.")
    return thread_id, first, reply


def test_illegal_material_report_hides_the_post_at_once_everywhere(reported, forum, browser_for):
    thread_id, _, reply = reported
    # before: everyone who may read the category sees and finds it
    assert SECRET_WORD in text(browser_for(None).get(f"/forum/threads/{thread_id}"))
    assert all(found(forum, viewer) for viewer in (None, "author", "moderator"))

    reporter = browser_for("author")
    response = send(
        reporter,
        f"/forum/posts/{reply}/report",
        {"reason": "illegal-material", "note": "Please look"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/forum/report-guidance?thread={thread_id}")

    # at once, with no other request in between: gone for every non-moderator ...
    for viewer in (None, "unverified", "author", "other", "academic"):
        page = text(browser_for(viewer).get(f"/forum/threads/{thread_id}"))
        assert SECRET_WORD not in page, viewer
        assert "How do you share risk information?" in page  # the rest of the thread stays
        assert not found(forum, viewer), viewer
    assert browser_for("other").get(f"/forum/posts/{reply}").status_code == 404
    assert browser_for("other").get(f"/forum/posts/{reply}/edit").status_code == 404
    # ... and still there, marked, for moderators
    page = text(browser_for("moderator").get(f"/forum/threads/{thread_id}"))
    assert SECRET_WORD in page
    assert "Hidden: only moderators see this post" in page
    assert forum.post(reply).hidden


def quote_in_browser(client, thread_id: int, post_id: int, answer: str) -> None:
    """Quote ``post_id`` as a browser does: send what the reply box holds, plus ``answer``."""
    page = text(client.get(f"/forum/threads/{thread_id}?quote={post_id}"))
    box = re.search(r'<textarea[^>]*name="body"[^>]*>(?:\r\n)?(.*?)</textarea>', page, re.S)
    quote_of = re.search(r'name="quote_of" type="hidden" value="(\d*)"', page)
    body = html.unescape(box.group(1)) + answer
    response = send(
        client, f"/forum/threads/{thread_id}/reply", {"body": body, "quote_of": quote_of.group(1)}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("gone_by", ["illegal-material", "hidden", "deleted"])
def test_a_hidden_or_deleted_posts_words_go_from_replies_quoting_it(
    gone_by, reported, forum, browser_for
):
    thread_id, _, reply = reported
    quote_in_browser(browser_for("academic"), thread_id, reply, "I agree with this.")
    page = text(browser_for(None).get(f"/forum/threads/{thread_id}"))
    assert page.count(SECRET_WORD) == 2  # the post, and the quote of it in the answer

    if gone_by == "illegal-material":
        forum.report(reply, by="author", reason="illegal-material")
    elif gone_by == "hidden":
        send(browser_for("moderator"), f"/forum/posts/{reply}/moderate", {"action": "hide"})
    else:
        send(browser_for("other"), f"/forum/posts/{reply}/delete")

    for viewer in (None, "author", "other", "academic"):
        page = text(browser_for(viewer).get(f"/forum/threads/{thread_id}"))
        assert SECRET_WORD not in page, viewer
        assert "I agree with this." in page
        assert "The quoted post is no longer available." in page
        assert not found(forum, viewer), viewer
    # moderators still read the post where it stands (a deleted one in its edit history),
    # but not again in the quote
    staff_page = text(browser_for("moderator").get(f"/forum/threads/{thread_id}"))
    assert staff_page.count(SECRET_WORD) == 1


def test_the_reporter_gets_guidance_on_illegal_material(reported, browser_for):
    thread_id, _, reply = reported
    client = browser_for("author")
    response = send(client, f"/forum/posts/{reply}/report", {"reason": "illegal-material"})
    page = text(client.get(response.headers["Location"]))
    assert "Do not copy, save, screenshot or share it" in page
    assert "Report it to your national hotline" in page
    assert "INHOPE" in page
    assert "report it to the police" in page
    assert "The post is hidden now" in page
    assert f'href="/forum/threads/{thread_id}"' in page


def test_illegal_material_report_alerts_every_moderator(reported, forum, browser_for, make_user):
    second = make_user(role="admin", display_name="Ann Admin")
    _, _, reply = reported
    forum.report(reply, by="author", reason="illegal-material")
    assert forum.unread("moderator") == 1
    with forum.app.app_context():
        from kx.accounts.models import User
        from kx.notifications import services

        assert services.unread_count(db.session.get(User, second.id)) == 1
    page = text(browser_for("moderator").get("/notifications"))
    assert "Alex Author" in page and "reported a post in" in page


def test_other_reports_do_not_hide_the_post(reported, forum, browser_for):
    thread_id, _, reply = reported
    response = send(browser_for("author"), f"/forum/posts/{reply}/report", {"reason": "spam"})
    assert response.status_code == 302
    assert SECRET_WORD in text(browser_for("academic").get(f"/forum/threads/{thread_id}"))
    assert "Thank you. The moderators will look at this post." in text(
        browser_for("author").get(response.headers["Location"])
    )


def test_reporting_your_own_post_is_refused(reported, forum, browser_for):
    _, _, reply = reported
    client = browser_for("other")
    page = text(client.get(f"/forum/threads/{reported[0]}"))
    assert f'action="/forum/posts/{reply}/report"' not in page  # no report form on own post
    response = send(client, f"/forum/posts/{reply}/report", {"reason": "illegal-material"})
    assert response.status_code == 422
    assert "This is your own post." in text(response)
    assert not forum.post(reply).hidden
    assert forum.unread("moderator") == 0


def test_report_without_a_reason_keeps_the_note(reported, browser_for):
    _, _, reply = reported
    response = send(
        browser_for("author"), f"/forum/posts/{reply}/report", {"note": "My careful note"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Choose a reason from the list." in page
    assert "My careful note" in page


def test_a_repeated_report_is_one_report(reported, forum, browser_for):
    _, _, reply = reported
    for _ in range(2):
        send(browser_for("author"), f"/forum/posts/{reply}/report", {"reason": "spam"})
    assert forum.unread("moderator") == 1
    assert text(browser_for("moderator").get("/forum/moderation")).count("Dismiss report") == 1


def test_queue_lists_illegal_material_first_and_dismiss_restores(reported, forum, browser_for):
    thread_id, first, reply = reported
    forum.report(first, by="other", reason="spam", note="Advertising")
    forum.report(reply, by="author", reason="illegal-material")
    staff = browser_for("moderator")
    page = text(staff.get("/forum/moderation"))
    assert page.index("Illegal material") < page.index("Spam")
    assert "Advertising" in page
    assert SECRET_WORD not in page  # suspected illegal material is not shown in the queue

    with forum.app.app_context():
        from kx.forum.models import Report

        illegal = db.session.scalar(db.select(Report.id).where(Report.reason == "illegal-material"))
    response = send(staff, f"/forum/reports/{illegal}/resolve", {"resolution": "dismiss"})
    assert response.status_code == 302
    assert "Report dismissed." in text(staff.get("/forum/moderation"))
    assert SECRET_WORD in text(browser_for("academic").get(f"/forum/threads/{thread_id}"))
    assert found(forum, "academic")
    assert "report.dismiss" in audit_actions(forum)
    # a closed report cannot be closed twice
    send(staff, f"/forum/reports/{illegal}/resolve", {"resolution": "delete"})
    assert not forum.post(reply).deleted


@pytest.mark.parametrize("resolution", ["hide", "delete"])
def test_hide_or_delete_from_the_queue(resolution, reported, forum, browser_for):
    thread_id, _, reply = reported
    report_id = forum.report(reply, by="author", reason="abusive")
    response = send(
        browser_for("moderator"),
        f"/forum/reports/{report_id}/resolve",
        {"resolution": resolution},
    )
    assert response.status_code == 302
    page = text(browser_for("academic").get(f"/forum/threads/{thread_id}"))
    assert SECRET_WORD not in page
    assert not found(forum, "academic")
    if resolution == "delete":
        assert "Post deleted by a moderator." in page
    assert f"report.{resolution}" in audit_actions(forum)


def open_report_ids(forum) -> list[int]:
    with forum.app.app_context():
        from kx.forum.models import Report

        return list(db.session.scalars(db.select(Report.id).where(Report.resolved_at.is_(None))))


def audited_reports(forum, action: str) -> list[int]:
    with forum.app.app_context():
        return list(
            db.session.scalars(
                db.select(AuditEvent.target_id)
                .where(AuditEvent.action == action, AuditEvent.target_type == "report")
                .order_by(AuditEvent.target_id)
            )
        )


@pytest.mark.parametrize("resolution", ["dismiss", "hide", "delete"])
def test_resolving_a_report_closes_every_open_report_on_the_post(
    resolution, reported, forum, browser_for
):
    _, first, reply = reported
    spam = forum.report(reply, by="author", reason="spam")
    abusive = forum.report(reply, by="academic", reason="abusive", note="Rude")
    elsewhere = forum.report(first, by="other", reason="off-topic")
    staff = browser_for("moderator")
    page = text(staff.get("/forum/moderation"))
    assert page.count("This post has 1 other open report") == 2

    response = send(staff, f"/forum/reports/{abusive}/resolve", {"resolution": resolution})
    assert response.status_code == 302
    assert open_report_ids(forum) == [elsewhere]
    assert audited_reports(forum, f"report.{resolution}") == [spam, abusive]
    page = text(staff.get(response.headers["Location"]))
    assert "1 other report on it closed too." in page
    assert "Open reports (1)" in page and "Rude" not in page
    # the other report is closed: acting on it again changes nothing
    send(staff, f"/forum/reports/{spam}/resolve", {"resolution": "delete"})
    assert forum.post(reply).deleted == (resolution == "delete")


def test_dismissing_another_report_keeps_a_post_hidden_for_illegal_material(
    reported, forum, browser_for
):
    thread_id, _, reply = reported
    spam = forum.report(reply, by="author", reason="spam")
    forum.report(reply, by="academic", reason="illegal-material")
    staff = browser_for("moderator")
    # the spam report's card does not offer the text of a post reported as illegal either
    assert SECRET_WORD not in text(staff.get("/forum/moderation"))
    send(staff, f"/forum/reports/{spam}/resolve", {"resolution": "dismiss"})
    assert open_report_ids(forum) == []
    assert forum.post(reply).hidden
    assert SECRET_WORD not in text(browser_for("academic").get(f"/forum/threads/{thread_id}"))


def test_moderator_actions_are_audited(reported, forum, browser_for):
    thread_id, first, _ = reported
    staff = browser_for("moderator")
    send(staff, f"/forum/posts/{first}/moderate", {"action": "hide"})
    send(staff, f"/forum/posts/{first}/moderate", {"action": "restore"})
    for action in ("lock", "unlock", "pin", "unpin"):
        send(staff, f"/forum/threads/{thread_id}/moderate", {"action": action})
    send(staff, f"/forum/threads/{thread_id}/moderate", {"action": "move", "category": "policing"})
    send(staff, f"/forum/threads/{thread_id}/moderate", {"action": "delete"})
    assert audit_actions(forum)[-8:] == [
        "post.hide",
        "post.restore",
        "thread.lock",
        "thread.unlock",
        "thread.pin",
        "thread.unpin",
        "thread.move",
        "thread.delete",
    ]
    assert browser_for("other").get(f"/forum/threads/{thread_id}").status_code == 404


def test_move_without_a_category_says_so(reported, forum, browser_for):
    thread_id, _, _ = reported
    staff = browser_for("moderator")
    response = send(staff, f"/forum/threads/{thread_id}/moderate", {"action": "move"})
    assert response.status_code == 302
    assert "Choose a category." in text(staff.get(response.headers["Location"]))
    assert forum.thread_state(thread_id).category == "prevention"


def test_pinned_threads_come_first(forum, browser_for):
    pinned, _ = forum.thread(title="Read this first: house rules")
    forum.thread(title="A later, busier thread")
    forum.moderate_thread(pinned, "pin")
    page = text(browser_for("other").get("/forum/cross-disciplinary"))
    assert page.index("Read this first") < page.index("A later, busier thread")
    assert "Pinned" in page


def test_edit_history_is_visible_to_moderators_only(forum, browser_for):
    thread_id, post_id = forum.thread(body="First wording with a typo")
    send(browser_for("author"), f"/forum/posts/{post_id}/edit", {"body": "Second wording"})
    for viewer in ("author", "other"):
        page = text(browser_for(viewer).get(f"/forum/threads/{thread_id}"))
        assert "edited" in page
        assert "First wording with a typo" not in page
        assert "Edit history" not in page
    page = text(browser_for("moderator").get(f"/forum/threads/{thread_id}"))
    assert "Edit history (1 earlier version; moderators only)" in page
    assert "First wording with a typo" in page
    assert "Text before a change by Alex Author" in page


def test_moderator_edit_of_someone_elses_post_is_audited(forum, browser_for):
    _, post_id = forum.thread()
    send(browser_for("moderator"), f"/forum/posts/{post_id}/edit", {"body": "Trimmed by staff"})
    assert forum.post(post_id).body == "Trimmed by staff"
    assert "post.edit" in audit_actions(forum)


def test_category_visibility_is_set_on_the_moderation_page(forum, browser_for):
    forum.thread(category="education", title="Lessons for schools")
    assert browser_for(None).get("/forum/education").status_code == 404
    staff = browser_for("moderator")
    response = send(staff, "/forum/categories/education/visibility", {"visibility": "public"})
    assert response.status_code == 302
    assert "Education is now public." in text(staff.get("/forum/moderation"))
    page = browser_for(None).get("/forum/education")
    assert page.status_code == 200 and "Lessons for schools" in text(page)
    assert "forum.category" in audit_actions(forum)
    assert (
        send(staff, "/forum/categories/education/visibility", {"visibility": "x"}).status_code
        == 422
    )
    assert (
        send(staff, "/forum/categories/nowhere/visibility", {"visibility": "public"}).status_code
        == 422
    )


def test_members_only_threads_stay_out_of_public_search(forum):
    forum.thread(category="policing", body=f"Members talk about {SECRET_WORD}.")
    assert not found(forum, None)
    assert not found(forum, "unverified")
    assert found(forum, "other")
    forum.visibility("policing", "public")
    assert found(forum, None)
