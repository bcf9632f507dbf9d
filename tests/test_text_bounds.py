"""Rendering Markdown is bounded and happens before the write transaction: no text makes a
save take seconds, and a slow render never holds up another member's write."""

import contextlib
import gc
import threading
import time

import pytest

from kx import text
from kx.database import transaction
from kx.text import TooComplex, render_budget, render_markdown
from tests.support.browser import submit

N = 100_000  # the longest Markdown field a practice example or research summary takes

PATHOLOGICAL = {
    "unclosed brackets on lines": "[\n" * (N // 2),
    "deep quotes": ">" * N,
    "stars": "*" * N,
    "nested brackets": "[" * (N // 2) + "]" * (N // 2),
    "brackets with one close": "[" * (N - 1) + "]",
    "image openers": "![" * (N // 2),
    "link and image openers": "[![" * (N // 3),
    "brackets and backticks": "[`" * (N // 2),
    "unclosed destinations": "[a](" * (N // 4),
    "empty unclosed destinations": "[](" * (N // 3),
    "nested brackets with a reference": "[x]: /u\n\n" + "[" * (N // 2 - 5) + "]" * (N // 2 - 5),
    "nested lists": "".join("  " * i + "- a\n" for i in range(300)),
    "many link references": "".join(f"[a{i}]: http://x/{i}\n" for i in range(2500))
    + "".join(f"[a{i}]" for i in range(2500)),
    "wide table": "|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + ("|" + "b|" * 5000 + "\n") * 5,
    "wide table, short rows": "|" + "a|" * 600 + "\n|" + "-|" * 600 + "\n" + "|b|\n" * 3000,
    "long table": "|a|b|\n|-|-|\n" + "|x|y|\n" * 15000,
    "angle brackets": "<" * N,
    "quotes": '"' * N,
    "emphasis": "*a" * (N // 2),
    "mixed emphasis": "*_" * (N // 2),
    "brackets and blank lines": "[\n\n" * (N // 3),
}


def cpu_seconds(call) -> float:
    """The CPU time this thread spends in ``call()`` (a test client runs the request here).

    Collected first: a full collection costs in proportion to all the test process holds
    (half a second late in a run) and would otherwise fall due right after the render."""
    gc.collect()
    start = time.thread_time()
    call()
    return time.thread_time() - start


@pytest.mark.parametrize("source", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_no_text_renders_for_long(source):
    def attempt():
        with contextlib.suppress(TooComplex):
            render_markdown(source[:N])

    assert cpu_seconds(attempt) < 1.0


def test_deep_nesting_is_refused_rather_than_cut_off():
    with pytest.raises(TooComplex):
        render_markdown("> " * 40 + "deep")
    assert "deep" in render_markdown("> " * 5 + "deep")


def test_ordinary_long_text_still_renders():
    paragraph = (
        "The **helpline** offers [confidential support](https://example.org/helpline) to "
        "people worried about their thoughts; see *Smith (2019)* and the evaluation at "
        "https://example.org/report for details.\n\n"
    )
    source = paragraph * (60_000 // len(paragraph))
    html = render_markdown(source)
    assert html.count('<a href="https://example.org/helpline"') == source.count("](https")
    assert html.count("<strong>helpline</strong>") == source.count("**helpline**")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "[link [foo [bar]]](/uri)",
            '<a href="/uri" rel="nofollow noopener ugc">link [foo [bar]]</a>',
        ),
        ("[a [b](/c) d](/e)", '[a <a href="/c" rel="nofollow noopener ugc">b</a> d](/e)'),
        ("[![moon](/m.png)](/uri)", '<a href="/uri" rel="nofollow noopener ugc">moon</a>'),
        ("[foo][bar]\n\n[bar]: /url", '<a href="/url" rel="nofollow noopener ugc">foo</a>'),
        ("[[x] [y]", "[[x] [y]"),
        ("`[` [a](/b)", '<code>[</code> <a href="/b" rel="nofollow noopener ugc">a</a>'),
    ],
)
def test_links_and_brackets_render_as_commonmark_says(source, expected):
    assert expected in render_markdown(source)


def test_markdown_is_never_rendered_inside_the_write_transaction(app):
    with app.app_context(), pytest.raises(RuntimeError), transaction():
        render_markdown("*text*")


# Through the stack


@pytest.fixture
def newcomer(make_user, api_token):
    """An account awaiting verification, as anyone can register, with an API token."""
    return api_token(make_user(verified=False))


@pytest.mark.parametrize(
    "name", ["unclosed brackets on lines", "image openers", "long table", "emphasis"]
)
def test_a_pathological_practice_saves_or_is_refused_at_once(client, newcomer, name):
    answers = []

    def save():
        answers.append(
            client.post(
                "/api/v1/practices",
                json={"title": "Slow", "domains": ["prevention"], "body": PATHOLOGICAL[name]},
                headers=newcomer,
            )
        )

    # it took 4-10 s before; a refused render also spares the anonymisation check
    assert cpu_seconds(save) < 1.0
    response = answers[0]
    assert response.status_code in (201, 422), response.get_json()
    if response.status_code == 422:
        assert response.get_json()["error"]["fields"]["body"] == [text.TOO_COMPLEX]


def test_a_pathological_forum_post_is_answered_at_once_beside_the_field(
    app, client, make_user, login
):
    from kx.forum import services as forum
    from kx.forum.models import Post

    member = make_user()
    login(client, member)
    with app.app_context():
        from kx.accounts.models import User
        from kx.extensions import db

        thread = forum.create_thread(
            db.session.get(User, member.id),
            category="cross-disciplinary",
            kind="discussion",
            title="A thread",
            body="First post.",
        )
        thread_id = thread.id
    answers = []

    def reply():
        body = "[\n" * 10_000
        answers.append(
            submit(client, f"/forum/threads/{thread_id}/reply", {"body": body}, form_page="/forum")
        )

    assert cpu_seconds(reply) < 1.0
    response = answers[0]
    if response.status_code != 302:
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "This text is too complex to display" in page
        with app.app_context():
            from kx.extensions import db

            assert db.session.scalar(db.select(db.func.count(Post.id))) == 1


def test_another_members_write_goes_through_while_a_slow_text_renders(
    app, make_user, api_token, monkeypatch
):
    """The slow render is held open until the other write has finished (or 5 s passed):
    inside the write transaction, that write would wait for it."""
    clean = text._cleaner.clean
    rendering, other_done = threading.Event(), threading.Event()

    def slow_clean(html):
        if "SLOWMARKER" in html:
            rendering.set()
            other_done.wait(timeout=5)
        return clean(html)

    monkeypatch.setattr(text._cleaner, "clean", slow_clean)
    slow_author, other = api_token(make_user()), api_token(make_user())
    slow_answer = []

    def slow_save():
        slow_answer.append(
            app.test_client().post(
                "/api/v1/practices",
                json={"title": "Slow", "domains": ["prevention"], "body": "SLOWMARKER text"},
                headers=slow_author,
            )
        )

    worker = threading.Thread(target=slow_save)
    worker.start()
    try:
        assert rendering.wait(timeout=10)
        started = time.perf_counter()
        response = app.test_client().post(
            "/api/v1/practices",
            json={"title": "Meanwhile", "domains": ["policing"], "body": "Quick."},
            headers=other,
        )
        waited = time.perf_counter() - started
    finally:
        other_done.set()
        worker.join(timeout=30)
    assert response.status_code == 201, response.get_json()
    assert waited < 3, f"the other write waited {waited:.1f} s for the render"
    assert slow_answer[0].status_code == 201


def test_the_practice_form_says_which_field_is_too_complex_and_keeps_the_text(
    app, client, make_user, login
):
    from html import escape

    from kx.extensions import db
    from kx.practice.models import Practice

    login(client, make_user())
    form = {
        "title": "Tables everywhere",
        "body": "A short body.",
        "outcomes": PATHOLOGICAL["long table"][:N],
        "domains": ["prevention"],
        "visibility": "public",
        "action": "draft",
    }
    response = submit(client, "/practices/new", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="outcomes-errors"' in page
    assert escape(text.TOO_COMPLEX) in page
    assert "Tables everywhere" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Practice.id))) == 0


def test_a_table_with_too_many_cells_is_refused_before_it_is_rendered():
    """markdown-it pads every row to the header's columns in one step the time budget
    cannot interrupt, so such a table is counted and refused before rendering."""
    wide = "|" + "a|" * 600 + "\n|" + "-|" * 600 + "\n" + "|b|\n" * 3000

    started = time.thread_time()
    with pytest.raises(TooComplex):
        render_markdown(wide)
    assert time.thread_time() - started < 0.1
    table = render_markdown("| a | b |\n| - | :-: |\n| 1 | 2 |\n| 3 | 4 |\n\nAfter - it.")
    assert table.count("<td") == 4 and "After - it." in table


def test_no_garbage_collection_runs_inside_a_render():
    """A full collection of a big process took half a second and a save of one word was
    refused as too complex: renders run with the collector off, and it comes back after."""
    collections = []
    watching = True

    def seen(phase, info):
        if watching and phase == "start":
            collections.append(info["generation"])

    heap = [[n] for n in range(300_000)]
    gc.callbacks.append(seen)
    try:
        with render_budget():
            assert not gc.isenabled()
            render_markdown("*word* " * 2_000)  # allocates well past the first threshold
            watching = False
    finally:
        gc.callbacks.remove(seen)
    assert collections == []
    assert gc.isenabled()
    assert heap
