"""The new kinds as a member and a moderator see them: the practice form lists each finding
with its label and excerpt beside its field, and the review card lists the stored ones.
A finding, a combination included, warns and never blocks a submission. A research
summary's own authors are citations in its text."""

import html

import pytest
from sqlalchemy import select

from kx.anonymisation import KIND_LABELS
from kx.extensions import db
from kx.research.models import Research
from tests.support.browser import Html
from tests.support.practice import (
    add_research,
    create,
    created_id,
    form_data,
    post_form,
    row,
)

# One sentence per new kind, each finding nothing else.
BODY = (
    "Chloe Hargreaves told the group about it. "
    "The car, LJ19 XKT, was seen twice. "
    "Zijn BSN 123456782 stond op de aangifte. "
    "The disclosure came from a pupil at Holy Cross Primary School. "
    "The victim, aged 9, lived in Little Hambury, a village of 300 people."
)
EXPECTED = {
    "person": "Chloe Hargreaves",
    "vehicle": "LJ19 XKT",
    "id-number": "123456782",
    "institution": "Holy Cross Primary School",
    "combination": "aged 9",
}


@pytest.fixture(autouse=True)
def _index_later(monkeypatch):
    """Search indexing waits: these tests are about the check's pages."""
    from kx.search import indexing

    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)


def test_the_form_lists_each_new_kind_with_its_label_and_excerpt(people):
    page = Html(post_form(people.author_client, "/practices/new", form_data(body=BODY), "check"))

    beside_body = page.text_of("body-findings")
    for kind, text in EXPECTED.items():
        assert KIND_LABELS[kind] in beside_body and text in beside_body, kind
    assert f"found {len(EXPECTED)} possible identifying details" in page.text


def test_a_combination_warns_and_never_blocks_and_the_review_card_shows_every_kind(app, people):
    client = people.author_client
    checked = Html(post_form(client, "/practices/new", form_data(body=BODY), "check"))
    seen = checked.html.split('name="seen_warnings" value="', 1)[1].split('"', 1)[0]

    response = create(client, "submit", body=BODY, seen_warnings=html.unescape(seen))
    stored = row(app, created_id(response))
    assert stored.status == "pending"
    assert sorted(w["kind"] for w in stored.identifier_warnings) == sorted(EXPECTED)

    card = Html(people.moderator_client.get("/review"))
    assert f"Possible identifying details ({len(EXPECTED)})" in card.text
    for kind, text in EXPECTED.items():
        assert KIND_LABELS[kind] in card.text and text in card.text, kind


def test_a_summary_names_its_own_authors_without_a_warning(app, people):
    summary = "Jane Doe and Richard Roe interviewed 40 men; Liam Brennan helped."
    own = add_research(app, people.author, summary=summary, authors=["Doe, Jane", "Roe, Richard"])
    other = add_research(app, people.author, summary=summary, authors=["Seto, Michael C."])

    with app.app_context():
        warned = {
            item.id: [w["excerpt"] for w in item.identifier_warnings]
            for item in db.session.scalars(select(Research).where(Research.id.in_([own, other])))
        }
    assert len(warned[own]) == 1 and "Liam Brennan" in warned[own][0]
    assert len(warned[other]) == 3
