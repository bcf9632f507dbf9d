"""Practice example pages through the browser's eyes: the list with its filters, the detail
page, the form with the anonymisation check, evidence links, visibility and an XSS corpus."""

import json
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from kx.accounts.models import User
from kx.evidence.models import EvidenceLink
from kx.evidence.panels import evidence_label
from kx.extensions import db
from kx.practice.models import Practice
from tests.support.browser import Html, breadcrumb, submit
from tests.support.database import page_statements
from tests.support.practice import (
    FORM,
    add_practice,
    add_research,
    create,
    created_id,
    form_data,
    post_form,
    row,
    titles_on_list,
)

pytestmark = pytest.mark.usefixtures("_index_later")


def practice_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Practice))


# --------------------------------------------------------------------------- the list


def test_the_list_shows_published_items_with_their_facts(app, people):
    published = add_practice(app, people.author, submit=True, approve_by=people.moderator)
    add_practice(app, people.author, title="A draft nobody else sees", submit=False)

    page = Html(people.anonymous_client.get("/practices"))

    assert page.status == 200
    assert f"/practices/{published}" in page.links()
    assert "Confidential helpline for worried adults" in page.text
    assert FORM["summary"] in page.text
    assert "Prevention, Treatment" in page.text
    assert "United Kingdom, Netherlands" in page.text
    assert "No linked evidence" in page.text
    assert "A draft nobody else sees" not in page.text
    assert "1 practice example" in page.text


def test_the_list_hides_drafts_and_pending_items_even_from_moderators(app, people):
    add_practice(app, people.author, title="Pending one", submit=True)
    add_practice(app, people.author, title="Draft one", submit=False)

    for client in (people.author_client, people.moderator_client, people.anonymous_client):
        text = titles_on_list(client)
        assert "Pending one" not in text and "Draft one" not in text
        assert "0 practice examples" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?domain=policing", {"Police triage"}),
        ("?domain=prevention", {"Helpline", "School sessions"}),
        ("?country=DE", {"Police triage"}),
        ("?country=de", {"Police triage"}),
        ("?prevention_level=primary", {"School sessions"}),
        ("?stage=arrest", {"Police triage"}),
        ("?evaluation_status=peer-reviewed", {"School sessions"}),
        ("?domain=prevention&country=AU", {"School sessions"}),
        ("?evidence_level=quasi-experimental", {"Helpline"}),
        ("?evidence_level=none", {"Police triage", "School sessions"}),
        ("?evidence_level=rct", set()),
        (
            "?domain=spying&country=ZZ&evidence_level=astrology",
            {"Helpline", "Police triage", "School sessions"},
        ),
    ],
)
def test_filters_narrow_the_list(app, people, query, expected):
    helpline = add_practice(
        app, people.moderator, title="Helpline", domains=["prevention"], submit=True
    )
    add_practice(
        app,
        people.moderator,
        title="Police triage",
        domains=["policing"],
        countries=["DE"],
        stages=["arrest"],
        prevention_level="tertiary",
        evaluation_status="none",
        submit=True,
    )
    add_practice(
        app,
        people.moderator,
        title="School sessions",
        domains=["prevention", "education"],
        countries=["AU"],
        stages=[],
        prevention_level="primary",
        evaluation_status="peer-reviewed",
        submit=True,
    )
    research = add_research(app, people.moderator)
    _link(app, people.moderator, helpline, research, "evaluates")

    page = Html(people.anonymous_client.get("/practices" + query))

    shown = {
        t for t in ("Helpline", "Police triage", "School sessions") if f">{t}</a>" in page.html
    }
    assert shown == expected
    assert f"{len(expected)} practice example" in page.text


def _link(app, user, practice_id, research_id, relation, note=""):
    from kx.evidence.services import link_evidence
    from kx.practice.services import get_practice
    from kx.research.services import get_research

    with app.app_context():
        actor = db.session.get(User, user.id)
        return link_evidence(
            actor,
            get_practice(practice_id, actor),
            get_research(research_id, actor),
            relation,
            note,
        ).id


def test_active_filters_are_shown_with_a_way_to_remove_each(app, people):
    add_practice(app, people.moderator, submit=True)

    page = Html(people.anonymous_client.get("/practices?domain=treatment&country=NL&sort=title"))

    assert "Domain: Treatment" in page.text
    assert "Country: Netherlands" in page.text
    assert "/practices?country=NL&sort=title" in page.links()  # removes the domain only
    assert "/practices?domain=treatment&sort=title" in page.links()
    assert page.values("domain") == ["treatment"]
    assert page.values("country") == ["NL"]
    assert page.values("sort") == ["title"]
    for control in ("domain", "country", "prevention_level", "stage", "evaluation_status"):
        assert f'<label for="filter-{control}">' in page.html
    assert '<label for="filter-evidence_level">' in page.html
    assert '<label for="sort">' in page.html


def test_sort_by_title_and_newest(app, people):
    for title in ("Bravo", "Alpha", "Charlie"):
        add_practice(app, people.moderator, title=title, submit=True)

    def order(query):
        html = Html(people.anonymous_client.get("/practices" + query)).html
        return sorted(("Alpha", "Bravo", "Charlie"), key=lambda t: html.index(f">{t}</a>"))

    assert order("?sort=title") == ["Alpha", "Bravo", "Charlie"]
    assert order("") == ["Charlie", "Alpha", "Bravo"]  # newest first
    assert order("?sort=nonsense") == ["Charlie", "Alpha", "Bravo"]


def test_the_list_is_paginated(app, people):
    for n in range(23):
        add_practice(app, people.moderator, title=f"Item {n:02d}", submit=True)

    first = Html(people.anonymous_client.get("/practices?sort=title"))
    second = Html(people.anonymous_client.get("/practices?sort=title&page=2"))
    beyond = Html(people.anonymous_client.get("/practices?sort=title&page=9"))

    assert "23 practice examples" in first.text
    assert "Page 1 of 2" in first.text
    assert "/practices?page=2&sort=title" in first.links()
    assert ">Item 19</a>" in first.html and ">Item 20</a>" not in first.html
    assert ">Item 20</a>" in second.html and ">Item 22</a>" in second.html
    assert ">Item 00</a>" not in second.html
    assert beyond.status == 200 and ">Item" not in beyond.html


def evidence_on_list(client, query: str = "") -> dict[str, str]:
    """Each row's title -> the evidence level the list shows for it."""
    html = Html(client.get("/practices" + query)).html
    rows = re.findall(r'<article aria-labelledby="practice-\d+-title">(.*?)</article>', html, re.S)
    found = {}
    for row_html in rows:
        title = Html(re.search(r"<h3 [^>]*>(.*?)</h3>", row_html, re.S).group(1)).text
        facts = re.search(r"<dt>Rating</dt><dd>(.*?)</dd>", row_html, re.S).group(1)
        found[title] = Html(facts).text
    return found


def statements_run(app, client, url: str) -> int:
    """How many SQL statements serving ``url`` to ``client`` runs for the page."""
    return len(page_statements(app, client, url))


def test_each_row_shows_its_own_evidence_level(app, people):
    mod = people.moderator

    def practice(title):
        return add_practice(app, mod, title=title, submit=True)

    def research(design, **fields):
        return add_research(app, mod, title=f"A {design} study", study_design=design, **fields)

    trial = practice("Backed by a trial")
    _link(app, mod, trial, research("case-study"), "evaluates")
    _link(app, mod, trial, research("rct"), "supports")
    case = practice("Backed by a case study")
    _link(app, mod, case, research("case-study"), "evaluates")
    informed = practice("Only informed")
    _link(app, mod, informed, research("systematic-review"), "informs")
    members = practice("Backed by members-only research")
    _link(app, mod, members, research("systematic-review", visibility="members"), "evaluates")
    draft = practice("Backed by a draft")
    _link(app, people.author, draft, add_research(app, people.author, submit=False), "supports")
    practice("Not linked")

    expected = {
        "Backed by a trial": "Randomised controlled trial",
        "Backed by a case study": "Case study",
        "Only informed": "No linked evidence",
        "Backed by members-only research": "No linked evidence",
        "Backed by a draft": "No linked evidence",
        "Not linked": "No linked evidence",
    }
    members_view = {**expected, "Backed by members-only research": "Systematic review"}
    # the list rows show the rating; the evidence level is what the list filters by
    for client, view in (
        (people.anonymous_client, expected),
        (people.other_client, members_view),
        (people.author_client, members_view),
    ):
        for level in ("rct", "case-study", "systematic-review", "none"):
            wanted = {
                title
                for title, shown in view.items()
                if shown == (evidence_label(level) if level != "none" else "No linked evidence")
            }
            assert set(evidence_on_list(client, f"?evidence_level={level}")) == wanted, level
    for practice_id, title in ((trial, "Backed by a trial"), (draft, "Backed by a draft")):
        detail = Html(people.author_client.get(f"/practices/{practice_id}"))
        assert f"Evidence level: {members_view[title]}" in detail.text_of("evidence")


def test_a_list_page_costs_the_same_queries_for_2_or_12_items(app, people):
    def add_linked(n):
        practice_id = add_practice(app, people.moderator, title=f"Item {n:02d}", submit=True)
        research_id = add_research(app, people.moderator, title=f"Study {n:02d}")
        _link(app, people.moderator, practice_id, research_id, "evaluates")

    client = people.other_client
    for n in range(2):
        add_linked(n)
    client.get("/practices")  # warm up: the first request of a client may do one-off work
    with_two = statements_run(app, client, "/practices")
    for n in range(2, 12):
        add_linked(n)
    with_twelve = statements_run(app, client, "/practices")

    assert set(evidence_on_list(client).values()) == {
        "Insufficient evidence 1 study, strongest: Quasi-experimental"
    }
    assert len(evidence_on_list(client)) == 12
    assert with_twelve == with_two, (with_two, with_twelve)


# --------------------------------------------------------------------------- the detail page


def test_the_detail_page_shows_every_field(app, people):
    practice_id = add_practice(
        app, people.author, submit=True, approve_by=people.moderator, body="## Steps\n\n- one"
    )

    page = Html(people.anonymous_client.get(f"/practices/{practice_id}"))

    assert page.status == 200
    for text in (
        FORM["title"],
        FORM["summary"],
        "Prevention, Treatment",
        "United Kingdom, Netherlands",
        "A national prevention charity",
        "Secondary (people at risk)",
        "Pre-offence, Viewing",
        FORM["target_population"],
        "Independent evaluation",
        "No linked evidence",
        "Alex Author",
        "What was done",
        "Outcomes",
        FORM["outcomes"],
        "Implementation",
        FORM["implementation"],
        "Challenges",
        FORM["challenges"],
    ):
        assert text in page.text, text
    assert "<h3>Steps</h3>" in page.html  # Markdown rendered, headings demoted
    assert "<li>one</li>" in page.html
    assert page.html.count("<h1") == 1
    # no owner tools for a visitor
    assert f"/practices/{practice_id}/edit" not in page.links()
    assert not any("/delete" in action for action in page.forms())
    assert f"/practices/{practice_id}/delete" not in page.links()


def test_the_detail_page_has_a_breadcrumb_back_to_the_list(app, people):
    practice_id = add_practice(app, people.moderator, title="Triage <fast> & fair", submit=True)

    page = Html(people.anonymous_client.get(f"/practices/{practice_id}"))

    assert breadcrumb(page.html) == [
        ("Practice examples", "/practices", False),
        ("Triage <fast> & fair", f"/practices/{practice_id}", True),
    ]
    assert page.html.index('aria-label="Breadcrumb"') < page.html.index("<h1")


def test_a_missing_practice_is_404(people):
    assert people.anonymous_client.get("/practices/999999").status_code == 404


def test_the_author_sees_tools_warnings_and_status(app, people):
    practice_id = add_practice(
        app, people.author, body="Write to case.worker@example.org for details.", submit=True
    )

    page = Html(people.author_client.get(f"/practices/{practice_id}"))

    assert page.status == 200
    assert "Pending review" in page.text
    assert "E-mail address" in page.text
    assert "case.worker@example.org" in page.text_of("warnings-heading") + page.text
    assert f"/practices/{practice_id}/edit" in page.links()
    assert f"/practices/{practice_id}/revisions" in page.links()
    assert f"/practices/{practice_id}/delete" in page.links()


def test_visitors_do_not_see_identifier_warnings_of_a_published_item(app, people):
    practice_id = add_practice(
        app,
        people.author,
        body="Ring 020 7946 0958 to refer.",
        submit=True,
        approve_by=people.moderator,
    )
    assert row(app, practice_id).identifier_warnings

    page = Html(people.other_client.get(f"/practices/{practice_id}"))

    assert page.status == 200
    assert "Possible identifying details" not in page.text
    assert (
        "Possible identifying details"
        in Html(people.author_client.get(f"/practices/{practice_id}")).text
    )


# --------------------------------------------------------------------------- visibility


@pytest.fixture
def audiences(app, people):
    """One published item per visibility level; returns their ids."""
    ids = {
        "public": add_practice(
            app, people.moderator, title="Public practice", visibility="public", submit=True
        ),
        "members": add_practice(
            app, people.moderator, title="Members practice", visibility="members", submit=True
        ),
        "restricted": add_practice(
            app,
            people.moderator,
            title="Law enforcement practice",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
            submit=True,
        ),
    }
    return ids


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("anonymous", {"public"}),
        ("unverified", {"public"}),  # same sector as the restricted item, but unverified
        ("other", {"public", "members"}),  # verified, treatment sector
        ("author", {"public", "members", "restricted"}),  # verified, law enforcement
        ("moderator", {"public", "members", "restricted"}),
    ],
)
def test_visibility_on_the_list_and_the_detail_page_agree(people, audiences, viewer, sees):
    client = getattr(people, f"{viewer}_client")
    titles = {
        "public": "Public practice",
        "members": "Members practice",
        "restricted": "Law enforcement practice",
    }

    text = titles_on_list(client)

    for level, practice_id in audiences.items():
        status = client.get(f"/practices/{practice_id}").status_code
        if level in sees:
            assert titles[level] in text, level
            assert status == 200, level
        else:
            assert titles[level] not in text, level
            assert status == 404, level
    assert f"{len(sees)} practice example" in text


def test_members_items_are_not_counted_in_filters_for_visitors(people, audiences):
    text = titles_on_list(people.anonymous_client, "?domain=prevention")
    assert "1 practice example" in text


# --------------------------------------------------------------------------- the form


def test_the_new_form_needs_a_signed_in_user(people):
    response = people.anonymous_client.get("/practices/new")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_the_form_has_a_labelled_control_for_every_field(people):
    page = Html(people.author_client.get("/practices/new"))

    assert page.status == 200
    for name in (*FORM, "anonymised_confirmed"):
        assert page.has_control(name), name
    checkbox_lists = {
        "domains": "Domains",
        "countries": "Countries",
        "stages": "Offending-timeline stages",
        "restricted_sectors": "Sectors that may read it",
    }
    for name in FORM:
        if name != "visibility":
            labelled = f'<label for="{name}">' in page.html
            assert labelled or f"<legend>{checkbox_lists.get(name)}</legend>" in page.html, name
    assert "<legend>Who may read it</legend>" in page.html
    assert set(page.buttons()) >= {"check", "draft", "submit", "preview"}
    assert "<select multiple" not in page.html  # no Ctrl-click lists
    for name in checkbox_lists:
        assert re.search(rf'<input[^>]*name="{name}"[^>]*type="checkbox"', page.html), name


def test_saving_a_draft_stores_every_field(app, people):
    response = create(people.author_client, "draft")

    practice_id = created_id(response)
    stored = row(app, practice_id)
    assert stored.status == "draft"
    assert stored.author_id == people.author.id
    for name, value in FORM.items():
        assert getattr(stored, name) == (sorted(value) if isinstance(value, list) else value), name
    assert stored.restricted_sectors == []
    page = Html(people.author_client.get(response.location))
    assert "Draft saved" in page.text


def test_the_edit_form_comes_back_filled_in(app, people):
    practice_id = created_id(create(people.author_client, "draft"))

    page = Html(people.author_client.get(f"/practices/{practice_id}/edit"))

    assert page.status == 200
    for name, value in FORM.items():
        expected = value if isinstance(value, list) else [value]
        assert sorted(page.values(name)) == sorted(expected), name
    assert page.values("anonymised_confirmed") == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the example a title"),
        ({"title": "   "}, "title", "Give the example a title"),
        ({"title": "x" * 201}, "title", "200"),
        ({"domains": []}, "domains", "Choose at least one domain"),
        ({"domains": ["astrology"]}, "domains", "Must be one of"),
        ({"countries": ["ZZ"]}, "countries", "ZZ is not an ISO"),
        ({"summary": "x" * 1001}, "summary", "1000"),
        ({"visibility": "restricted"}, "restricted_sectors", "Choose the sectors"),
        ({"prevention_level": "quaternary"}, "prevention_level", "Must be one of"),
    ],
)
def test_a_form_error_keeps_everything_typed_and_saves_nothing(
    app, people, changes, field, message
):
    response = create(people.author_client, "draft", **changes)

    assert response.status_code == 422
    page = Html(response)
    assert message in page.errors(field), page.errors(field)
    assert 'aria-describedby="' in page.html
    typed = {**FORM, **changes}
    for name, value in typed.items():
        if name == field and name in ("domains", "countries", "prevention_level"):
            continue  # a refused choice cannot be shown selected
        expected = value if isinstance(value, list) else [value]
        assert sorted(page.values(name)) == sorted(expected), name
    assert practice_count(app) == 0


def test_an_expired_form_is_refused_without_saving(app, people):
    response = people.author_client.post("/practices/new", data={**FORM, "action": "draft"})
    assert response.status_code in (400, 422)
    assert practice_count(app) == 0


def test_unverified_members_can_save_drafts_but_not_submit(app, people):
    draft = create(people.unverified_client, "draft")
    assert row(app, created_id(draft)).status == "draft"

    response = create(people.unverified_client, "submit", title="Try to submit")

    assert response.status_code == 403
    page = Html(response)
    assert "awaiting verification" in page.text
    assert page.value("title") == "Try to submit"
    assert practice_count(app) == 1


def test_the_form_says_unverified_members_can_only_save_drafts(people):
    page = Html(people.unverified_client.get("/practices/new"))
    assert "awaiting verification" in page.text


# --------------------------------------------------------------------------- anonymisation


IDENTIFYING_BODY = "Contact Dr Jane Miller at jane.miller@example.org about the referral."
CLEAN_BODY = "Contact the service's duty clinician about the referral."


def test_check_lists_findings_beside_the_fields_and_saves_nothing(app, people):
    response = post_form(
        people.author_client,
        "/practices/new",
        form_data(body=IDENTIFYING_BODY, summary="Call 020 7946 0958 to refer."),
        "check",
    )

    assert response.status_code == 200
    page = Html(response)
    beside_body = page.text_of("body-findings")
    assert "E-mail address" in beside_body and "jane.miller@example.org" in beside_body
    assert "Name with a title or rank" in beside_body and "Dr Jane Miller" in beside_body
    assert "Phone number" in page.text_of("summary-findings")
    assert "020 7946 0958" in page.text_of("summary-findings")
    assert "body-findings" in re.search(r'<textarea[^>]*id="body"[^>]*>', page.html).group(0)
    assert "found 3 possible identifying details" in page.text
    assert "Nothing has been saved yet" in page.text
    assert page.value("body") == IDENTIFYING_BODY
    assert practice_count(app) == 0


def test_a_clean_check_says_so(app, people):
    response = post_form(people.author_client, "/practices/new", form_data(), "check")

    page = Html(response)
    assert "No possible identifying details found" in page.text
    assert practice_count(app) == 0


def test_submitting_unseen_findings_shows_them_first(app, people):
    response = create(people.author_client, "submit", body=IDENTIFYING_BODY)

    assert response.status_code == 422
    page = Html(response)
    assert "possible identifiers you had not seen" in page.text
    assert "jane.miller@example.org" in page.text_of("body-findings")
    assert practice_count(app) == 0

    # The findings are now seen: submitting the same text with the confirmation goes on.
    seen = re.search(r'name="seen_warnings" value="([^"]*)"', page.html).group(1)
    again = submit(
        people.author_client,
        "/practices/new",
        {
            **form_data(body=IDENTIFYING_BODY),
            "anonymised_confirmed": "y",
            "seen_warnings": seen,
            "action": "submit",
        },
    )
    assert row(app, created_id(again)).status == "pending"


def test_submitting_needs_the_anonymisation_confirmation(app, people):
    response = post_form(people.author_client, "/practices/new", form_data(), "submit")

    assert response.status_code == 422
    page = Html(response)
    assert "Confirm that the example is anonymised" in page.errors("anonymised_confirmed")
    assert 'aria-invalid="true"' in re.search(
        r'<input[^>]*name="anonymised_confirmed"[^>]*>', page.html
    ).group(0)
    assert page.value("title") == FORM["title"]
    assert practice_count(app) == 0


def test_the_anonymisation_journey(app, people):
    """Write with an e-mail address -> see the warning -> fix -> submit -> approved -> listed."""
    client = people.author_client
    typed = form_data(title="Referral pathway pilot", body=IDENTIFYING_BODY)

    checked = Html(post_form(client, "/practices/new", typed, "check"))
    assert "jane.miller@example.org" in checked.text_of("body-findings")
    assert practice_count(app) == 0

    fixed = {**typed, "body": CLEAN_BODY, "anonymised_confirmed": "y"}
    seen = re.search(r'name="seen_warnings" value="([^"]*)"', checked.html).group(1)
    response = submit(
        client, "/practices/new", {**fixed, "seen_warnings": seen, "action": "submit"}
    )
    practice_id = created_id(response)
    stored = row(app, practice_id)
    assert stored.status == "pending"
    assert stored.identifier_warnings == []
    assert stored.anonymised_confirmed is True
    assert "Submitted for review" in Html(client.get(response.location)).text
    assert "Referral pathway pilot" not in titles_on_list(people.anonymous_client)

    queue = Html(people.moderator_client.get("/review"))
    assert "Referral pathway pilot" in queue.text
    decided = submit(
        people.moderator_client,
        f"/review/practice/{practice_id}",
        {"decision": "approve"},
        form_page="/review",
    )
    assert decided.status_code == 302

    assert "Referral pathway pilot" in titles_on_list(people.anonymous_client)
    assert row(app, practice_id).status == "published"


# --------------------------------------------------------------------------- evidence links


@pytest.fixture
def linked(app, people):
    """A published practice and a published quasi-experimental research summary."""
    practice_id = add_practice(app, people.author, submit=True, approve_by=people.moderator)
    research_id = add_research(app, people.moderator)
    return SimpleNamespace(practice=practice_id, research=research_id)


def link_via_form(client, practice_id, research_id, relation="evaluates", note="Two-year study."):
    return submit(
        client,
        f"/practices/{practice_id}/evidence",
        {"research_id": str(research_id), "relation": relation, "note": note},
        form_page=f"/practices/{practice_id}",
    )


def link_rows(app) -> list[SimpleNamespace]:
    with app.app_context():
        return [
            SimpleNamespace(
                id=link.id,
                practice_id=link.practice_id,
                research_id=link.research_id,
                relation=link.relation,
                note=link.note,
                created_by_id=link.created_by_id,
            )
            for link in db.session.scalars(select(EvidenceLink))
        ]


def test_a_verified_member_links_research_and_the_page_shows_it(app, people, linked):
    page = Html(people.other_client.get(f"/practices/{linked.practice}"))
    assert page.has_control("research_id")
    assert str(linked.research) in page.values("research_id") or (
        f'value="{linked.research}"' in page.html
    )

    response = link_via_form(people.other_client, linked.practice, linked.research)

    assert response.status_code == 302
    [link] = link_rows(app)
    assert (link.relation, link.note, link.created_by_id) == (
        "evaluates",
        "Two-year study.",
        people.other.id,
    )
    page = Html(people.anonymous_client.get(f"/practices/{linked.practice}"))
    evidence = page.text_of("evidence")
    assert "Evaluates" in evidence
    assert "Evaluation of a confidential helpline" in evidence
    assert "Study design: Quasi-experimental" in evidence
    assert "Two-year study." in evidence
    assert "Linked by Olivia Other" in evidence
    assert f"/research/{linked.research}" in page.links()
    assert "Evidence level: Quasi-experimental" in evidence
    # a visitor may not remove it
    assert not any("/evidence/" in action for action in page.forms())


def test_informing_research_does_not_raise_the_evidence_level(app, people, linked):
    link_via_form(people.other_client, linked.practice, linked.research, relation="informs")

    page = Html(people.anonymous_client.get(f"/practices/{linked.practice}"))
    assert "Informs" in page.text_of("evidence")
    assert "Evidence level: No linked evidence" in page.text_of("evidence")


@pytest.mark.parametrize(
    ("data", "status", "field", "message"),
    [
        ({"research_id": "", "relation": "supports"}, 422, "research_id", "Choose a research"),
        ({"research_id": "x", "relation": "supports"}, 422, "research_id", "Choose a research"),
        ({"relation": "praises"}, 422, "relation", "Choose a relation"),
    ],
)
def test_a_bad_link_is_shown_beside_the_field(app, people, linked, data, status, field, message):
    payload = {"research_id": str(linked.research), "note": "kept note", **data}
    response = submit(
        people.other_client,
        f"/practices/{linked.practice}/evidence",
        payload,
        form_page=f"/practices/{linked.practice}",
    )

    assert response.status_code == status
    page = Html(response)
    assert message in page.errors(field)
    assert page.value("note") == "kept note"
    assert link_rows(app) == []


def test_linking_the_same_research_twice_is_a_conflict(app, people, linked):
    link_via_form(people.other_client, linked.practice, linked.research)

    response = link_via_form(people.author_client, linked.practice, linked.research)

    assert response.status_code == 409
    assert "Already linked" in Html(response).errors("research_id")
    assert len(link_rows(app)) == 1


def test_invisible_research_cannot_be_linked(app, people, linked):
    hidden = add_research(
        app,
        people.moderator,
        title="Restricted study",
        doi=None,
        visibility="restricted",
        restricted_sectors=["academic"],
    )

    response = link_via_form(people.other_client, linked.practice, hidden)

    assert response.status_code == 404
    assert link_rows(app) == []


def test_unverified_and_anonymous_people_cannot_link(app, people, linked):
    page = Html(people.unverified_client.get(f"/practices/{linked.practice}"))
    assert not page.has_control("research_id")

    token_page = f"/practices/{linked.practice}"
    unverified = submit(
        people.unverified_client,
        f"/practices/{linked.practice}/evidence",
        {"research_id": str(linked.research), "relation": "supports"},
        form_page=token_page,
    )
    anonymous = people.anonymous_client.post(
        f"/practices/{linked.practice}/evidence",
        data={"research_id": str(linked.research), "relation": "supports"},
    )

    assert unverified.status_code == 403
    assert anonymous.status_code in (302, 400)
    assert link_rows(app) == []


def test_the_creator_or_a_moderator_removes_a_link_and_others_get_403(app, people, linked):
    link_via_form(people.other_client, linked.practice, linked.research)
    [link] = link_rows(app)
    url = f"/practices/{linked.practice}/evidence/{link.id}/delete"
    detail = f"/practices/{linked.practice}"

    assert url not in Html(people.author_client.get(detail)).forms()
    assert submit(people.author_client, url, form_page=detail).status_code == 403
    assert len(link_rows(app)) == 1

    assert url in Html(people.other_client.get(detail)).forms()
    assert submit(people.other_client, url, form_page=detail).status_code == 302
    assert link_rows(app) == []

    link_via_form(people.other_client, linked.practice, linked.research)
    [link] = link_rows(app)
    url = f"/practices/{linked.practice}/evidence/{link.id}/delete"
    assert submit(people.moderator_client, url, form_page=detail).status_code == 302
    assert link_rows(app) == []


def test_a_link_id_under_another_practice_is_404(app, people, linked):
    other_practice = add_practice(app, people.moderator, title="Another", submit=True)
    link_via_form(people.other_client, linked.practice, linked.research)
    [link] = link_rows(app)

    response = submit(
        people.other_client,
        f"/practices/{other_practice}/evidence/{link.id}/delete",
        form_page=f"/practices/{other_practice}",
    )

    assert response.status_code == 404
    assert len(link_rows(app)) == 1


# --------------------------------------------------------------------------- XSS corpus


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<a href="javascript:alert(1)">plain html link</a>',
    "[md link](javascript:alert(1))",
    "[md upper](JaVaScRiPt:alert(1))",
    "[md entity](&#106;avascript:alert(1))",
    "[md hex entity](&#x6A;avascript&#x3A;alert(1))",
    "[md colon entity](javascript&colon;alert(1))",
    "[md percent](%6Aavascript:alert(1))",
    "[md tab](java\tscript:alert(1))",
    "[md spaces](  javascript:alert(1) )",
    "<javascript:alert(1)>",
    "[md data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[md vbscript](vbscript:msgbox(1))",
    "![remote image](https://evil.example/track.png)",
    '![alt "quote" onerror=alert(1)](https://evil.example/a.png "title")',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<form action=https://evil.example><input name=x></form>",
    "<object data=https://evil.example/x.swf></object><embed src=https://evil.example/x>",
    "<details open ontoggle=alert(1)>",
    '"><script>alert(1)</script>',
    "<<script>script>alert(1)<</script>/script>",
]
DANGEROUS_TAGS = {
    "script", "img", "svg", "iframe", "math", "style", "object", "embed", "form", "input",
    "details", "noscript", "link", "meta", "base", "frame", "frameset", "video", "audio",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def assert_harmless(page: Html, within: str | None = None) -> None:
    """No active content anywhere in ``page`` (or inside ``within``, e.g. the article)."""
    elements = page.inside(within or "body")
    assert elements, "nothing to check"
    for tag, attrs in elements:
        # the page's own forms, its menu (a disclosure) and its script file, never anything
        # from the text
        ours = not within and (
            tag in ("form", "input")
            or (tag == "details" and attrs.get("class") == "site-menu")
            or (
                tag == "script"
                and set(attrs) == {"src", "defer"}
                and attrs["src"].startswith("/static/")
            )
        )
        assert tag not in DANGEROUS_TAGS or ours, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("style", "srcdoc", "xlink:href", "formaction"), (tag, name)
            if name in ("href", "src", "action"):
                cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = urlsplit(cleaned).scheme
                assert scheme in SAFE_SCHEMES, (tag, name, value)
                assert "evil.example" not in cleaned or tag == "a", (tag, name, value)
    # the only script elements are the page's JSON-LD data blocks, which run nothing, and
    # the form's own script file
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.html, re.I | re.S)
    assert len(scripts) == page.html.lower().count("<script")
    for attrs, content in scripts:
        if attrs.strip() == 'src="/static/forms.js" defer' and not content:
            continue
        assert attrs.strip() == 'type="application/ld+json"', attrs
        json.loads(content)


@pytest.fixture
def xss_practice(app, people):
    body = "\n\n".join(XSS)
    response = create(
        people.moderator_client,
        "submit",
        title="<script>alert('title')</script> Title",
        summary='<img src=x onerror=alert("summary")> Summary',
        body=body,
        outcomes="\n\n".join(reversed(XSS)),
        organisation="<svg onload=alert(1)>",
    )
    response = _submit_seen(people.moderator_client, response)
    practice_id = created_id(response)
    return SimpleNamespace(id=practice_id, body=body)


def _submit_seen(client, response):
    """Press "Submit for review" again after the findings were shown (if they were)."""
    if response.status_code != 422:
        return response
    page = Html(response)
    seen = re.search(r'name="seen_warnings" value="([^"]*)"', page.html).group(1)
    data = {name: page.values(name) for name in FORM}
    data = {
        k: (v if k in ("domains", "countries", "stages") else (v[0] if v else ""))
        for k, v in data.items()
    }
    return submit(
        client,
        "/practices/new",
        {**data, "anonymised_confirmed": "y", "seen_warnings": seen, "action": "submit"},
    )


def test_the_xss_corpus_is_stored_as_typed_and_its_html_is_clean(app, xss_practice):
    stored = row(app, xss_practice.id)
    assert stored.body == xss_practice.body
    assert stored.status == "published"
    for column in ("body_html", "outcomes_html"):
        assert_harmless(Html(getattr(stored, column)))


def test_the_xss_corpus_renders_harmlessly_on_the_detail_page(people, xss_practice):
    page = Html(people.anonymous_client.get(f"/practices/{xss_practice.id}"))

    assert page.status == 200
    assert_harmless(page, within="article")
    assert_harmless(page)
    assert "<script>alert('title')</script> Title" in page.text  # shown as text
    assert "remote image" in page.text  # an image becomes its alt text
    links = [a["href"] for t, a in page.inside("article") if t == "a" and "href" in a]
    assert links, "the Markdown links should survive as text or safe links"


@pytest.mark.parametrize("viewer", ["anonymous", "moderator"])
def test_the_xss_corpus_renders_harmlessly_on_lists_and_forms(people, xss_practice, viewer):
    client = getattr(people, f"{viewer}_client")
    urls = ["/practices", f"/practices/{xss_practice.id}"]
    if viewer == "moderator":
        urls += [
            f"/practices/{xss_practice.id}/edit",
            f"/practices/{xss_practice.id}/revisions",
            "/my-items",
            "/review",
        ]
    for url in urls:
        page = Html(client.get(url))
        assert page.status == 200, url
        assert_harmless(page)


def test_the_xss_corpus_in_the_form_comes_back_as_text(people):
    body = "\n".join(XSS)
    response = post_form(people.author_client, "/practices/new", form_data(body=body), "check")

    page = Html(response)
    assert page.value("body").replace("\r\n", "\n") == body
    assert_harmless(page)
