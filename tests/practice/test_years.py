"""When a practice ran (optional start and end years) and when it was added to kx: the form
with its checks, the page and the list with labelled dates, revisions, the CSV and the API."""

import csv
import io
from datetime import date

import pytest

from kx.extensions import db
from kx.practice.models import Practice
from tests.support.browser import Html
from tests.support.practice import (
    add_practice,
    create,
    created_id,
    post_form,
    revision_count,
    row,
)

pytestmark = pytest.mark.usefixtures("_index_later")

NEXT_YEAR = date.today().year + 1


def test_the_years_are_saved_and_shown_labelled(app, people):
    practice_id = created_id(create(people.author_client, start_year="2019", end_year="2022"))

    stored = row(app, practice_id)
    page = Html(people.author_client.get(f"/practices/{practice_id}"))

    assert (stored.start_year, stored.end_year) == (2019, 2022)
    assert "Ran 2019\N{EN DASH}2022" in page.text
    assert "Created" in page.text


def test_a_practice_still_running_shows_since_and_the_list_shows_when_it_was_added(app, people):
    practice_id = add_practice(
        app, people.author, start_year=2021, submit=True, approve_by=people.moderator
    )
    with app.app_context():
        added = db.session.get(Practice, practice_id).published_at

    listing = Html(people.anonymous_client.get("/practices"))
    page = Html(people.anonymous_client.get(f"/practices/{practice_id}"))

    assert "Ran since 2021" in listing.text
    assert f"Added to kx {added.day} {added:%b %Y}" in listing.text
    assert "Ran since 2021" in page.text
    assert f"Added to kx {added.day} {added:%b %Y}" in page.text


def test_without_years_nothing_about_running_is_said(app, people):
    practice_id = add_practice(app, people.author, submit=True, approve_by=people.moderator)

    page = Html(people.anonymous_client.get(f"/practices/{practice_id}"))

    assert "Ran" not in page.text.split()
    assert "Added to kx" in page.text


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("19", "", "start_year", "four-digit year"),
        ("1850", "", "start_year", "four-digit year"),
        (str(NEXT_YEAR + 1), "", "start_year", f"to {NEXT_YEAR}"),
        ("2020", "2018", "end_year", "cannot be before the start year"),
        ("twenty", "", "start_year", "integer"),
    ],
)
def test_a_wrong_year_is_refused_beside_its_field_and_nothing_is_saved(
    app, people, start, end, field, message
):
    response = create(people.author_client, start_year=start, end_year=end)
    page = Html(response)

    assert response.status_code == 422
    assert message in page.errors(field)
    with app.app_context():
        assert db.session.query(Practice).count() == 0


def test_next_year_is_accepted_for_a_practice_about_to_start(app, people):
    practice_id = created_id(create(people.author_client, start_year=str(NEXT_YEAR)))

    assert row(app, practice_id).start_year == NEXT_YEAR


def test_changing_a_year_is_a_revision_and_the_end_is_checked_against_the_stored_start(app, people):
    practice_id = created_id(create(people.author_client, start_year="2015"))
    before = revision_count(app, practice_id)
    edit_url = f"/practices/{practice_id}/edit"
    form = Html(people.author_client.get(edit_url))
    assert form.value("start_year") == "2015"

    refused = post_form(
        people.author_client,
        edit_url,
        {"title": "Helpline", "domains": ["prevention"], "start_year": "2015", "end_year": "2010"},
        "draft",
    )
    saved = post_form(
        people.author_client,
        edit_url,
        {"title": "Helpline", "domains": ["prevention"], "start_year": "2015", "end_year": "2018"},
        "draft",
    )

    assert refused.status_code == 422
    assert saved.status_code == 302
    assert row(app, practice_id).end_year == 2018
    assert revision_count(app, practice_id) == before + 1
    history = Html(people.author_client.get(f"/practices/{practice_id}/revisions"))
    assert "Year it ended" in history.text


def test_the_csv_carries_the_years(app, people):
    add_practice(
        app,
        people.author,
        start_year=2010,
        end_year=2012,
        submit=True,
        approve_by=people.moderator,
    )

    response = people.anonymous_client.get("/practices?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    assert (rows[0]["start_year"], rows[0]["end_year"]) == ("2010", "2012")


def test_newest_first_follows_the_added_date_not_the_years_it_ran(app, people):
    old_practice = add_practice(
        app,
        people.author,
        title="Ran long ago, added first",
        start_year=1999,
        submit=True,
        approve_by=people.moderator,
    )
    recent = add_practice(
        app,
        people.author,
        title="Ran recently, added second",
        start_year=2024,
        submit=True,
        approve_by=people.moderator,
    )
    newest = add_practice(
        app,
        people.author,
        title="Ran in the nineties, added last",
        start_year=1995,
        end_year=1998,
        submit=True,
        approve_by=people.moderator,
    )

    text = Html(people.anonymous_client.get("/practices")).text

    order = [text.index(t) for t in ("added last", "added second", "added first")]
    assert order == sorted(order), (old_practice, recent, newest)


def test_the_api_reads_and_writes_the_years(client, app, people, api_token):
    headers = api_token(people.author)

    created = client.post(
        "/api/v1/practices",
        json={"title": "Helpline", "domains": ["prevention"], "start_year": 2018},
        headers=headers,
    )
    item = created.get_json()
    patched = client.patch(
        f"/api/v1/practices/{item['id']}", json={"end_year": 2016}, headers=headers
    )
    ok = client.patch(f"/api/v1/practices/{item['id']}", json={"end_year": 2020}, headers=headers)

    assert created.status_code == 201
    assert (item["start_year"], item["end_year"]) == (2018, None)
    assert patched.status_code == 409  # a conflict with the stored start year
    assert "end_year" in patched.get_json()["error"]["fields"]
    bad = client.post(
        "/api/v1/practices",
        json={"title": "Helpline", "domains": ["prevention"], "start_year": 1850},
        headers=headers,
    )
    assert bad.status_code == 422 and "start_year" in bad.get_json()["error"]["fields"]
    assert ok.status_code == 200 and ok.get_json()["end_year"] == 2020
    assert row(app, item["id"]).end_year == 2020
