"""The EMMIE sections of a practice example (mechanism, moderators, implementation,
economic cost, each with how strong its evidence is): written in the form or the API, shown
on the page, refused with the field named, kept in the revisions."""

import pytest

from tests.support.browser import Html, Page
from tests.support.practice import add_practice, create, created_id, row

EMMIE = {
    "mechanism": "Regular contact lowers **isolation**, a known risk factor.",
    "mechanism_strength": "moderate",
    "moderators": "Works best with men who volunteer to take part.",
    "moderators_strength": "limited",
    "implementation_strength": "strong",
    "economic_cost": "About 1,500 a year for each man, mostly volunteer time.",
    "economic_cost_strength": "untested",
}


def test_the_form_has_the_emmie_sections_with_their_strengths(people):
    page = Html(people.author_client.get("/practices/new"))

    assert "Beyond the effect (EMMIE)" in page.text
    for name in EMMIE:
        assert page.has_control(name), name
    assert page.value("mechanism_strength") == ""  # "Not given" until chosen
    assert "Not yet tested" in page.text


def test_emmie_sections_are_saved_from_the_form_and_shown_on_the_page(app, people):
    practice_id = created_id(create(people.author_client, **EMMIE))

    stored = row(app, practice_id)
    assert stored.mechanism == EMMIE["mechanism"]
    assert "<strong>isolation</strong>" in stored.mechanism_html
    assert stored.economic_cost_strength == "untested"
    page = Html(people.author_client.get(f"/practices/{practice_id}"))
    assert "Mechanism Regular contact lowers" in page.text
    assert "Works best with men" in page.text
    assert "About 1,500 a year" in page.text
    glance = page.text_of("at-a-glance").replace(" ;", ";")  # text after a link
    assert "Mechanism Described below; Moderate evidence" in glance
    assert "Moderators Described below; Limited evidence" in glance
    assert "Implementation Described below; Strong evidence" in glance
    assert "Economic cost Described below; Not yet tested" in glance
    edit = Html(people.author_client.get(f"/practices/{practice_id}/edit"))
    assert edit.value("moderators_strength") == "limited"
    assert edit.value("mechanism") == EMMIE["mechanism"]


def test_a_section_left_empty_says_not_described(app, people):
    practice_id = add_practice(app, people.moderator, submit=True)

    glance = Html(people.anonymous_client.get(f"/practices/{practice_id}")).text_of("at-a-glance")

    assert "Mechanism Not described; strength of evidence not given" in glance
    assert "Economic cost Not described; strength of evidence not given" in glance


def test_an_unknown_strength_is_refused_beside_its_field_with_the_input_kept(app, people):
    response = create(people.author_client, **{**EMMIE, "moderators_strength": "overwhelming"})

    page = Page(response)
    assert page.status == 422
    assert page.errors("moderators_strength")
    assert page.value("moderators") == EMMIE["moderators"]
    assert page.value("economic_cost") == EMMIE["economic_cost"]
    assert row(app, 1) is None


def test_the_api_takes_and_returns_the_emmie_fields(client, people, api_token):
    headers = api_token(people.author)
    body = {"title": "Circles of support", "domains": ["treatment"], **EMMIE}

    response = client.post("/api/v1/practices", json=body, headers=headers)

    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    for name, value in EMMIE.items():
        assert item[name] == value
    assert "<strong>isolation</strong>" in item["mechanism_html"]
    assert item["rating"]["overall"] == "insufficient"


@pytest.mark.parametrize(
    "field, value",
    [
        ("mechanism_strength", "overwhelming"),
        ("economic_cost_strength", 3),
        ("mechanism", 42),
    ],
)
def test_the_api_refuses_a_bad_emmie_field_naming_it(client, people, api_token, field, value):
    headers = api_token(people.author)
    body = {"title": "Circles of support", "domains": ["treatment"], field: value}

    response = client.post("/api/v1/practices", json=body, headers=headers)

    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_changing_an_emmie_section_is_a_revision(app, client, people, api_token):
    headers = api_token(people.moderator)
    body = {"title": "Circles of support", "domains": ["treatment"], **EMMIE}
    item = client.post("/api/v1/practices", json=body, headers=headers).get_json()

    response = client.patch(
        f"/api/v1/practices/{item['id']}",
        json={"moderators": "Also for women.", "mechanism_strength": None},
        headers=headers,
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["mechanism_strength"] is None
    revisions = client.get(f"/api/v1/practices/{item['id']}/revisions", headers=headers)
    latest = revisions.get_json()["items"][-1]
    assert set(latest["fields_changed"]) == {"moderators", "mechanism_strength"}
    history = Html(people.moderator_client.get(f"/practices/{item['id']}/revisions"))
    assert "Moderators" in history.text and "Mechanism strength" in history.text
