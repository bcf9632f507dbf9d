"""Findings on evidence links through the API: made with a link, changed with PATCH by the
link's maker or a moderator, refused when bad (nothing stored), audited, and carried in
every link's JSON."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.audit import AuditEvent
from kx.evidence.models import EvidenceLink, Finding
from kx.extensions import db
from tests.support.api import assert_json_error, publish

FINDING = {
    "outcome": "sexual-reoffending",
    "direction": "positive",
    "effect_measure": "OR",
    "effect_size": 0.6,
    "ci_low": 0.4,
    "ci_high": 0.9,
    "sample_size": 412,
    "follow_up_months": 24,
    "note": "Five-year follow-up of the 2019 cohort.",
}
BARE = {
    "outcome": "help-seeking",
    "direction": "no-effect",
    "effect_measure": None,
    "effect_size": None,
    "ci_low": None,
    "ci_high": None,
    "sample_size": None,
    "follow_up_months": None,
    "note": "",
}


@pytest.fixture
def people(app, make_user):
    """Callers holding bearer tokens: the link's maker, another verified member of the same
    sector, an academic (another sector), a moderator."""

    def person(**kwargs):
        user = make_user(**kwargs)
        with app.app_context():
            _token, raw = accounts.create_token(db.session.get(User, user.id), "")
        return SimpleNamespace(id=user.id, headers={"Authorization": f"Bearer {raw}"})

    return SimpleNamespace(
        author=person(sector="law-enforcement"),
        colleague=person(sector="law-enforcement"),
        other=person(sector="law-enforcement"),
        academic=person(sector="academic"),
        moderator=person(role="moderator", sector="policy"),
    )


@pytest.fixture
def pair(client, people):
    """A published public practice and a published public randomised trial."""
    practice = publish(client, people, title="Helpline")["id"]
    research = publish(client, people, kind="research", title="Trial", study_design="rct")["id"]
    return practice, research


def link(client, who, practice_id, research_id, findings=None, expect=201, **fields):
    body = {"research_id": research_id, "relation": "evaluates", **fields}
    if findings is not None:
        body["findings"] = findings
    response = client.post(
        f"/api/v1/practices/{practice_id}/evidence", json=body, headers=who.headers
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def stored(app, link_id) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(Finding).where(Finding.link_id == link_id).order_by(Finding.position)
        )
        return [row.as_dict() for row in rows]


def audit_entries(app, link_id) -> list[dict]:
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.target_type == "evidence_link", AuditEvent.target_id == link_id)
            .order_by(AuditEvent.id)
        )
        return [
            {"actor": e.actor_id, "action": e.action, "details": dict(e.details)} for e in events
        ]


# --------------------------------------------------------------------------- creating


def test_a_link_made_with_findings_carries_them_everywhere(app, client, people, pair):
    practice, research = pair

    made = link(client, people.author, practice, research, [FINDING, {**BARE}])

    assert made["findings"] == [FINDING, BARE]
    assert stored(app, made["id"]) == [FINDING, BARE]
    [summary] = client.get(f"/api/v1/practices/{practice}").get_json()["evidence"]
    assert summary["findings"] == [FINDING, BARE]


def test_a_link_made_without_findings_has_an_empty_list(client, people, pair):
    practice, research = pair

    made = link(client, people.author, practice, research)

    assert made["findings"] == []


def test_only_outcome_and_direction_are_needed_and_an_integer_effect_is_a_number(
    app, client, people, pair
):
    practice, research = pair
    finding = {"outcome": "csem-use", "direction": "mixed", "effect_measure": "d"}

    made = link(client, people.author, practice, research, [{**finding, "effect_size": 1}])

    assert made["findings"] == [{**BARE, **finding, "effect_size": 1.0}]


def test_more_than_twenty_findings_are_refused(app, client, people, pair):
    practice, research = pair

    response = client.post(
        f"/api/v1/practices/{practice}/evidence",
        json={"research_id": research, "relation": "evaluates", "findings": [BARE] * 21},
        headers=people.author.headers,
    )

    assert "findings" in assert_json_error(response, 422, fields=True)["fields"]
    with app.app_context():
        assert db.session.scalar(select(EvidenceLink)) is None


# --------------------------------------------------------------------------- bad findings

BAD = [
    ({"outcome": "happiness"}, "outcome"),
    ({"outcome": None}, "outcome"),
    ({"direction": "up"}, "direction"),
    ({"direction": None}, "direction"),
    ({"effect_measure": "SMD"}, "effect_measure"),
    ({"effect_size": "0.6"}, "effect_size"),
    ({"effect_size": True}, "effect_size"),
    ({"ci_low": "low"}, "ci_low"),
    ({"ci_high": [1]}, "ci_high"),
    ({"effect_size": 0.3}, "ci_low"),  # outside [0.4, 0.9]
    ({"effect_size": 1.2}, "ci_high"),
    ({"ci_low": 1.0, "ci_high": 0.5}, "ci_high"),
    ({"ci_low": None}, "ci_low"),
    ({"ci_high": None}, "ci_high"),
    ({"effect_size": None}, "effect_size"),  # an interval without its estimate
    ({"effect_measure": None}, "effect_measure"),  # an effect size without its measure
    ({"sample_size": 0}, "sample_size"),
    ({"sample_size": -5}, "sample_size"),
    ({"sample_size": 12.5}, "sample_size"),
    ({"sample_size": "12"}, "sample_size"),
    ({"follow_up_months": -1}, "follow_up_months"),
    ({"follow_up_months": 601}, "follow_up_months"),
    ({"note": "x" * 2001}, "note"),
    ({"note": 5}, "note"),
    ({"weight": 2}, "weight"),
]


@pytest.mark.parametrize(("change", "name"), BAD)
def test_a_bad_finding_is_refused_naming_its_field_and_nothing_is_stored(
    app, client, people, pair, change, name
):
    practice, research = pair
    findings = [BARE, {**FINDING, **change}]

    response = client.post(
        f"/api/v1/practices/{practice}/evidence",
        json={"research_id": research, "relation": "evaluates", "findings": findings},
        headers=people.author.headers,
    )

    errors = assert_json_error(response, 422, fields=True)["fields"]
    assert list(errors) == ["findings"] and list(errors["findings"]) == ["1"]
    assert name in errors["findings"]["1"], errors
    with app.app_context():
        assert db.session.scalar(select(EvidenceLink)) is None


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_effect_sizes_that_are_not_finite_are_refused(app, client, people, pair, number):
    practice, research = pair
    finding = (
        '{"outcome": "csem-use", "direction": "positive", "effect_measure": "d", '
        f'"effect_size": {number}}}'
    )

    response = client.post(
        f"/api/v1/practices/{practice}/evidence",
        data=f'{{"research_id": {research}, "relation": "evaluates", "findings": [{finding}]}}',
        content_type="application/json",
        headers=people.author.headers,
    )

    errors = assert_json_error(response, 422, fields=True)["fields"]
    assert "effect_size" in errors["findings"]["0"]
    with app.app_context():
        assert db.session.scalar(select(EvidenceLink)) is None


# --------------------------------------------------------------------------- changing


def test_the_maker_changes_relation_note_and_findings(app, client, people, pair):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING])

    response = client.patch(
        f"/api/v1/evidence/{made['id']}",
        json={"relation": "contradicts", "note": "  Re-read.  ", "findings": [BARE]},
        headers=people.author.headers,
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["relation"] == "contradicts" and body["note"] == "Re-read."
    assert body["findings"] == [BARE]
    assert stored(app, made["id"]) == [BARE]
    [summary] = client.get(f"/api/v1/practices/{practice}").get_json()["evidence"]
    assert summary["relation"] == "contradicts" and summary["findings"] == [BARE]


def test_fields_left_out_keep_their_value_and_an_empty_list_removes_every_finding(
    app, client, people, pair
):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING], note="Kept")
    url = f"/api/v1/evidence/{made['id']}"

    kept = client.patch(url, json={"relation": "supports"}, headers=people.author.headers)
    assert kept.get_json()["findings"] == [FINDING] and kept.get_json()["note"] == "Kept"

    emptied = client.patch(url, json={"findings": []}, headers=people.author.headers)
    assert emptied.status_code == 200
    assert emptied.get_json()["findings"] == [] and stored(app, made["id"]) == []


def test_findings_are_replaced_in_the_order_given(app, client, people, pair):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING, BARE])
    reordered = [BARE, {**FINDING, "direction": "mixed"}, {**BARE, "outcome": "wellbeing"}]

    response = client.patch(
        f"/api/v1/evidence/{made['id']}",
        json={"findings": reordered},
        headers=people.author.headers,
    )

    assert response.get_json()["findings"] == reordered
    assert stored(app, made["id"]) == reordered
    with app.app_context():
        positions = db.session.scalars(
            select(Finding.position).where(Finding.link_id == made["id"])
        )
        assert sorted(positions) == [0, 1, 2]


def test_a_moderator_may_change_any_link(client, people, pair):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING])

    response = client.patch(
        f"/api/v1/evidence/{made['id']}",
        json={"findings": [BARE]},
        headers=people.moderator.headers,
    )

    assert response.status_code == 200
    assert response.get_json()["findings"] == [BARE]


def test_another_member_may_not_change_a_link(app, client, people, pair):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING])
    url = f"/api/v1/evidence/{made['id']}"

    assert_json_error(client.patch(url, json={"findings": []}), 401)
    assert_json_error(client.patch(url, json={"findings": []}, headers=people.other.headers), 403)

    assert stored(app, made["id"]) == [FINDING]
    assert audit_entries(app, made["id"]) == []


def test_a_link_to_research_you_cannot_see_is_404(app, client, people):
    practice = publish(client, people, title="Helpline")["id"]
    police = publish(
        client,
        people,
        kind="research",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
        study_design="rct",
    )["id"]
    made = link(client, people.author, practice, police, [FINDING])

    for url in (f"/api/v1/evidence/{made['id']}", "/api/v1/evidence/999999"):
        response = client.patch(url, json={"findings": []}, headers=people.academic.headers)
        assert_json_error(response, 404)
    assert stored(app, made["id"]) == [FINDING]


@pytest.mark.parametrize(("change", "name"), BAD)
def test_a_bad_change_is_refused_naming_its_field_and_nothing_changes(
    app, client, people, pair, change, name
):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING], note="Before")

    response = client.patch(
        f"/api/v1/evidence/{made['id']}",
        json={"note": "After", "findings": [{**FINDING, **change}]},
        headers=people.author.headers,
    )

    errors = assert_json_error(response, 422, fields=True)["fields"]
    assert name in errors["findings"]["0"], errors
    assert stored(app, made["id"]) == [FINDING]
    [summary] = client.get(f"/api/v1/practices/{practice}").get_json()["evidence"]
    assert summary["note"] == "Before"
    assert audit_entries(app, made["id"]) == []


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"relation": "refutes"}, "relation"),
        ({"relation": None}, "relation"),
        ({"note": "x" * 2001}, "note"),
        ({"findings": None}, "findings"),
        ({"findings": {"outcome": "csem-use"}}, "findings"),
        ({"findings": [BARE] * 21}, "findings"),
        ({"research_id": 3}, "research_id"),
    ],
)
def test_a_bad_change_of_the_link_itself_is_refused(app, client, people, pair, body, name):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING])

    response = client.patch(
        f"/api/v1/evidence/{made['id']}", json=body, headers=people.author.headers
    )

    assert name in assert_json_error(response, 422, fields=True)["fields"]
    assert stored(app, made["id"]) == [FINDING]


# --------------------------------------------------------------------------- audit


def test_every_change_is_audited_with_what_it_was_and_became(app, client, people, pair):
    practice, research = pair
    made = link(client, people.author, practice, research, [FINDING], note="First")
    url = f"/api/v1/evidence/{made['id']}"

    client.patch(url, json={"findings": [BARE]}, headers=people.author.headers)
    client.patch(
        url, json={"relation": "informs", "note": "First"}, headers=people.moderator.headers
    )
    client.patch(url, json={"findings": [BARE]}, headers=people.author.headers)  # no change

    first, second = audit_entries(app, made["id"])
    assert first["actor"] == people.author.id and first["action"] == "evidence.update"
    assert first["details"] == {
        "practice": practice,
        "research": research,
        "fields": ["findings"],
        "before": {"findings": [FINDING]},
        "after": {"findings": [BARE]},
    }
    assert second["actor"] == people.moderator.id
    assert second["details"]["fields"] == ["relation"]
    assert second["details"]["before"] == {"relation": "evaluates"}
    assert second["details"]["after"] == {"relation": "informs"}


def test_the_openapi_document_describes_findings_and_the_patch(client):
    document = client.get("/api/v1/openapi.json").get_json()

    patch = document["paths"]["/api/v1/evidence/{link_id}"]["patch"]
    assert {"200", "403", "404", "422"} <= set(patch["responses"])
    finding = document["components"]["schemas"]["Finding"]
    assert set(finding["properties"]) == set(FINDING)
    assert set(finding["required"]) == {"outcome", "direction"}
