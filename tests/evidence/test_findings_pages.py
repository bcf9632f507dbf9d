"""Findings on evidence links through the pages: shown on both ends, changed on the link's
edit page (rows added, removed, refused with the message beside the field and the input
kept), and given with a new link from either end's form."""

import pytest
from sqlalchemy import select

from kx.accounts.models import User
from kx.audit import AuditEvent
from kx.evidence import services
from kx.evidence.models import EvidenceLink, Finding
from kx.extensions import db
from kx.practice.services import get_practice
from kx.research.services import get_research
from tests.support.browser import Html, Page, csrf_token, submit
from tests.support.practice import add_practice, add_research

FINDING = {
    "outcome": "sexual-reoffending",
    "direction": "positive",
    "effect_measure": "OR",
    "effect_size": 0.62,
    "ci_low": 0.41,
    "ci_high": 0.93,
    "sample_size": 1412,
    "follow_up_months": 24,
    "note": "Five-year follow-up of the 2019 cohort.",
}
EMPTY_ROW = {
    "outcome": "",
    "direction": "",
    "effect_measure": "",
    "effect_size": "",
    "ci_low": "",
    "ci_high": "",
    "sample_size": "",
    "follow_up_months": "",
    "note": "",
}


@pytest.fixture
def world(app, people):
    """A published practice, a published randomised trial linked to it by the author with
    one finding, and a second trial not linked yet."""
    practice = add_practice(
        app, people.author, approve_by=people.moderator, submit=True, title="Helpline"
    )
    trial = add_research(app, people.moderator, title="Helpline trial", study_design="rct")
    second = add_research(app, people.moderator, title="Second trial", study_design="rct")
    with app.app_context():
        actor = db.session.get(User, people.author.id)
        link = services.link_evidence(
            actor,
            get_practice(practice, actor),
            get_research(trial, actor),
            "evaluates",
            "",
            [FINDING],
        )
        link_id = link.id
    return type(
        "World",
        (),
        {"practice": practice, "trial": trial, "second": second, "link": link_id},
    )


def findings(app, link_id) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(Finding).where(Finding.link_id == link_id).order_by(Finding.position)
        )
        return [row.as_dict() for row in rows]


def link_row(app, link_id) -> dict:
    with app.app_context():
        link = db.session.get(EvidenceLink, link_id)
        return {"relation": link.relation, "note": link.note}


def audit_count(app) -> int:
    """Audit entries about evidence links."""
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "evidence_link")
        )
        return len(list(events))


def row_data(index: int, **values) -> dict:
    data = {**EMPTY_ROW, **{k: str(v) for k, v in values.items()}}
    return {f"findings-{index}-{name}": value for name, value in data.items()}


def edit_url(world, next_=None) -> str:
    url = f"/evidence/{world.link}/edit"
    return url + (f"?next={next_}" if next_ else "")


# --------------------------------------------------------------------------- shown


def test_findings_show_on_the_practice_and_the_research_page(app, people, world):
    practice = Html(people.anonymous_client.get(f"/practices/{world.practice}"))
    research = Html(people.anonymous_client.get(f"/research/{world.trial}"))

    for page, section in ((practice, "evidence"), (research, "practices")):
        assert page.status == 200
        text = page.text_of(section)
        assert "Sexual reoffending : Positive effect; Odds ratio 0.62" in text
        assert "(confidence interval 0.41 to 0.93); n = 1,412; followed up for 24 months" in text
        assert "Five-year follow-up of the 2019 cohort." in text
        assert "Edit findings" not in text


def test_only_who_may_change_the_link_is_offered_to(app, people, world):
    ends = [
        (f"/practices/{world.practice}", "evidence"),
        (f"/research/{world.trial}", "practices"),
    ]

    for who, offered in (("author", True), ("moderator", True), ("other", False)):
        for url, section in ends:
            page = Html(getattr(people, f"{who}_client").get(url))
            assert ("Edit findings" in page.text_of(section)) is offered
            edit = f"/evidence/{world.link}/edit?next={url}%23{section}"
            assert (edit in page.links()) is offered


# --------------------------------------------------------------------------- the edit page


def test_the_edit_page_shows_each_finding_and_one_empty_row(people, world):
    page = Page(people.author_client.get(edit_url(world)))

    assert page.status == 200
    assert page.value("relation") == "evaluates"
    assert page.value("findings-0-outcome") == "sexual-reoffending"
    assert page.value("findings-0-effect_size") == "0.62"
    assert page.value("findings-0-sample_size") == "1412"
    assert page.value("findings-1-outcome") == ""
    assert not page.has_control("findings-2-outcome")
    html = Html(people.author_client.get(edit_url(world)))
    legends = [a for t, a, _ in html.elements if t == "legend"]
    assert len(legends) == 2
    for name in ("findings-0-ci_low", "findings-1-note", "findings-0-remove"):
        assert html.has_id(name) and f'<label for="{name}">' in html.html


def test_the_maker_changes_a_finding_adds_one_and_removes_one(app, people, world):
    client = people.author_client
    data = {
        "relation": "supports",
        "note": "Re-read in 2026.",
        **row_data(0, **{**FINDING, "direction": "mixed"}),
        **row_data(1, outcome="help-seeking", direction="no-effect", sample_size=80),
        **row_data(2, outcome="wellbeing", direction="positive"),
        "findings-2-remove": "y",
        "action": "save",
        "next": f"/research/{world.trial}#practices",
    }

    response = submit(client, edit_url(world), data)

    assert response.status_code == 302
    assert response.location == f"/research/{world.trial}#practices"
    assert link_row(app, world.link) == {"relation": "supports", "note": "Re-read in 2026."}
    assert findings(app, world.link) == [
        {**FINDING, "direction": "mixed"},
        {
            **dict.fromkeys(FINDING),
            "outcome": "help-seeking",
            "direction": "no-effect",
            "sample_size": 80,
            "note": "",
        },
    ]
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.target_type == "evidence_link")
        )
        assert (event.actor_id, event.action) == (people.author.id, "evidence.update")
        assert (event.target_type, event.target_id) == ("evidence_link", world.link)
        assert event.details["fields"] == ["relation", "note", "findings"]
        assert event.details["before"]["findings"] == [FINDING]


def test_saving_without_a_change_writes_no_audit_entry(app, people, world):
    data = {"relation": "evaluates", "note": "", **row_data(0, **FINDING), "action": "save"}

    response = submit(people.author_client, edit_url(world), data)

    assert response.status_code == 302
    assert response.location == f"/practices/{world.practice}#evidence"
    assert audit_count(app) == 0


def test_a_moderator_may_remove_every_finding(app, people, world):
    data = {"relation": "evaluates", **row_data(0, **FINDING), "findings-0-remove": "y"}

    response = submit(people.moderator_client, edit_url(world), {**data, "action": "save"})

    assert response.status_code == 302
    assert findings(app, world.link) == []
    assert audit_count(app) == 1


def test_add_another_finding_keeps_the_input_and_adds_an_empty_row(app, people, world):
    data = {
        "relation": "supports",
        **row_data(0, **{**FINDING, "effect_size": "0.7"}),
        **row_data(1, outcome="csem-use"),
        "action": "add",
    }

    page = Page(submit(people.author_client, edit_url(world), data))

    assert page.status == 200
    assert page.value("relation") == "supports"
    assert page.value("findings-0-effect_size") == "0.7"
    assert page.value("findings-1-outcome") == "csem-use"
    assert page.value("findings-2-outcome") == ""
    assert not page.has_control("findings-3-outcome")
    assert findings(app, world.link) == [FINDING] and audit_count(app) == 0


def test_no_more_than_twenty_rows_are_offered(app, people, world):
    rows = {}
    for index in range(20):
        rows.update(row_data(index, outcome="wellbeing", direction="positive"))

    page = Html(
        submit(
            people.author_client,
            edit_url(world),
            {"relation": "evaluates", **rows, "action": "add"},
        )
    )

    assert page.has_control("findings-19-outcome") and not page.has_control("findings-20-outcome")
    assert "at most 20 findings" in page.text
    assert "Add another finding" not in page.text


BAD_ROWS = [
    ({"outcome": ""}, "outcome", "Choose an outcome"),
    ({"outcome": "happiness"}, "outcome", "Choose an outcome"),
    ({"direction": ""}, "direction", "Choose positive"),
    ({"effect_measure": "SMD"}, "effect_measure", "effect measure"),
    ({"effect_measure": ""}, "effect_measure", "Say which measure"),
    ({"effect_size": "big"}, "effect_size", "Give a number"),
    ({"effect_size": "nan"}, "effect_size", "Give a number"),
    ({"effect_size": ""}, "effect_size", "effect size the interval belongs to"),
    ({"effect_size": "0.2"}, "ci_low", "must contain the effect size"),
    ({"effect_size": "1.5"}, "ci_high", "must contain the effect size"),
    ({"ci_low": ""}, "ci_low", "both ends"),
    ({"ci_high": "0.1", "effect_size": "0.2"}, "ci_high", "not be below the lower end"),
    ({"ci_low": "x"}, "ci_low", "Give a number"),
    ({"sample_size": "0"}, "sample_size", "1 or more"),
    ({"sample_size": "12.5"}, "sample_size", "whole number"),
    ({"sample_size": "many"}, "sample_size", "whole number"),
    ({"follow_up_months": "601"}, "follow_up_months", "0 to 600"),
    ({"follow_up_months": "-1"}, "follow_up_months", "0 to 600"),
    ({"note": "x" * 2001}, "note", "2000"),
]


@pytest.mark.parametrize(("change", "name", "message"), BAD_ROWS)
def test_a_bad_finding_is_refused_beside_its_field_with_the_input_kept(
    app, people, world, change, name, message
):
    typed = {**FINDING, **change}
    data = {
        "relation": "supports",
        "note": "Changed my mind",
        **row_data(0, outcome="wellbeing", direction="positive"),
        **row_data(1, **typed),
        "action": "save",
    }

    page = Page(submit(people.author_client, edit_url(world), data))

    assert page.status == 422
    field = f"findings-1-{name}"
    assert message in page.error_text(field)
    assert f'href="#{field}"' in page.html  # the summary at the top leads to the field
    assert page.text.index("Nothing was saved yet") < page.text.index("Finding 1")
    for key, value in typed.items():
        if value not in ("happiness", "SMD"):  # a list offers no such choice to keep
            assert page.value(f"findings-1-{key}") == str(value)
    assert page.value("findings-0-outcome") == "wellbeing"
    assert page.value("note") == "Changed my mind"
    assert findings(app, world.link) == [FINDING]
    assert link_row(app, world.link)["note"] == "" and audit_count(app) == 0


def test_a_relation_must_be_chosen(app, people, world):
    data = {"relation": "", **row_data(0, **FINDING), "action": "save"}

    page = Page(submit(people.author_client, edit_url(world), data))

    assert page.status == 422
    assert "Choose a relation" in page.error_text("relation")
    assert link_row(app, world.link)["relation"] == "evaluates"


def test_the_edit_page_needs_its_csrf_token(app, people, world):
    data = {"relation": "supports", **row_data(0, **FINDING), "action": "save"}

    response = people.author_client.post(edit_url(world), data=data)

    assert response.status_code == 400
    assert link_row(app, world.link)["relation"] == "evaluates"


def test_another_member_may_not_edit_the_link(app, people, world):
    client = people.other_client
    assert client.get(edit_url(world)).status_code == 403
    token = csrf_token(client, f"/practices/{world.practice}")
    data = {"csrf_token": token, "relation": "supports", **row_data(0, **FINDING)}

    assert client.post(edit_url(world), data={**data, "action": "save"}).status_code == 403
    assert link_row(app, world.link)["relation"] == "evaluates"


def test_a_link_to_research_you_cannot_see_is_not_found(app, people):
    practice = add_practice(app, people.author, approve_by=people.moderator, submit=True)
    police = add_research(
        app,
        people.moderator,
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
        study_design="rct",
    )
    with app.app_context():
        actor = db.session.get(User, people.moderator.id)
        link_id = services.link_evidence(
            actor, get_practice(practice, actor), get_research(police, actor), "evaluates"
        ).id

    assert people.other_client.get(f"/evidence/{link_id}/edit").status_code == 404
    assert people.author_client.get(f"/evidence/{link_id}/edit").status_code == 403
    assert people.anonymous_client.get(f"/evidence/{link_id}/edit").status_code == 302


def test_an_outside_next_address_is_ignored(people, world):
    data = {"relation": "evaluates", **row_data(0, **FINDING), "action": "save"}

    response = submit(
        people.author_client, edit_url(world), {**data, "next": "https://evil.example/"}
    )

    assert response.location == f"/practices/{world.practice}#evidence"


# --------------------------------------------------------------------------- new links


def first_finding(**values) -> dict:
    data = {**EMPTY_ROW, **{k: str(v) for k, v in values.items()}}
    return {f"finding-{name}": value for name, value in data.items()}


def test_linking_from_the_practice_page_takes_a_first_finding(app, people, world):
    url = f"/practices/{world.practice}"
    data = {"research_id": world.second, "relation": "supports", **first_finding(**FINDING)}

    response = submit(people.other_client, f"{url}/evidence", data, form_page=url)

    assert response.status_code == 302
    with app.app_context():
        link = db.session.scalar(
            select(EvidenceLink).where(EvidenceLink.research_id == world.second)
        )
        assert [f.as_dict() for f in link.findings] == [FINDING]


def test_linking_without_a_finding_still_works(app, people, world):
    url = f"/practices/{world.practice}"
    data = {"research_id": world.second, "relation": "informs", **first_finding()}

    response = submit(people.other_client, f"{url}/evidence", data, form_page=url)

    assert response.status_code == 302
    with app.app_context():
        link = db.session.scalar(
            select(EvidenceLink).where(EvidenceLink.research_id == world.second)
        )
        assert link.findings == []


def test_a_bad_first_finding_is_refused_beside_its_field(app, people, world):
    url = f"/practices/{world.practice}"
    typed = {**FINDING, "effect_size": "2.5"}
    data = {"research_id": world.second, "relation": "supports", **first_finding(**typed)}

    page = Page(submit(people.other_client, f"{url}/evidence", data, form_page=url))

    assert page.status == 422
    assert "must contain the effect size" in page.error_text("finding-ci_high")
    assert page.value("finding-effect_size") == "2.5"
    assert page.value("finding-outcome") == "sexual-reoffending"
    assert page.value("relation") == "supports"
    with app.app_context():
        assert (
            db.session.scalar(select(EvidenceLink).where(EvidenceLink.research_id == world.second))
            is None
        )


def test_linking_from_the_research_page_takes_a_first_finding(app, people, world):
    other_practice = add_practice(
        app, people.author, approve_by=people.moderator, submit=True, title="Other practice"
    )
    url = f"/research/{world.trial}"
    finding = {"outcome": "help-seeking", "direction": "negative"}

    bad = {"practice_id": other_practice, "relation": "evaluates", **first_finding(outcome="x")}
    page = Page(submit(people.other_client, f"{url}/evidence", bad, form_page=url))
    assert page.status == 422
    assert "Choose an outcome" in page.error_text("finding-outcome")

    data = {"practice_id": other_practice, "relation": "evaluates", **first_finding(**finding)}
    response = submit(people.other_client, f"{url}/evidence", data, form_page=url)

    assert response.status_code == 302
    with app.app_context():
        link = db.session.scalar(
            select(EvidenceLink).where(EvidenceLink.practice_id == other_practice)
        )
        assert [f.as_dict() for f in link.findings] == [
            {**dict.fromkeys(FINDING), **finding, "note": ""}
        ]
    page = Html(people.anonymous_client.get(url))
    assert "Help-seeking : Harmful effect" in page.text_of("practices")
