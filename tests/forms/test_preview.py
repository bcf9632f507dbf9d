"""The Markdown preview: the endpoint the Preview tab calls renders through the sanitiser a
save uses, refuses a request without the form's CSRF token, text longer or more complex than
a save takes, and strangers; the forms' own Preview button (no script) shows the rendered
text beside each field, keeps everything typed and saves nothing."""

import re

from sqlalchemy import func, select

from kx.extensions import db
from kx.forum.models import Post, Thread
from kx.practice.models import Practice
from kx.records.schemas import MAX_MARKDOWN
from kx.research.models import Research
from tests.support.browser import Html, csrf_token, submit
from tests.support.forum import send
from tests.support.practice import form_data


def preview(client, text: str, token: str | None = None):
    token = token if token is not None else csrf_token(client, "/practices/new")
    return client.post("/preview", data={"text": text}, headers={"X-CSRFToken": token})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_preview_renders_markdown_as_a_save_would(people):
    response = preview(people.author_client, "Some **bold** text\n\n- one\n- two")
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<li>one</li>" in html
    assert response.headers["Cache-Control"] == "private, no-store"


def test_preview_strips_scripts_handlers_and_javascript_links(people):
    text = (
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) ![alt text](https://evil.example/x.png)\n\n"
        '<a href="#" onclick="alert(4)">raw link</a>'
    )
    html = preview(people.author_client, text).get_json()["html"]
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert not re.search(r"<[^>]+\son\w+=", lowered)
    assert 'href="javascript' not in lowered
    assert "alt text" in html  # an image shows as its alt text, never loads


def test_preview_without_the_csrf_token_is_refused_in_json(people):
    client = people.author_client
    client.get("/practices/new")  # a session with a token exists, but it is not sent
    response = client.post("/preview", data={"text": "hello"})
    assert response.status_code == 400
    assert "expired" in response.get_json()["error"]["message"]


def test_preview_is_for_signed_in_members_only(client):
    token = csrf_token(client, "/login")
    response = client.post("/preview", data={"text": "hi"}, headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert "signed out" in response.get_json()["error"]["message"]


def test_preview_is_bounded_like_a_save(people):
    client = people.author_client
    token = csrf_token(client, "/practices/new")
    too_long = preview(client, "a" * (MAX_MARKDOWN + 1), token)
    assert too_long.status_code == 413
    assert f"{MAX_MARKDOWN:,}" in too_long.get_json()["error"]["message"]
    too_deep = preview(client, "> " * 200 + "deep", token)
    assert too_deep.status_code == 422
    assert "too complex" in too_deep.get_json()["error"]["message"]
    assert preview(client, "a" * MAX_MARKDOWN, token).status_code == 200


def test_preview_is_rate_limited_per_member(app, people):
    app.config["PREVIEW_LIMITS"] = "3 per minute"
    client = people.author_client
    token = csrf_token(client, "/practices/new")
    answers = [preview(client, "text", token).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = preview(client, "text", token)
    assert limited.get_json()["error"]["status"] == 429
    assert "Retry-After" in limited.headers


def test_practice_preview_button_shows_the_text_rendered_and_saves_nothing(app, people):
    data = form_data(body="Counsellors answer **anonymously**.\n\n<script>alert(1)</script>")
    response = submit(people.author_client, "/practices/new", {**data, "action": "preview"})
    page = Html(response)

    assert page.status == 200
    shown = re.search(
        r'<div class="markdown-preview" id="body-preview"[^>]*>(.*?)</div>\n</div>', page.html, re.S
    )
    assert shown and "hidden" not in shown.group(0).split(">")[0]
    assert "<strong>anonymously</strong>" in shown.group(1)
    assert "<script>alert(1)" not in page.html
    # everything typed is still in the form
    assert page.value("body") == data["body"]
    assert page.value("title") == data["title"]
    assert sorted(page.values("countries")) == sorted(data["countries"])
    assert sorted(page.values("stages")) == sorted(data["stages"])
    assert count(app, Practice) == 0


def test_research_preview_button_keeps_input(app, people):
    response = submit(
        people.author_client,
        "/research/new",
        {
            "title": "A study",
            "key_findings": "- fewer *reoffences*",
            "visibility": "public",
            "action": "preview",
        },
    )
    page = Html(response)
    assert page.status == 200
    assert "<em>reoffences</em>" in page.html
    assert page.value("key_findings") == "- fewer *reoffences*"
    assert page.value("title") == "A study"
    assert count(app, Research) == 0


def test_forum_preview_buttons_post_nothing(app, people):
    client = people.author_client
    new = Html(
        send(
            client,
            "/forum/new",
            {
                "category": "policing",
                "kind": "discussion",
                "title": "Helplines",
                "body": "A *first* word",
                "action": "preview",
            },
        )
    )
    assert new.status == 200
    assert "<em>first</em>" in new.text_of("body-preview") or "<em>first</em>" in new.html
    assert new.value("title") == "Helplines"
    assert count(app, Thread) == 0

    send(
        client,
        "/forum/new",
        {
            "category": "policing",
            "kind": "discussion",
            "title": "Helplines",
            "body": "A first word",
        },
    )
    with app.app_context():
        thread_id = db.session.scalar(select(Thread.id))
    reply = Html(
        send(
            client,
            f"/forum/threads/{thread_id}/reply",
            {"body": "My **reply**", "action": "preview"},
        )
    )
    assert reply.status == 200
    assert "<strong>reply</strong>" in reply.html
    assert reply.value("body") == "My **reply**"
    assert count(app, Post) == 1
