"""Who may do what in the forum, through the real pages with CSRF tokens.

Every action is tried by an anonymous visitor, an unverified member, the author of the
thread and its first post, another verified member and a moderator. Each case checks the
response a person would get and that the change happened exactly when it was allowed.
"""

import pytest

from kx.extensions import db
from kx.forum.models import Follow, Post, Report
from tests.support.forum import send, text

PEOPLE = (None, "unverified", "author", "other", "moderator")
LOGIN = "login"


def outcome(response):
    """The status a person notices; a redirect to the sign-in page counts as ``login``."""
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    return response.status_code


def arrange(forum, category="cross-disciplinary", kind="discussion"):
    """A thread by the author (first post), a reply by the other member, and an open
    report on that reply by the academic."""
    if category != "cross-disciplinary":
        forum.visibility(category, "public")
    thread_id, first = forum.thread(category=category, kind=kind)
    reply = forum.reply(thread_id, by="other")
    report = forum.report(reply, by="academic", reason="spam")
    return {"thread": thread_id, "first": first, "reply": reply, "report": report}


def _post_body(forum, ids):
    return forum.post(ids["first"]).body


def _follows(forum, user_id, target_type):
    with forum.app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Follow.id)).where(
                Follow.user_id == user_id, Follow.target_type == target_type
            )
        )


def _report_open(forum, ids):
    with forum.app.app_context():
        return db.session.get(Report, ids["report"]).resolved_at is None


def _thread_count(forum):
    from kx.forum.models import Thread

    with forum.app.app_context():
        return db.session.scalar(db.select(db.func.count(Thread.id)))


def _post_count(forum, ids):
    with forum.app.app_context():
        return db.session.scalar(
            db.select(db.func.count(Post.id)).where(Post.thread_id == ids["thread"])
        )


MEMBERS_ONLY = {None: LOGIN, "unverified": 404, "author": 302, "other": 302, "moderator": 302}
AUTHOR_ONLY = {None: LOGIN, "unverified": 404, "author": 302, "other": 403, "moderator": 302}
MODERATOR_ONLY = {None: LOGIN, "unverified": 404, "author": 403, "other": 403, "moderator": 302}
STAFF_PAGE = {None: LOGIN, "unverified": 403, "author": 403, "other": 403, "moderator": 302}


# action: (method, url, data, expected per person, "changed?" probe or None)
CASES = {
    "reply": (
        "POST",
        "/forum/threads/{thread}/reply",
        {"body": "A reply from a test."},
        MEMBERS_ONLY,
        lambda forum, ids, before: _post_count(forum, ids) > before,
    ),
    "create thread": (
        "POST",
        "/forum/new",
        {"category": "cross-disciplinary", "kind": "question", "title": "T", "body": "B"},
        {None: LOGIN, "unverified": 404, "author": 302, "other": 302, "moderator": 302},
        lambda forum, ids, before: _thread_count(forum) > 1,
    ),
    "edit post": (
        "POST",
        "/forum/posts/{first}/edit",
        {"body": "Changed text."},
        AUTHOR_ONLY,
        lambda forum, ids, before: _post_body(forum, ids) == "Changed text.",
    ),
    "delete post": (
        "POST",
        "/forum/posts/{first}/delete",
        {},
        AUTHOR_ONLY,
        lambda forum, ids, before: forum.post(ids["first"]).deleted,
    ),
    "report post": (
        "POST",
        "/forum/posts/{first}/report",
        {"reason": "off-topic", "note": "Belongs elsewhere."},
        # the author cannot report their own post: the form comes back with the reason
        {None: LOGIN, "unverified": 404, "author": 422, "other": 302, "moderator": 302},
        None,
    ),
    "hide post": (
        "POST",
        "/forum/posts/{first}/moderate",
        {"action": "hide"},
        MODERATOR_ONLY,
        lambda forum, ids, before: forum.post(ids["first"]).hidden,
    ),
    "lock thread": (
        "POST",
        "/forum/threads/{thread}/moderate",
        {"action": "lock"},
        MODERATOR_ONLY,
        lambda forum, ids, before: forum.thread_state(ids["thread"]).locked,
    ),
    "pin thread": (
        "POST",
        "/forum/threads/{thread}/moderate",
        {"action": "pin"},
        MODERATOR_ONLY,
        lambda forum, ids, before: forum.thread_state(ids["thread"]).pinned,
    ),
    "move thread": (
        "POST",
        "/forum/threads/{thread}/moderate",
        {"action": "move", "category": "policing"},
        MODERATOR_ONLY,
        lambda forum, ids, before: forum.thread_state(ids["thread"]).category == "policing",
    ),
    "delete thread": (
        "POST",
        "/forum/threads/{thread}/moderate",
        {"action": "delete"},
        MODERATOR_ONLY,
        lambda forum, ids, before: forum.thread_state(ids["thread"]).deleted,
    ),
    "follow thread": (
        "POST",
        "/forum/follow",
        {"target_type": "thread", "target": "{thread}"},
        # the other member already follows the thread they replied to; an unverified
        # member is told to wait for verification before anything is looked up
        {None: LOGIN, "unverified": 403, "author": 302, "other": 302, "moderator": 302},
        None,
    ),
    "resolve report": (
        "POST",
        "/forum/reports/{report}/resolve",
        {"resolution": "dismiss"},
        STAFF_PAGE,
        lambda forum, ids, before: not _report_open(forum, ids),
    ),
    "category visibility": (
        "POST",
        "/forum/categories/education/visibility",
        {"visibility": "public"},
        STAFF_PAGE,
        None,
    ),
    "moderation page": (
        "GET",
        "/forum/moderation",
        None,
        {None: LOGIN, "unverified": 403, "author": 403, "other": 403, "moderator": 200},
        None,
    ),
    "read thread": (
        "GET",
        "/forum/threads/{thread}",
        None,
        {None: 404, "unverified": 404, "author": 200, "other": 200, "moderator": 200},
        None,
    ),
    "read category": (
        "GET",
        "/forum/cross-disciplinary",
        None,
        {None: 404, "unverified": 404, "author": 200, "other": 200, "moderator": 200},
        None,
    ),
    "edit form": (
        "GET",
        "/forum/posts/{first}/edit",
        None,
        {None: LOGIN, "unverified": 404, "author": 200, "other": 403, "moderator": 200},
        None,
    ),
    "new thread form": (
        "GET",
        "/forum/new",
        None,
        {None: LOGIN, "unverified": 403, "author": 200, "other": 200, "moderator": 200},
        None,
    ),
    "notifications": (
        "GET",
        "/notifications",
        None,
        {None: LOGIN, "unverified": 200, "author": 200, "other": 200, "moderator": 200},
        None,
    ),
}


@pytest.mark.parametrize("who", PEOPLE, ids=lambda w: w or "anonymous")
@pytest.mark.parametrize("action", CASES)
def test_members_only_category(action, who, forum, browser_for):
    method, url, data, expected, changed = CASES[action]
    ids = arrange(forum)
    before = _post_count(forum, ids)
    url = url.format(**ids)
    client = browser_for(who)
    if method == "GET":
        response = client.get(url)
    else:
        data = {k: v.format(**ids) for k, v in data.items()}
        response = send(client, url, data)
    assert outcome(response) == expected[who], text(response)[:2000]
    if changed is not None:
        assert changed(forum, ids, before) == (expected[who] == 302)


# A public category: anyone reads; an unverified member now sees the thread but is told
# that only verified members take part.

PUBLIC_CASES = {
    "reply": ("/forum/threads/{thread}/reply", {"body": "Hello"}),
    "edit post": ("/forum/posts/{first}/edit", {"body": "Changed"}),
    "report post": ("/forum/posts/{first}/report", {"reason": "spam"}),
    "vote": ("/forum/threads/{thread}/vote", {}),
    "follow category": ("/forum/follow", {"target_type": "category", "target": "prevention"}),
    "create thread": (
        "/forum/new",
        {"category": "prevention", "kind": "discussion", "title": "T", "body": "B"},
    ),
}


@pytest.mark.parametrize("action", PUBLIC_CASES)
def test_unverified_member_reads_public_category_but_cannot_take_part(action, forum, browser_for):
    ids = arrange(forum, category="prevention", kind="research-need")
    client = browser_for("unverified")
    page = client.get(f"/forum/threads/{ids['thread']}")
    assert page.status_code == 200
    assert "must be verified by a moderator before you can post" in text(page)
    url, data = PUBLIC_CASES[action]
    response = send(client, url.format(**ids), data)
    assert response.status_code == 403
    if action != "edit post":  # not their post: refused as such, before anything else
        assert "must be verified by a moderator" in text(response)
    assert forum.thread_state(ids["thread"]).votes == 0
    assert forum.post(ids["first"]).body == "How do you share risk information?"


@pytest.mark.parametrize("who", PEOPLE, ids=lambda w: w or "anonymous")
def test_anyone_reads_a_public_category(who, forum, browser_for):
    ids = arrange(forum, category="prevention")
    client = browser_for(who)
    assert client.get("/forum/prevention").status_code == 200
    page = client.get(f"/forum/threads/{ids['thread']}")
    assert page.status_code == 200
    assert "How do you share risk information?" in text(page)


@pytest.mark.parametrize(
    "who,expected",
    # a hidden post does not exist for anyone but moderators, its author included
    [(None, LOGIN), ("unverified", 404), ("author", 404), ("other", 404), ("moderator", 302)],
    ids=lambda w: str(w),
)
def test_restore_post(who, expected, forum, browser_for):
    ids = arrange(forum)
    forum.report(ids["first"], by="other", reason="illegal-material")
    response = send(
        browser_for(who), f"/forum/posts/{ids['first']}/moderate", {"action": "restore"}
    )
    assert outcome(response) == expected
    assert forum.post(ids["first"]).hidden == (expected != 302)


@pytest.mark.parametrize(
    "who,expected",
    [
        (None, LOGIN),
        ("unverified", 404),
        ("author", 403),
        ("other", 403),
        ("academic", 302),
        ("moderator", 302),
    ],
    ids=lambda w: str(w),
)
def test_claim_research_need(who, expected, forum, browser_for):
    ids = arrange(forum, kind="research-need")
    response = send(
        browser_for(who), f"/forum/threads/{ids['thread']}/status", {"status": "claimed"}
    )
    assert outcome(response) == expected
    assert forum.thread_state(ids["thread"]).status == ("claimed" if expected == 302 else "open")


@pytest.mark.parametrize(
    "who,expected",
    [(None, LOGIN), ("unverified", 404), ("author", 302), ("other", 302), ("moderator", 302)],
    ids=lambda w: str(w),
)
def test_vote(who, expected, forum, browser_for):
    ids = arrange(forum, kind="research-need")
    response = send(browser_for(who), f"/forum/threads/{ids['thread']}/vote")
    assert outcome(response) == expected
    assert forum.thread_state(ids["thread"]).votes == (1 if expected == 302 else 0)


@pytest.mark.parametrize(
    "who,expected",
    [("author", 403), ("other", 403), ("academic", 302), ("moderator", 302)],
)
def test_only_the_claimer_or_a_moderator_updates_a_claimed_need(who, expected, forum, browser_for):
    ids = arrange(forum, kind="research-need")
    send(browser_for("academic"), f"/forum/threads/{ids['thread']}/status", {"status": "claimed"})
    response = send(
        browser_for(who), f"/forum/threads/{ids['thread']}/status", {"status": "in-progress"}
    )
    assert response.status_code == expected
    status = forum.thread_state(ids["thread"]).status
    assert status == ("in-progress" if expected == 302 else "claimed")


def test_follow_category_needs_a_verified_member(forum, browser_for, people):
    forum.visibility("education", "public")
    for who, expected in ((None, LOGIN), ("unverified", 403), ("other", 302)):
        response = send(
            browser_for(who), "/forum/follow", {"target_type": "category", "target": "education"}
        )
        assert outcome(response) == expected
    assert _follows(forum, people.unverified.id, "category") == 0
    assert _follows(forum, people.other.id, "category") == 1


def test_follow_rejects_odd_targets(forum, browser_for):
    client = browser_for("other")
    assert (
        send(client, "/forum/follow", {"target_type": "thread", "target": "x1"}).status_code == 404
    )
    assert (
        send(client, "/forum/follow", {"target_type": "thread", "target": "999"}).status_code == 404
    )
    response = send(client, "/forum/follow", {"target_type": "planet", "target": "mars"})
    assert response.status_code == 302
    assert "You can follow a thread, a category or a domain." in text(client.get("/forum"))


def test_someone_elses_post_id_gets_403_and_an_unknown_one_404(forum, browser_for):
    ids = arrange(forum)
    client = browser_for("other")
    assert client.get(f"/forum/posts/{ids['first']}/edit").status_code == 403
    assert client.get("/forum/posts/99999/edit").status_code == 404
    assert send(client, "/forum/posts/99999/delete").status_code == 404
    assert client.get("/forum/threads/99999").status_code == 404
    assert client.get("/forum/threads/99999999999").status_code == 404
    assert send(client, "/forum/reports/99999/resolve", {"resolution": "hide"}).status_code == 403


def test_posts_without_csrf_token_are_refused(forum, browser_for):
    ids = arrange(forum)
    client = browser_for("other")
    response = client.post(f"/forum/threads/{ids['thread']}/reply", data={"body": "No token"})
    assert response.status_code == 400
    assert _post_count(forum, ids) == 2
