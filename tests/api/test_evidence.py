"""Evidence links through the API: who may link and unlink, and how links (and the
evidence level) show on both ends for each kind of caller."""

import pytest

from tests.support.api import assert_json_error, new_practice, new_research, publish

LINK_KEYS = {"id", "research_id", "practice_id", "relation", "note", "created_by", "findings"}


def link(client, who, practice_id, research_id, relation="supports", note="", expect=201):
    response = client.post(
        f"/api/v1/practices/{practice_id}/evidence",
        json={"research_id": research_id, "relation": relation, "note": note},
        headers=who.headers,
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


@pytest.fixture
def pair(client, people):
    """A published public practice and a published public RCT."""
    practice = publish(client, people, title="Helpline")["id"]
    research = publish(client, people, kind="research", title="Trial", study_design="rct")["id"]
    return practice, research


def test_a_verified_member_links_research_and_both_ends_show_it(client, people, pair):
    practice, research = pair

    made = link(client, people.colleague, practice, research, note="Evaluates the 2019 pilot.")

    assert set(made) == LINK_KEYS
    assert made["practice_id"] == practice and made["research_id"] == research
    assert made["relation"] == "supports" and made["created_by"] == people.colleague.id
    item = client.get(f"/api/v1/practices/{practice}").get_json()
    [evidence] = item["evidence"]
    assert evidence["id"] == made["id"] and evidence["note"] == "Evaluates the 2019 pilot."
    assert evidence["research_title"] == "Trial" and evidence["study_design"] == "rct"
    assert item["evidence_level"] == "rct"
    [linked] = client.get(f"/api/v1/research/{research}").get_json()["practices"]
    assert linked == {
        "link_id": made["id"],
        "id": practice,
        "title": "Helpline",
        "relation": "supports",
        "note": "Evaluates the 2019 pilot.",
        "created_by": people.colleague.id,
        "url": f"/practices/{practice}",
        "findings": [],
    }


def test_informs_links_do_not_raise_the_evidence_level(client, people, pair):
    practice, research = pair

    link(client, people.colleague, practice, research, relation="informs")

    item = client.get(f"/api/v1/practices/{practice}").get_json()
    assert len(item["evidence"]) == 1 and item["evidence_level"] is None


def test_who_may_link(client, people, pair):
    practice, research = pair
    url = f"/api/v1/practices/{practice}/evidence"
    body = {"research_id": research, "relation": "supports"}

    assert_json_error(client.post(url, json=body), 401)
    assert_json_error(client.post(url, json=body, headers=people.unverified.headers), 403)
    link(client, people.colleague, practice, research)
    duplicate = client.post(url, json=body, headers=people.academic.headers)
    assert "research_id" in assert_json_error(duplicate, 409)["fields"]


@pytest.mark.parametrize(
    "body",
    [
        {"research_id": 1, "relation": "refutes"},
        {"research_id": 1},
        {"relation": "supports"},
        {"research_id": "1", "relation": "supports"},
        {"research_id": 0, "relation": "supports"},
        {"research_id": 2**31, "relation": "supports"},
        {"research_id": 1, "relation": "supports", "note": "x" * 2001},
        {"research_id": 1, "relation": "supports", "created_by": 1},
    ],
)
def test_invalid_link_requests_get_422(client, people, pair, body):
    practice, _research = pair

    response = client.post(
        f"/api/v1/practices/{practice}/evidence", json=body, headers=people.colleague.headers
    )

    assert_json_error(response, 422, fields=True)


def test_linking_what_you_cannot_see_is_404(client, people, pair):
    practice, research = pair
    hidden_practice = new_practice(client, people.author)["id"]
    hidden_research = new_research(client, people.author)["id"]

    for practice_id, research_id in [
        (hidden_practice, research),
        (practice, hidden_research),
        (999999, research),
        (practice, 999999),
    ]:
        response = client.post(
            f"/api/v1/practices/{practice_id}/evidence",
            json={"research_id": research_id, "relation": "supports"},
            headers=people.colleague.headers,
        )
        assert_json_error(response, 404)


def test_links_show_only_where_the_research_is_visible(client, people):
    practice = publish(client, people, title="Public practice")["id"]
    members_only = publish(
        client, people, kind="research", visibility="members", study_design="cohort"
    )["id"]
    police_only = publish(
        client,
        people,
        kind="research",
        title="Police only",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
        study_design="rct",
    )["id"]
    link(client, people.colleague, practice, members_only)
    link(client, people.colleague, practice, police_only)

    def seen(who):
        item = client.get(f"/api/v1/practices/{practice}", headers=who.headers).get_json()
        return {e["research_id"] for e in item["evidence"]}, item["evidence_level"]

    assert seen(people.anonymous) == (set(), None)
    assert seen(people.unverified) == (set(), None)
    assert seen(people.academic) == ({members_only}, "cohort")
    assert seen(people.colleague) == ({members_only, police_only}, "rct")
    assert seen(people.moderator) == ({members_only, police_only}, "rct")


def test_a_research_item_lists_only_visible_practices(client, people):
    research = publish(client, people, kind="research")["id"]
    public = publish(client, people, title="Public")["id"]
    police = publish(
        client,
        people,
        title="Police",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )["id"]
    link(client, people.colleague, public, research)
    link(client, people.colleague, police, research)

    def seen(who):
        item = client.get(f"/api/v1/research/{research}", headers=who.headers).get_json()
        return {p["id"] for p in item["practices"]}

    assert seen(people.anonymous) == {public}
    assert seen(people.academic) == {public}
    assert seen(people.colleague) == {public, police}


def test_who_may_remove_a_link(client, people, pair):
    practice, research = pair
    made = link(client, people.colleague, practice, research)
    url = f"/api/v1/evidence/{made['id']}"

    assert_json_error(client.delete(url), 401)
    assert_json_error(client.delete(url, headers=people.academic.headers), 403)
    assert_json_error(client.delete(url, headers=people.author.headers), 403)
    assert client.delete(url, headers=people.colleague.headers).status_code == 204
    assert_json_error(client.delete(url, headers=people.colleague.headers), 404)
    assert client.get(f"/api/v1/practices/{practice}").get_json()["evidence"] == []

    again = link(client, people.colleague, practice, research)
    response = client.delete(f"/api/v1/evidence/{again['id']}", headers=people.moderator.headers)
    assert response.status_code == 204


def test_removing_a_link_you_cannot_see_is_404(client, people):
    practice = publish(client, people)["id"]
    police = publish(
        client,
        people,
        kind="research",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )["id"]
    made = link(client, people.colleague, practice, police)

    assert_json_error(
        client.delete(f"/api/v1/evidence/{made['id']}", headers=people.academic.headers), 404
    )
    assert_json_error(
        client.delete("/api/v1/evidence/999999", headers=people.colleague.headers), 404
    )


def test_deleting_an_item_removes_its_links(client, people, pair):
    practice, research = pair
    made = link(client, people.colleague, practice, research)

    assert (
        client.delete(f"/api/v1/research/{research}", headers=people.author.headers).status_code
        == 204
    )

    assert client.get(f"/api/v1/practices/{practice}").get_json()["evidence"] == []
    assert_json_error(
        client.delete(f"/api/v1/evidence/{made['id']}", headers=people.moderator.headers), 404
    )


def test_deleting_a_practice_removes_its_links(client, people, pair):
    practice, research = pair
    made = link(client, people.colleague, practice, research)

    response = client.delete(f"/api/v1/practices/{practice}", headers=people.author.headers)

    assert response.status_code == 204
    assert client.get(f"/api/v1/research/{research}").get_json()["practices"] == []
    gone = client.delete(f"/api/v1/evidence/{made['id']}", headers=people.moderator.headers)
    assert_json_error(gone, 404)
