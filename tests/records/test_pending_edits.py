"""Edits of published items go to review: the author's new text or
wider audience waits beside the approved version, which everyone else keeps seeing (pages,
API, search) until a moderator approves; a rejection keeps it and tells the author why.
Narrowing who may see an item applies at once; moderators' edits apply directly."""

import pytest
from sqlalchemy import select

from kx.extensions import db
from kx.records.models import Revision
from tests.support.accounts import signed_in_cast
from tests.support.browser import Html, submit
from tests.support.practice import FORM

WORD = "zebrafinch"  # a word no other text here contains


@pytest.fixture
def cast(app, make_user, login):
    """An author (treatment), another member (academic), a moderator: each with a signed-in
    browser and a bearer header; and an anonymous browser."""
    return signed_in_cast(
        app,
        make_user,
        login,
        {
            "author": {"sector": "treatment"},
            "other": {"sector": "academic"},
            "moderator": {"role": "moderator", "sector": "ngo"},
        },
        anonymous=True,
    )


def published_practice(client, cast, **fields) -> int:
    """A practice written by the author through the API and approved by the moderator."""
    body = {
        "title": "Helpline for worried adults",
        "body": "Counsellors answer anonymously.",
        "domains": ["prevention"],
        "submit": True,
        "anonymised_confirmed": True,
        **fields,
    }
    created = client.post("/api/v1/practices", json=body, headers=cast.author_api)
    assert created.status_code == 201, created.get_json()
    item_id = created.get_json()["id"]
    approve("practice", item_id, cast)
    return item_id


def published_research(client, cast, **fields) -> int:
    body = {"title": "A helpline evaluated", "summary": "Callers felt better.", "submit": True}
    created = client.post("/api/v1/research", json={**body, **fields}, headers=cast.author_api)
    assert created.status_code == 201, created.get_json()
    item_id = created.get_json()["id"]
    approve("research", item_id, cast)
    return item_id


def approve(kind: str, item_id: int, cast):
    response = cast.moderator_client.post(
        f"/api/v1/review/{kind}/{item_id}",
        json={"decision": "approve"},
        headers=cast.moderator_api,
    )
    assert response.status_code == 200, response.get_json()
    return response


def search_total(client, word: str, headers=None) -> int:
    response = client.get(f"/api/v1/search?q={word}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def edit_form(browser, url: str, **changes) -> dict:
    """The form at ``url`` as the browser shows it, with ``changes`` typed in."""
    form = Html(browser.get(url))
    lists = ("domains", "countries", "stages", "restricted_sectors")
    data = {name: form.values(name) if name in lists else form.value(name) for name in FORM}
    return {**data, "action": "save", **changes}


# --------------------------------------------------------------------------- practice


def test_an_authors_rewrite_waits_for_review_and_shows_once_approved(app, client, cast):
    item = published_practice(client, cast)
    page = f"/practices/{item}"

    form = edit_form(cast.author_client, f"{page}/edit", body=f"Run a {WORD} workshop.")
    saved = submit(cast.author_client, f"{page}/edit", form)

    assert saved.status_code == 302
    author_page = Html(cast.author_client.get(page))
    assert "A moderator will review your changes" in author_page.text
    assert "Changes waiting for review" in author_page.text
    assert "Changes waiting for review" in Html(cast.author_client.get("/my-items")).text
    # everyone else, everywhere, still reads the approved version
    for browser, headers in ((cast.anonymous, {}), (cast.other_client, cast.other_api)):
        assert WORD not in browser.get(page).get_data(as_text=True)
        assert "Counsellors answer anonymously" in browser.get(page).get_data(as_text=True)
        shown = browser.get(f"/api/v1/practices/{item}", headers=headers).get_json()
        assert shown["body"] == "Counsellors answer anonymously."
        assert shown["pending_edit"] is None
        assert search_total(browser, WORD, headers) == 0
    listed = cast.anonymous.get("/api/v1/practices").get_json()["items"]
    assert [entry["body"] for entry in listed] == ["Counsellors answer anonymously."]
    # the author sees what waits
    mine = cast.author_client.get(f"/api/v1/practices/{item}", headers=cast.author_api)
    assert mine.get_json()["body"] == "Counsellors answer anonymously."
    assert mine.get_json()["pending_edit"]["fields_changed"] == ["body"]
    assert WORD in mine.get_json()["pending_edit"]["values"]["body"]
    # the moderator sees it in the queue, as a diff against the published version
    queue = cast.moderator_client.get("/api/v1/review", headers=cast.moderator_api).get_json()
    [entry] = queue["items"]
    assert (entry["type"], entry["kind"], entry["id"]) == ("practice", "edit", item)
    [change] = entry["changes"]
    assert change["field"] == "body" and change["before"] == "Counsellors answer anonymously."
    assert f"+Run a {WORD} workshop." in change["diff"]
    queue_page = Html(cast.moderator_client.get("/review"))
    assert "Changes against the published version" in queue_page.text and WORD in queue_page.text

    decided = submit(
        cast.moderator_client, f"/review/practice/{item}", {"decision": "approve"}, "/review"
    )

    assert decided.status_code == 302
    assert WORD in cast.anonymous.get(page).get_data(as_text=True)
    assert WORD in cast.anonymous.get(f"/api/v1/practices/{item}").get_json()["body"]
    assert search_total(cast.anonymous, WORD) == 1
    assert (
        cast.moderator_client.get("/api/v1/review", headers=cast.moderator_api).get_json()["items"]
        == []
    )
    revisions = cast.author_client.get(
        f"/api/v1/practices/{item}/revisions", headers=cast.author_api
    ).get_json()["items"]
    assert revisions[-1]["fields_changed"] == ["body"]
    assert revisions[-1]["author"]["id"] == cast.author.id


def test_widening_members_to_public_waits_for_review(client, cast):
    item = published_practice(client, cast, visibility="members")

    response = client.patch(
        f"/api/v1/practices/{item}", json={"visibility": "public"}, headers=cast.author_api
    )

    assert response.status_code == 200
    assert response.get_json()["visibility"] == "members"
    assert response.get_json()["pending_edit"]["values"] == {"visibility": "public"}
    assert cast.anonymous.get(f"/practices/{item}").status_code == 404
    assert cast.anonymous.get(f"/api/v1/practices/{item}").status_code == 404
    approve("practice", item, cast)
    assert cast.anonymous.get(f"/practices/{item}").status_code == 200
    assert cast.anonymous.get(f"/api/v1/practices/{item}").get_json()["visibility"] == "public"


def test_adding_a_restricted_sector_waits_for_review(client, cast):
    item = published_practice(
        client, cast, visibility="restricted", restricted_sectors=["treatment"]
    )

    client.patch(
        f"/api/v1/practices/{item}",
        json={"restricted_sectors": ["treatment", "academic"]},
        headers=cast.author_api,
    )

    assert (
        cast.other_client.get(f"/api/v1/practices/{item}", headers=cast.other_api).status_code
        == 404
    )
    approve("practice", item, cast)
    assert (
        cast.other_client.get(f"/api/v1/practices/{item}", headers=cast.other_api).status_code
        == 200
    )


def test_narrowing_visibility_applies_at_once(client, cast):
    item = published_practice(client, cast)

    response = client.patch(
        f"/api/v1/practices/{item}",
        json={"visibility": "members", "title": f"A {WORD} title"},
        headers=cast.author_api,
    )

    assert response.get_json()["visibility"] == "members"
    assert response.get_json()["title"] == "Helpline for worried adults"
    assert response.get_json()["pending_edit"]["fields_changed"] == ["title"]
    assert cast.anonymous.get(f"/practices/{item}").status_code == 404
    assert search_total(cast.anonymous, "helpline") == 0


def test_a_rejected_edit_keeps_the_published_version_and_the_author_reads_why(client, cast):
    item = published_practice(client, cast)
    client.patch(
        f"/api/v1/practices/{item}", json={"body": f"A {WORD} body."}, headers=cast.author_api
    )

    response = cast.moderator_client.post(
        f"/api/v1/review/practice/{item}",
        json={"decision": "reject", "reason": "Keep the counselling details."},
        headers=cast.moderator_api,
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert cast.anonymous.get(f"/api/v1/practices/{item}").get_json()["body"] == (
        "Counsellors answer anonymously."
    )
    mine = client.get(f"/api/v1/practices/{item}", headers=cast.author_api).get_json()
    assert mine["pending_edit"] is None
    assert mine["review_note"] == "Keep the counselling details."
    author_page = Html(cast.author_client.get(f"/practices/{item}"))
    assert "did not accept your last changes" in author_page.text
    assert "Keep the counselling details." in author_page.text
    assert "Keep the counselling details." not in cast.other_client.get(
        f"/practices/{item}"
    ).get_data(as_text=True)
    assert "Changes not accepted" in Html(cast.author_client.get("/my-items")).text


def test_rejecting_an_edit_without_a_reason_is_refused_and_the_edit_waits(client, cast):
    item = published_practice(client, cast)
    client.patch(
        f"/api/v1/practices/{item}", json={"body": f"A {WORD} body."}, headers=cast.author_api
    )

    response = submit(
        cast.moderator_client, f"/review/practice/{item}", {"decision": "reject"}, "/review"
    )

    assert response.status_code == 422
    assert "Give a reason." in Html(response).text
    mine = client.get(f"/api/v1/practices/{item}", headers=cast.author_api).get_json()
    assert mine["pending_edit"]["fields_changed"] == ["body"]


def test_a_later_edit_updates_the_pending_one(client, cast):
    item = published_practice(client, cast)
    client.patch(f"/api/v1/practices/{item}", json={"title": "First"}, headers=cast.author_api)
    client.patch(
        f"/api/v1/practices/{item}", json={"body": f"A {WORD} body."}, headers=cast.author_api
    )

    mine = client.get(f"/api/v1/practices/{item}", headers=cast.author_api).get_json()
    assert mine["pending_edit"]["values"] == {"title": "First", "body": f"A {WORD} body."}
    form = Html(cast.author_client.get(f"/practices/{item}/edit"))
    assert form.value("title") == "First" and WORD in form.value("body")
    queue = cast.moderator_client.get("/api/v1/review", headers=cast.moderator_api).get_json()
    assert queue["total"] == 1
    # going back to the published text withdraws the edit
    client.patch(
        f"/api/v1/practices/{item}",
        json={"title": "Helpline for worried adults", "body": "Counsellors answer anonymously."},
        headers=cast.author_api,
    )
    mine = client.get(f"/api/v1/practices/{item}", headers=cast.author_api).get_json()
    assert mine["pending_edit"] is None


def test_an_invalid_edit_leaves_nothing_waiting(client, cast):
    item = published_practice(client, cast)

    response = client.patch(
        f"/api/v1/practices/{item}",
        json={"visibility": "restricted", "restricted_sectors": [], "body": f"A {WORD}."},
        headers=cast.author_api,
    )

    assert response.status_code == 422
    assert "restricted_sectors" in response.get_json()["error"]["fields"]
    mine = client.get(f"/api/v1/practices/{item}", headers=cast.author_api).get_json()
    assert mine["pending_edit"] is None and mine["visibility"] == "public"


def test_a_moderators_edit_applies_at_once(client, cast):
    item = published_practice(client, cast)

    response = client.patch(
        f"/api/v1/practices/{item}", json={"body": f"A {WORD} body."}, headers=cast.moderator_api
    )

    assert response.get_json()["body"] == f"A {WORD} body."
    assert response.get_json()["pending_edit"] is None
    assert search_total(cast.anonymous, WORD) == 1


def test_the_pending_text_stays_out_of_other_readers_revisions(app, client, cast):
    item = published_practice(client, cast)
    client.patch(
        f"/api/v1/practices/{item}", json={"body": f"A {WORD} body."}, headers=cast.author_api
    )

    assert (
        client.get(f"/api/v1/practices/{item}/revisions", headers=cast.other_api).status_code == 403
    )
    history = client.get(f"/api/v1/practices/{item}/revisions", headers=cast.author_api)
    assert all(entry["fields_changed"] != ["body"] for entry in history.get_json()["items"])
    with app.app_context():
        stored = db.session.scalars(select(Revision.status)).all()
    assert sorted(stored) == ["applied", "pending"]


# --------------------------------------------------------------------------- research


def test_a_research_rewrite_waits_for_review(client, cast):
    item = published_research(client, cast)

    response = client.patch(
        f"/api/v1/research/{item}",
        json={"summary": f"Callers met a {WORD}.", "visibility": "public"},
        headers=cast.author_api,
    )

    assert response.status_code == 200
    assert response.get_json()["summary"] == "Callers felt better."
    assert cast.anonymous.get(f"/api/v1/research/{item}").get_json()["summary"] == (
        "Callers felt better."
    )
    assert WORD not in cast.anonymous.get(f"/research/{item}").get_data(as_text=True)
    assert search_total(cast.anonymous, WORD) == 0
    assert "Changes waiting for review" in Html(cast.author_client.get(f"/research/{item}")).text
    queue = cast.moderator_client.get("/api/v1/review", headers=cast.moderator_api).get_json()
    assert [(e["type"], e["kind"]) for e in queue["items"]] == [("research", "edit")]

    approve("research", item, cast)

    assert cast.anonymous.get(f"/api/v1/research/{item}").get_json()["summary"] == (
        f"Callers met a {WORD}."
    )
    assert search_total(cast.anonymous, WORD) == 1


def test_a_research_edit_through_the_form_waits(client, cast):
    item = published_research(client, cast, title="Old title")
    form = Html(cast.author_client.get(f"/research/{item}/edit"))
    fields = ("authors", "year", "entry_type", "venue", "doi", "url", "study_design", "summary")
    data = {name: form.value(name) for name in fields}
    data.update(title="New title", visibility="public", domains=[], countries=[])

    response = submit(cast.author_client, f"/research/{item}/edit", {**data, "action": "save"})

    assert response.status_code == 302
    assert "Old title" in cast.anonymous.get(f"/research/{item}").get_data(as_text=True)
    assert Html(cast.author_client.get(f"/research/{item}/edit")).value("title") == "New title"
