"""Checkbox groups instead of Ctrl-click lists, posting what the services always read; the
restricted audience's sectors explained for pages without the script; and the draft key a
browser keeps a form's text under, forgotten after a save that went through."""

import re

from sqlalchemy import select

from kx.extensions import db
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.browser import Html, submit
from tests.support.practice import create, created_id, form_data


def test_no_form_asks_for_ctrl_click(people):
    for url in ("/practices/new", "/research/new"):
        page = Html(people.author_client.get(url))
        assert "<select multiple" not in page.html, url
        assert "Ctrl" not in page.text, url
        for name in ("countries", "domains", "restricted_sectors"):
            assert re.search(rf'<fieldset [^>]*id="{name}"', page.html), (url, name)
            assert re.search(rf'<input[^>]*id="{name}-0"[^>]*type="checkbox"', page.html)
        # the long country list is marked for the script's filter; it works without it
        assert re.search(r'<fieldset [^>]*id="countries"[^>]*data-filter="countries"', page.html)
        assert page.html.count('name="countries"') > 200


def test_ticked_boxes_are_saved_and_shown_ticked_again(app, people):
    practice_id = created_id(create(people.author_client, "draft"))
    with app.app_context():
        saved = db.session.get(Practice, practice_id)
        assert sorted(saved.countries) == ["GB", "NL"]
        assert sorted(saved.stages) == ["pre-offence", "viewing"]
    page = Html(people.author_client.get(f"/practices/{practice_id}/edit"))
    assert sorted(page.values("countries")) == ["GB", "NL"]
    assert sorted(page.values("stages")) == ["pre-offence", "viewing"]
    assert sorted(page.values("domains")) == ["prevention", "treatment"]
    # a ticked country far down the scrolling list is named under it
    assert "Chosen: Netherlands, United Kingdom" in page.text


def test_sectors_are_explained_without_the_script_and_dropped_unless_restricted(app, people):
    page = Html(people.author_client.get("/research/new"))
    assert 'data-shown-when="visibility=restricted"' in page.html
    assert "Applies only when “Restricted” is chosen" in page.text_of("restricted_sectors-help")

    # ticked, then another audience chosen: the boxes were only hidden, they still post
    response = submit(
        people.author_client,
        "/research/new",
        {
            "title": "A public study",
            "visibility": "members",
            "restricted_sectors": ["academic"],
            "action": "draft",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        item = db.session.scalar(select(Research))
        assert item.visibility == "members"
        assert item.restricted_sectors == []


def test_a_form_names_its_draft_per_item_and_writer(app, people):
    author, other = people.author, people.other
    new = Html(people.author_client.get("/practices/new"))
    assert new.value("draft_key") == f"practice:new:{author.id}"
    practice_id = created_id(create(people.author_client, "draft"))
    edit = Html(people.author_client.get(f"/practices/{practice_id}/edit"))
    assert edit.value("draft_key") == f"practice:{practice_id}:{author.id}"
    research = Html(people.other_client.get("/research/new"))
    assert research.value("draft_key") == f"research:new:{other.id}"


def saved_drafts(response) -> str | None:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("kx-saved-drafts="):
            return header.split(";")[0].split("=", 1)[1]
    return None


def test_a_save_that_went_through_tells_the_browser_to_forget_the_draft(people):
    client, author = people.author_client, people.author
    key = f"practice:new:{author.id}"
    saved = submit(client, "/practices/new", {**form_data(), "action": "draft", "draft_key": key})
    assert saved.status_code == 302
    assert saved_drafts(saved) == key

    research_key = f"research:new:{author.id}"
    second = submit(
        client,
        "/research/new",
        {"title": "A study", "visibility": "public", "action": "draft", "draft_key": research_key},
    )
    assert saved_drafts(second) == f"{key}/{research_key}"  # both until a form page reads it


def test_a_refused_save_or_a_strangers_key_keeps_the_draft(people):
    client, author = people.author_client, people.author
    refused = submit(
        client,
        "/practices/new",
        {**form_data(title=""), "action": "draft", "draft_key": f"practice:new:{author.id}"},
    )
    assert refused.status_code == 422
    assert saved_drafts(refused) is None
    preview = submit(
        client,
        "/practices/new",
        {**form_data(), "action": "preview", "draft_key": f"practice:new:{author.id}"},
    )
    assert saved_drafts(preview) is None
    someone_elses = submit(
        client,
        "/practices/new",
        {**form_data(), "action": "draft", "draft_key": f"practice:new:{author.id + 1}"},
    )
    assert someone_elses.status_code == 302
    assert saved_drafts(someone_elses) is None
