"""The research-needs board: votes once per member, shown by sector; an academic claims a
need, updates it and links the research summary that addresses it; the status changes
appear in the thread; filters and sorting."""

import re

from kx.extensions import db
from kx.forum.models import Post
from tests.support.forum import send, text, vote_cast_meanwhile


def need(forum, title="Do warning messages reduce searches?", category="prevention", by="other"):
    thread_id, _ = forum.thread(by=by, category=category, kind="research-need", title=title)
    return thread_id


def test_votes_count_once_and_show_by_sector(forum, browser_for):
    thread_id = need(forum)
    for who in ("author", "author", "other", "academic", "moderator"):
        response = send(browser_for(who), f"/forum/threads/{thread_id}/vote")
        assert response.status_code == 302
    assert forum.thread_state(thread_id).votes == 4
    author = browser_for("author")
    page = text(author.get(f"/forum/threads/{thread_id}"))
    assert "Votes by sector: 4 votes" in page
    for sector in ("Law enforcement", "Treatment", "Academic", "NGO / charity"):
        assert re.search(rf'<th scope="row">{re.escape(sector)}</th><td class="num">1</td>', page)
    assert "You voted for this need" in page
    assert "Vote for this research need" not in page


def test_duplicate_vote_is_refused_idempotently(forum, browser_for):
    thread_id = need(forum)
    client = browser_for("author")
    send(client, f"/forum/threads/{thread_id}/vote")
    response = send(client, f"/forum/threads/{thread_id}/vote")
    assert response.status_code == 302
    assert "You have already voted for this research need; it counts once." in text(
        client.get(response.headers["Location"])
    )
    assert forum.thread_state(thread_id).votes == 1


def test_a_vote_cast_twice_at_the_same_moment_counts_once(forum, browser_for, people):
    thread_id = need(forum)
    client = browser_for("author")
    with vote_cast_meanwhile(forum.app, thread_id, people.author.id) as cast:
        response = send(client, f"/forum/threads/{thread_id}/vote")
    assert cast, "the competing vote was not cast"
    assert response.status_code == 302
    assert "You have already voted for this research need; it counts once." in text(
        client.get(response.headers["Location"])
    )
    assert forum.thread_state(thread_id).votes == 1


def test_discussions_take_no_votes(forum, browser_for):
    thread_id, _ = forum.thread()
    response = send(browser_for("author"), f"/forum/threads/{thread_id}/vote")
    assert response.status_code == 422
    assert forum.thread_state(thread_id).votes == 0


def test_claim_progress_and_address_with_research(forum, browser_for):
    thread_id = need(forum)
    research_id = forum.research(title="A randomised trial of warning messages")
    academic = browser_for("academic")
    page = text(academic.get(f"/forum/threads/{thread_id}"))
    assert "Claim this research need" in page
    assert "Claim this research need" not in text(
        browser_for("author").get(f"/forum/threads/{thread_id}")
    )

    assert (
        send(academic, f"/forum/threads/{thread_id}/status", {"status": "claimed"}).status_code
        == 302
    )
    assert (
        send(academic, f"/forum/threads/{thread_id}/status", {"status": "claimed"}).status_code
        == 302
    )
    assert "Only an open need can be claimed." in text(academic.get(f"/forum/threads/{thread_id}"))
    send(academic, f"/forum/threads/{thread_id}/status", {"status": "in-progress"})

    # addressed needs the research summary: refused without one, the form says so
    response = send(academic, f"/forum/threads/{thread_id}/status", {"status": "addressed"})
    assert response.status_code == 422
    assert "Choose a research summary." in text(response)
    assert forum.thread_state(thread_id).status == "in-progress"

    response = send(
        academic,
        f"/forum/threads/{thread_id}/status",
        {"status": "addressed", "research_id": str(research_id)},
    )
    assert response.status_code == 302
    state = forum.thread_state(thread_id)
    assert state.status == "addressed"
    assert state.addressed_by_id == research_id
    assert ("research", research_id) in state.links

    page = text(browser_for("author").get(f"/forum/threads/{thread_id}"))
    assert "Status: Addressed" in page
    assert "Claimed by Ada Academic (Academic)" in page
    assert f'href="/research/{research_id}"' in page
    # every change is shown in the thread, in order
    events = re.findall(r"marked this research need <span[^>]*>([^<]+)</span>", page)
    assert events == ["Claimed", "In progress", "Addressed"]


def test_repeating_the_current_status_is_refused(forum, browser_for):
    thread_id = need(forum)
    academic = browser_for("academic")
    send(academic, f"/forum/threads/{thread_id}/status", {"status": "claimed"})
    send(academic, f"/forum/threads/{thread_id}/status", {"status": "in-progress"})
    response = send(academic, f"/forum/threads/{thread_id}/status", {"status": "in-progress"})
    assert response.status_code == 422
    assert "already marked in progress" in text(response)
    with forum.app.app_context():
        events = db.session.scalars(
            db.select(Post.event).where(Post.thread_id == thread_id, Post.event != "")
        ).all()
    assert events == ["claimed", "in-progress"]


def test_status_events_cannot_be_edited_reported_or_deleted(forum, browser_for):
    thread_id = need(forum)
    academic = browser_for("academic")
    send(academic, f"/forum/threads/{thread_id}/status", {"status": "claimed"})
    with forum.app.app_context():
        event_id = db.session.scalar(
            db.select(Post.id).where(Post.thread_id == thread_id, Post.event == "claimed")
        )
    assert academic.get(f"/forum/posts/{event_id}/edit").status_code == 404
    assert send(academic, f"/forum/posts/{event_id}/delete").status_code == 404
    assert (
        send(
            browser_for("author"), f"/forum/posts/{event_id}/report", {"reason": "spam"}
        ).status_code
        == 404
    )


def test_board_filters_and_sorts(forum, browser_for):
    forum.visibility("prevention", "public")
    popular = need(forum, title="Popular prevention need", category="prevention")
    newest = need(forum, title="Newest treatment need", category="treatment")
    claimed = need(forum, title="Claimed policing need", category="policing")
    forum.thread(title="Just a discussion")
    for who in ("author", "academic", "moderator"):
        send(browser_for(who), f"/forum/threads/{popular}/vote")
    send(browser_for("academic"), f"/forum/threads/{claimed}/status", {"status": "claimed"})
    member = browser_for("author")

    page = text(member.get("/forum/research-needs"))
    assert "3 research needs" in page
    assert "Just a discussion" not in page
    assert page.index("Popular prevention need") < page.index("Newest treatment need")
    assert "Votes by sector: 3 votes" in page

    page = text(member.get("/forum/research-needs?sort=newest"))
    assert page.index("Newest treatment need") < page.index("Popular prevention need")
    assert page.index("Claimed policing need") < page.index("Newest treatment need")

    page = text(member.get("/forum/research-needs?domain=treatment"))
    assert "1 research need matching your filters" in page
    assert "Newest treatment need" in page and "Popular prevention need" not in page

    page = text(member.get("/forum/research-needs?status=claimed"))
    assert "Claimed policing need" in page and "Popular prevention need" not in page
    assert "claimed by Ada Academic (Academic)" in page

    # unknown filter values are ignored; a visitor sees public categories only
    assert member.get("/forum/research-needs?domain=x&status=y&sort=z").status_code == 200
    visitor = text(browser_for(None).get("/forum/research-needs"))
    assert "Popular prevention need" in visitor
    assert "Newest treatment need" not in visitor
    assert newest  # used above
