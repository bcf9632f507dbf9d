"""What the forum pages show: categories with counts, the kind filter, the header links, and
the "Discuss this" partial that practice and research pages include."""

import re

from flask import render_template_string
from flask_login import login_user

from kx.extensions import db
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.forum import text


def test_index_lists_readable_categories_with_counts(forum, browser_for):
    forum.visibility("prevention", "public")
    forum.thread(category="prevention", title="Public thread")
    forum.thread(category="prevention", title="Second public thread")
    forum.thread(category="policing", title="Members thread")
    member = text(browser_for("other").get("/forum"))
    assert re.search(
        r'href="/forum/prevention">Prevention</a>.*?<td class="num">2</td>', member, re.S
    )
    assert re.search(r'href="/forum/policing">Policing</a>.*?<td class="num">1</td>', member, re.S)
    assert "Cross-disciplinary" in member and "No threads yet" in member
    assert 'Follow<span class="visually-hidden"> Policing</span>' in member

    visitor = text(browser_for(None).get("/forum"))
    assert 'href="/forum/prevention"' in visitor
    assert 'href="/forum/policing"' not in visitor
    assert "Members thread" not in visitor
    assert "Categories (7 more for verified members)" in visitor
    assert "Follow" not in visitor


def test_category_filters_by_kind(forum, browser_for):
    forum.thread(kind="question", title="A question thread")
    forum.thread(kind="discussion", title="A discussion thread")
    client = browser_for("other")
    page = text(client.get("/forum/cross-disciplinary?kind=question"))
    assert "A question thread" in page and "A discussion thread" not in page
    assert "1 thread of kind question" in page
    page = text(client.get("/forum/cross-disciplinary?kind=nonsense"))
    assert "A question thread" in page and "A discussion thread" in page


def test_header_has_forum_link_and_notifications_for_signed_in_users(browser_for):
    page = text(browser_for("other").get("/"))
    assert '<a href="/forum">Forum</a>' in page
    assert '<a href="/notifications" class="notifications-link"' in page
    forum_page = text(browser_for("other").get("/forum"))
    assert '<a href="/forum" aria-current="page">Forum</a>' in forum_page


def test_visitor_sees_how_to_take_part(forum, browser_for):
    forum.visibility("prevention", "public")
    thread_id, _ = forum.thread(category="prevention")
    page = text(browser_for(None).get(f"/forum/threads/{thread_id}"))
    assert "as a verified member to reply" in page
    assert "Report" not in page and "Quote" not in page


def test_thread_shows_author_sector_and_kind(forum, browser_for):
    thread_id, _ = forum.thread(kind="question")
    page = text(browser_for("other").get(f"/forum/threads/{thread_id}"))
    assert "Started by Alex Author (Law enforcement)" in page
    assert '<span class="badge badge--sector">Law enforcement</span>' in page
    assert "Question" in page


def _render_discuss(app, forum, item_model, item_id, viewer):
    with app.test_request_context():
        if viewer is not None:
            login_user(forum.user(viewer))
        return render_template_string(
            '{% include "forum/_discuss.html" %}', item=db.session.get(item_model, item_id)
        )


def test_discuss_partial_for_research(app, forum):
    research_id = forum.research()
    forum.visibility("prevention", "public")
    forum.thread(
        category="prevention",
        title="Replicating the helpline study",
        links=[{"type": "research", "id": research_id}],
    )
    forum.thread(
        category="policing",
        title="Members-only follow-up",
        links=[{"type": "research", "id": research_id}],
    )
    member = _render_discuss(app, forum, Research, research_id, "other")
    assert "Replicating the helpline study" in member and "Members-only follow-up" in member
    assert f'href="/forum/new?research={research_id}"' in member
    visitor = _render_discuss(app, forum, Research, research_id, None)
    assert "Replicating the helpline study" in visitor
    assert "Members-only follow-up" not in visitor
    assert "Sign in to discuss this research summary" in visitor
    unverified = _render_discuss(app, forum, Research, research_id, "unverified")
    assert "Discuss this" not in unverified


def test_discuss_partial_without_threads(app, forum):
    practice_id = forum.practice()
    html = _render_discuss(app, forum, Practice, practice_id, "other")
    assert "No forum threads about this practice example yet." in html
    assert "Discuss this" in html


def test_report_guidance_page_needs_sign_in(browser_for):
    response = browser_for(None).get("/forum/report-guidance")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = text(browser_for("other").get("/forum/report-guidance?thread=abc"))
    assert "Back to the forum" in page


def test_notifications_page_explains_itself_when_empty(browser_for):
    page = text(browser_for("other").get("/notifications"))
    assert "<h1>Notifications</h1>" in page
    assert "No notifications yet." in page
