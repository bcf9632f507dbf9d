"""@mentions: ``@`` and a member's name, as shown on their posts, tells that member (in the
app, and by mail at once by default) when they may read the thread; once per post, also
across edits; bounded work whatever the post holds."""

import threading
import time

from sqlalchemy import event

from kx.accounts.models import User
from kx.database import transaction
from kx.extensions import db
from kx.forum.mentions import MAX_CANDIDATES
from kx.forum.services import MAX_POST
from tests.support.forum import send, text
from tests.support.smtp import text_of


def test_a_mention_tells_the_member_once_in_the_app_and_by_mail(
    mail_app, smtp, forum, people, browser_for
):
    thread_id, _ = forum.thread(by="author")
    body = "Thanks @alex author, and @Ada Academic: see @Alex Author's point."
    response = send(browser_for("other"), f"/forum/threads/{thread_id}/reply", {"body": body})
    assert response.status_code == 302
    # the thread's author is mentioned rather than told of a reply; each member once
    assert forum.unread("author") == 1 and forum.unread("academic") == 1
    assert forum.unread("moderator") == 0
    smtp.wait_for(3)  # with the unverified account's address confirmation
    time.sleep(0.3)
    messages = [m for m in smtp.messages if "mentioned" in m["Subject"]]
    assert sorted(m["To"] for m in messages) == sorted([people.author.email, people.academic.email])
    for message in messages:
        assert message["Subject"].strip() == (
            "[kx] Olive Other mentioned you in “Working across police and treatment”"
        )
        assert "List-Unsubscribe" in message
    assert "/forum/posts/" in text_of(messages[0])
    page = text(browser_for("academic").get(f"/forum/threads/{thread_id}"))
    assert "<strong>@alex author</strong>" in page and "<strong>@Ada Academic</strong>" in page
    assert "mentioned you in" in text(browser_for("academic").get("/notifications"))


def test_a_member_who_may_not_read_the_thread_is_never_told(forum, app, people, browser_for):
    # the default category is for verified members; an unverified or deactivated account
    # is no one to mention
    with app.app_context(), transaction():
        db.session.get(User, people.academic.id).active = False
    forum.thread(by="author", body="Over to @Una Unverified and @Ada Academic.")
    forum.visibility("policing", "public")
    thread_id, _ = forum.thread(by="author", category="policing", body="@Una Unverified?")
    assert forum.unread("unverified") == 0 and forum.unread("academic") == 0
    assert "<p>@Una Unverified?</p>" in text(browser_for(None).get(f"/forum/threads/{thread_id}"))


def test_unknown_names_addresses_code_and_self_mentions_tell_nobody(forum, people, browser_for):
    body = (
        "@Nobody Here knows. I am @Olive Other. Write to alex@example.org, "
        "not `@Alex Author`.\n\n> @Ada Academic once said\n\n[@Mo Moderator](https://example.org)"
    )
    thread_id, _ = forum.thread(by="other", body=body)
    for name in ("author", "other", "academic", "moderator"):
        assert forum.unread(name) == 0, name
    page = text(browser_for("author").get(f"/forum/threads/{thread_id}"))
    assert "<strong>@Olive Other</strong>" in page  # shown, but nobody is told of themselves
    assert "<strong>@Nobody" not in page and "<code>@Alex Author</code>" in page


def test_an_edit_tells_only_the_newly_mentioned(forum, browser_for):
    _thread, post_id = forum.thread(by="author", body="Asking @Olive Other.")
    assert forum.unread("other") == 1
    author = browser_for("author")
    for body in ("Asking @Olive Other and @Ada Academic.", "Asking nobody.", "@olive other?"):
        response = send(author, f"/forum/posts/{post_id}/edit", {"body": body})
        assert response.status_code == 302
    assert forum.unread("other") == 1 and forum.unread("academic") == 1


def test_a_post_full_of_at_signs_costs_one_name_lookup(forum, app):
    def statements_of(body: str) -> list[str]:
        statements = []

        def count(_conn, _cursor, statement, *_args):
            if threading.get_ident() == caller:  # not the mail sender's
                statements.append(statement)

        caller = threading.get_ident()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            forum.thread(by="author", body=body)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return statements

    plain = statements_of("No names here. " * 500)
    heavy = statements_of("@x " * 500 + "@Ada Academic " * 500)
    assert len(heavy) == len(plain) + 1
    assert next(s for s in heavy if s not in plain).count("lower(users.display_name) IN") == 1
    # the names past the first MAX_CANDIDATES "@" are not looked up
    statements_of("@Olive Other " * MAX_CANDIDATES + "@Ada Academic")
    assert forum.unread("academic") == 0 and forum.unread("other") == 1


def test_a_refused_post_tells_nobody(forum, browser_for):
    thread_id, _ = forum.thread(by="author")
    url = f"/forum/threads/{thread_id}/reply"
    too_long = "@Ada Academic " + "x" * MAX_POST
    assert send(browser_for("other"), url, {"body": too_long}).status_code == 422
    # an unverified account may not even read the members' category
    assert send(browser_for("unverified"), url, {"body": "@Ada Academic"}).status_code == 404
    assert forum.unread("academic") == 0
