"""A research summary's risk of bias: chosen in the form ("Not assessed" by default) or the
API, shown beside the study design, kept by the edit form, refused with the field named,
and tracked in the revisions."""

import re

import pytest

from kx.extensions import db
from kx.research.models import Research
from tests.support.browser import Html, Page, submit

FORM = {
    "title": "Circles of support and accountability: a controlled evaluation",
    "authors": "Doe, Jane",
    "year": "2019",
    "entry_type": "article",
    "study_design": "quasi-experimental",
    "domains": ["treatment"],
    "summary": "Men in circles reoffended less often.",
    "visibility": "public",
    "action": "draft",
}


@pytest.fixture
def author(app, make_user, login):
    user = make_user(sector="academic")
    client = app.test_client()
    login(client, user)
    return type("Author", (), {"user": user, "client": client})


def stored(app, item_id) -> str | None:
    with app.app_context():
        return db.session.get(Research, item_id).risk_of_bias


def created(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_form_offers_not_assessed_first(author):
    page = Html(author.client.get("/research/new"))

    assert page.has_control("risk_of_bias")
    assert page.value("risk_of_bias") == ""
    assert "Not assessed" in page.text and "Some concerns" in page.text


def test_the_risk_is_saved_shown_beside_the_design_and_kept_by_the_edit_form(app, author):
    item_id = created(submit(author.client, "/research/new", {**FORM, "risk_of_bias": "high"}))

    assert stored(app, item_id) == "high"
    page = Html(author.client.get(f"/research/{item_id}"))
    assert "Study design Quasi-experimental Risk of bias High risk of bias" in page.text
    badges = re.search(r'<p class="result-meta">(.*?)</p>', page.html, re.S).group(1)
    assert "Quasi-experimental" in badges and "High risk of bias" in badges
    edit = Html(author.client.get(f"/research/{item_id}/edit"))
    assert edit.value("risk_of_bias") == "high"


def test_not_assessed_is_stored_as_none_and_said_on_the_page(app, author):
    item_id = created(submit(author.client, "/research/new", {**FORM, "risk_of_bias": ""}))

    assert stored(app, item_id) is None
    page = Html(author.client.get(f"/research/{item_id}"))
    assert "Risk of bias Not assessed" in page.text


def test_an_unknown_risk_is_refused_beside_the_field_with_the_input_kept(app, author):
    response = submit(author.client, "/research/new", {**FORM, "risk_of_bias": "tiny"})

    page = Page(response)
    assert page.status == 422
    assert page.errors("risk_of_bias")
    assert page.value("title") == FORM["title"]
    assert page.value("summary") == FORM["summary"]


def test_the_api_takes_returns_and_refuses_the_risk(client, make_user, api_token):
    headers = api_token(make_user(sector="academic"))
    body = {"title": "A trial", "domains": ["treatment"], "risk_of_bias": "some-concerns"}

    made = client.post("/api/v1/research", json=body, headers=headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["risk_of_bias"] == "some-concerns"

    for bad in ("moderate", 1, ""):
        refused = client.patch(
            f"/api/v1/research/{made.get_json()['id']}", json={"risk_of_bias": bad}, headers=headers
        )
        assert refused.status_code == 422, bad
        assert "risk_of_bias" in refused.get_json()["error"]["fields"]

    cleared = client.patch(
        f"/api/v1/research/{made.get_json()['id']}", json={"risk_of_bias": None}, headers=headers
    )
    assert cleared.status_code == 200
    assert cleared.get_json()["risk_of_bias"] is None


def test_a_change_of_risk_is_a_revision(app, client, make_user, api_token, login):
    moderator = make_user(role="moderator", sector="policy")
    headers = api_token(moderator)
    body = {"title": "A trial", "domains": ["treatment"], "risk_of_bias": "low", "submit": True}
    item = client.post("/api/v1/research", json=body, headers=headers).get_json()

    client.patch(f"/api/v1/research/{item['id']}", json={"risk_of_bias": "high"}, headers=headers)

    revisions = client.get(f"/api/v1/research/{item['id']}/revisions", headers=headers).get_json()
    assert revisions["items"][-1]["fields_changed"] == ["risk_of_bias"]
    browser = app.test_client()
    login(browser, moderator)
    history = Html(browser.get(f"/research/{item['id']}/revisions"))
    assert "Risk of bias" in history.text
