"""Revision pages (kx/review/views.py, both record types): the history, a readable diff
between a revision and the one before it, and the moderators' revert."""

import re

import pytest
from sqlalchemy import select

from kx.audit import AuditEvent
from kx.extensions import db
from kx.records.models import Revision
from tests.support.browser import Html, submit
from tests.support.practice import (
    FORM,
    add_practice,
    add_research,
    form_data,
    post_form,
    revision_count,
    row,
)

pytestmark = pytest.mark.usefixtures("_index_later")


def revision_ids(app, item_type: str, item_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Revision.id)
                .where(Revision.item_type == item_type, Revision.item_id == item_id)
                .order_by(Revision.id)
            )
        )


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def history(app, people):
    """A published practice edited once by its author (the edit approved): revisions 1
    and 2."""
    practice_id = add_practice(
        app,
        people.author,
        body="First line.\nSecond line.\nThird line.",
        submit=True,
        approve_by=people.moderator,
    )
    response = post_form(
        people.author_client,
        f"/practices/{practice_id}/edit",
        form_data(
            body="First line.\nSecond line, rewritten <b>boldly</b>.\nThird line.",
            countries=["GB", "NL", "BE"],
        ),
        "save",
    )
    assert response.status_code == 302
    approved = submit(
        people.moderator_client,
        f"/review/practice/{practice_id}",
        {"decision": "approve"},
        form_page="/review",
    )
    assert approved.status_code == 302
    first, second = revision_ids(app, "practice", practice_id)
    return practice_id, first, second


def test_the_history_lists_who_when_and_which_fields(app, people, history):
    practice_id, _first, second = history

    page = Html(people.author_client.get(f"/practices/{practice_id}/revisions"))

    assert page.status == 200
    assert "Revision 1" in page.text and "Revision 2" in page.text
    assert "Alex Author" in page.text
    assert "What was done, Countries" in page.text
    assert f"/practices/{practice_id}/revisions/{second}" in page.links()
    assert "<caption" in page.html and 'scope="col"' in page.html
    # only moderators may revert
    assert not any(action.endswith("/revert") for action in page.forms())


def test_the_diff_shows_removed_and_added_lines_escaped(app, people, history):
    practice_id, _first, second = history

    page = Html(people.author_client.get(f"/practices/{practice_id}/revisions/{second}"))

    assert page.status == 200
    assert "Compared with revision 1" in page.text
    assert re.search(
        r'<span class="diff-del"><span class="diff-marker">-</span>Second line\.</span>', page.html
    )
    assert re.search(
        r'<span class="diff-add"><span class="diff-marker">\+</span>'
        r"Second line, rewritten &lt;b&gt;boldly&lt;/b&gt;\.</span>",
        page.html,
    )
    assert '<span class="diff-same"><span class="diff-marker"> </span>First line.</span>' in (
        page.html
    )
    assert "<b>boldly</b>" not in page.html
    assert re.search(
        r'<span class="diff-add"><span class="diff-marker">\+</span>BE</span>', page.html
    )
    assert "What was done" in page.text and "Countries" in page.text
    assert page.has_id("diff-body") and page.has_id("diff-countries")
    assert not page.has_id("diff-title")  # unchanged fields are left out


def test_the_first_revision_is_compared_with_nothing(app, people, history):
    practice_id, first, _ = history

    page = Html(people.moderator_client.get(f"/practices/{practice_id}/revisions/{first}"))

    assert "nothing (the first version)" in page.text
    assert '<span class="diff-add"><span class="diff-marker">+</span>First line.</span>' in (
        page.html
    )


def test_a_revision_of_another_item_is_404(app, people, history):
    practice_id, _first, _ = history
    other_item = add_practice(app, people.author, title="Another", submit=False)
    [other_revision] = revision_ids(app, "practice", other_item)

    assert (
        people.author_client.get(f"/practices/{practice_id}/revisions/{other_revision}")
    ).status_code == 404
    assert (
        people.author_client.get(f"/practices/{practice_id}/revisions/999999")
    ).status_code == 404


def test_only_the_author_and_moderators_read_the_history(app, people, history):
    practice_id, _first, second = history
    draft = add_practice(app, people.author, title="Draft", submit=False)

    for url in (
        f"/practices/{practice_id}/revisions",
        f"/practices/{practice_id}/revisions/{second}",
    ):
        assert people.moderator_client.get(url).status_code == 200
        assert people.other_client.get(url).status_code == 403
        assert people.unverified_client.get(url).status_code == 403
        anonymous = people.anonymous_client.get(url)
        assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    assert people.other_client.get(f"/practices/{draft}/revisions").status_code == 404


def test_a_moderator_reverts_to_an_earlier_revision(app, people, history):
    practice_id, first, second = history
    page = Html(people.moderator_client.get(f"/practices/{practice_id}/revisions"))
    revert_url = f"/practices/{practice_id}/revisions/{first}/revert"
    assert revert_url in page.forms()
    assert f"/practices/{practice_id}/revisions/{second}/revert" not in page.forms()  # current

    response = submit(
        people.moderator_client, revert_url, form_page=f"/practices/{practice_id}/revisions"
    )

    assert response.status_code == 302
    stored = row(app, practice_id)
    assert stored.body == "First line.\nSecond line.\nThird line."
    assert stored.countries == ["GB", "NL"]
    assert stored.status == "published"
    assert revision_count(app, practice_id) == 3
    assert "practice.revert" in audit_actions(app)
    after = Html(people.moderator_client.get(response.location))
    assert "Reverted:" in after.text
    assert "Revision 3" in after.text and "Mo Moderator" in after.text
    assert "Second line." in Html(people.anonymous_client.get(f"/practices/{practice_id}")).text


def test_the_diff_page_offers_revert_to_moderators_only(app, people, history):
    practice_id, first, _ = history
    url = f"/practices/{practice_id}/revisions/{first}"
    revert = f"{url}/revert"

    assert revert in Html(people.moderator_client.get(url)).forms()
    assert revert not in Html(people.author_client.get(url)).forms()


@pytest.mark.parametrize(("who", "status"), [("author", 403), ("other", 403), ("unverified", 403)])
def test_members_cannot_revert(app, people, history, who, status):
    practice_id, first, _ = history
    client = getattr(people, f"{who}_client")

    response = submit(
        client, f"/practices/{practice_id}/revisions/{first}/revert", form_page="/my-items"
    )

    assert response.status_code == status
    assert "rewritten" in row(app, practice_id).body
    assert revision_count(app, practice_id) == 2


def test_reverting_a_draft_of_someone_else_without_access_is_404(app, people):
    draft = add_practice(app, people.author, title="Hidden draft", submit=False)
    [revision] = revision_ids(app, "practice", draft)

    response = submit(
        people.other_client,
        f"/practices/{draft}/revisions/{revision}/revert",
        form_page="/my-items",
    )

    assert response.status_code == 404


def test_reverting_to_a_revision_of_another_item_is_404(app, people, history):
    practice_id, *_ = history
    other_item = add_practice(app, people.author, title="Another", submit=False)
    [other_revision] = revision_ids(app, "practice", other_item)

    response = submit(
        people.moderator_client,
        f"/practices/{practice_id}/revisions/{other_revision}/revert",
        form_page="/my-items",
    )

    assert response.status_code == 404
    assert row(app, practice_id).title == FORM["title"]


def test_anonymous_visitors_cannot_revert(app, people, history):
    practice_id, first, _ = history
    response = people.anonymous_client.post(f"/practices/{practice_id}/revisions/{first}/revert")
    assert response.status_code in (302, 400)
    assert revision_count(app, practice_id) == 2


# --------------------------------------------------------------------------- research


@pytest.fixture
def research_history(app, people):
    from kx.accounts.models import User
    from kx.research.models import Research
    from kx.research.services import save_research

    research_id = add_research(app, people.author, key_findings="Original finding.", submit=False)
    with app.app_context():
        save_research(
            db.session.get(User, people.author.id),
            {"key_findings": "Revised finding.", "year": 2021},
            db.session.get(Research, research_id),
        )
    return research_id, revision_ids(app, "research", research_id)


def test_research_revisions_use_the_same_pages(app, people, research_history):
    research_id, (_first, second) = research_history

    listing = Html(people.author_client.get(f"/research/{research_id}/revisions"))
    diff = Html(people.author_client.get(f"/research/{research_id}/revisions/{second}"))

    assert listing.status == 200
    assert "Research summary" in listing.text
    assert "Key findings" in listing.text and "Year" in listing.text
    assert diff.status == 200
    assert "Original finding." in diff.text and "Revised finding." in diff.text
    assert people.other_client.get(f"/research/{research_id}/revisions").status_code == 404


def test_a_moderator_reverts_a_research_summary(app, people, research_history):
    from kx.research.models import Research

    research_id, (first, _second) = research_history

    response = submit(
        people.moderator_client,
        f"/research/{research_id}/revisions/{first}/revert",
        form_page="/my-items",
    )

    assert response.status_code == 302
    assert response.location == f"/research/{research_id}/revisions"
    with app.app_context():
        research = db.session.get(Research, research_id)
        assert (research.key_findings, research.year) == ("Original finding.", 2020)
    assert "research.revert" in audit_actions(app)
    member = submit(
        people.author_client,
        f"/research/{research_id}/revisions/{first}/revert",
        form_page="/my-items",
    )
    assert member.status_code == 403
