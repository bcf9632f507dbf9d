"""The evidence-and-gap map (service, API and pages) counts and rates only what each
viewer may see, against a hand-built fixture.

Practices (all by the author, published unless noted):
  P1 public      treatment, stage supervision, tertiary, DE
  P2 members     treatment, tertiary
  P3 restricted  policing, stage arrest (law enforcement only)
  P4 draft       treatment
  P5 public      prevention (no studies: a gap)
Research:
  R1 public rct          risk low     -> P1 evaluates: sexual reoffending positive
  R2 public cohort       risk high    -> P1 evaluates: sexual reoffending, help-seeking positive
  R3 members review                   -> P1 evaluates: sexual reoffending positive; -> P2 supports
  R4 restricted rct (law enforcement) -> P3 evaluates: detection positive
  R5 draft rct                        -> P1 evaluates: any reoffending positive (never counted)
  R1                                  -> P4 (a draft) evaluates: wellbeing positive (never counted)

For the public, P1 is promising for sexual reoffending (one trial; the cohort study's high
risk of bias weakens it); for members who see the review it is effective.
"""

import pytest

from kx import taxonomy
from kx.accounts.models import AnonymousUser, User
from kx.database import transaction
from kx.evidence import gap_map as maps
from kx.extensions import db
from kx.research.models import Research
from tests.support.api import assert_json_error
from tests.support.browser import Html
from tests.support.evidence import add_link, add_practice, add_research

OUTCOMES = list(taxonomy.OUTCOMES)
ZERO_RATINGS = dict.fromkeys(taxonomy.RATINGS, 0)
ZERO_RISKS = dict.fromkeys(maps.RISKS, 0)


@pytest.fixture
def world(app, make_user):
    author = make_user(sector="academic")
    people = {
        "author": author,
        "police": make_user(sector="law-enforcement"),
        "academic": make_user(sector="academic"),
        "unverified": make_user(sector="law-enforcement", verified=False),
        "moderator": make_user(role="moderator", sector="policy"),
    }
    p1 = add_practice(
        app,
        author,
        "P1 Circles",
        domains=["treatment"],
        stages=["supervision"],
        prevention_level="tertiary",
        countries=["DE"],
    )
    p2 = add_practice(
        app, author, "P2 Group", "members", domains=["treatment"], prevention_level="tertiary"
    )
    p3 = add_practice(
        app,
        author,
        "P3 Triage",
        "restricted",
        domains=["policing"],
        stages=["arrest"],
        sectors=["law-enforcement"],
    )
    p4 = add_practice(app, author, "P4 Draft", status="draft", domains=["treatment"])
    add_practice(app, author, "P5 Helpline", domains=["prevention"])
    r1 = add_research(app, author, "R1 Trial", "rct", risk="low")
    r2 = add_research(app, author, "R2 Cohort", "cohort", risk="high")
    r3 = add_research(app, author, "R3 Review", "systematic-review", "members")
    r4 = add_research(
        app, author, "R4 Police trial", "rct", "restricted", sectors=["law-enforcement"]
    )
    r5 = add_research(app, author, "R5 Draft trial", "rct", status="draft")
    add_link(app, r1, p1, "evaluates", ("sexual-reoffending", "positive"))
    add_link(
        app,
        r2,
        p1,
        "evaluates",
        ("sexual-reoffending", "positive"),
        ("help-seeking", "positive"),
    )
    add_link(app, r3, p1, "evaluates", ("sexual-reoffending", "positive"))
    add_link(app, r3, p2, "supports")
    add_link(app, r4, p3, "evaluates", ("detection", "positive"))
    add_link(app, r5, p1, "evaluates", ("any-reoffending", "positive"))
    add_link(app, r1, p4, "evaluates", ("wellbeing", "positive"))
    return people


def cell(studies=0, practices=0, ratings=None, risks=None) -> dict:
    return {
        "studies": studies,
        "practices": practices,
        "ratings": ZERO_RATINGS | (ratings or {}),
        "risk_of_bias": ZERO_RISKS | (risks or {}),
    }


def non_empty(data: dict) -> dict:
    """``{(row, column): cell}`` of the cells with studies; every other cell must be empty."""
    found = {}
    for row in data["rows"]:
        for column in data["columns"]:
            value = data["cells"][row][column]
            if value["studies"]:
                found[(row, column)] = value
            else:
                assert value == cell(), (row, column, value)
    return found


def map_as(app, people, name, *args):
    with app.app_context():
        viewer = db.session.get(User, people[name].id) if name != "anonymous" else None
        return maps.gap_map(viewer, *args)


PUBLIC_OUTCOMES = {
    ("treatment", "sexual-reoffending"): cell(2, 1, {"promising": 1}, {"low": 1, "high": 1}),
    ("treatment", "help-seeking"): cell(1, 1, {"insufficient": 1}, {"high": 1}),
}
POLICE_OUTCOMES = {
    ("treatment", "sexual-reoffending"): cell(
        3, 1, {"effective": 1}, {"low": 1, "high": 1, "unknown": 1}
    ),
    ("treatment", "help-seeking"): cell(1, 1, {"insufficient": 1}, {"high": 1}),
    ("policing", "detection"): cell(1, 1, {"promising": 1}, {"unknown": 1}),
}
ACADEMIC_OUTCOMES = {key: value for key, value in POLICE_OUTCOMES.items() if key[0] != "policing"}


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("anonymous", PUBLIC_OUTCOMES),
        ("unverified", PUBLIC_OUTCOMES),
        ("academic", ACADEMIC_OUTCOMES),
        ("police", POLICE_OUTCOMES),
        ("moderator", POLICE_OUTCOMES),
    ],
)
def test_outcome_cells_count_and_rate_only_what_the_viewer_may_see(app, world, viewer, expected):
    data = map_as(app, world, viewer, "domain", "outcome")

    assert data["rows"] == list(taxonomy.DOMAINS)
    assert data["columns"] == OUTCOMES
    assert non_empty(data) == expected


def test_design_columns_count_linked_studies_and_overall_ratings(app, world):
    public = map_as(app, world, "anonymous", "domain", "study_design")
    member = map_as(app, world, "academic", "domain", "study_design")

    assert non_empty(public) == {
        ("treatment", "rct"): cell(1, 1, {"promising": 1}, {"low": 1}),
        ("treatment", "cohort"): cell(1, 1, {"promising": 1}, {"high": 1}),
    }
    # the review supports P2 without findings: P2 counts in the cell, rated insufficient
    assert non_empty(member)[("treatment", "systematic-review")] == cell(
        1, 2, {"effective": 1, "insufficient": 1}, {"unknown": 1}
    )
    assert non_empty(member)[("treatment", "rct")]["ratings"]["effective"] == 1


def test_rows_by_stage_and_prevention_level_list_every_slug(app, world):
    stages = map_as(app, world, "anonymous", "stage", "outcome")
    levels = map_as(app, world, "police", "prevention_level", "outcome")

    assert stages["rows"] == list(taxonomy.STAGES)
    assert set(non_empty(stages)) == {
        ("supervision", "sexual-reoffending"),
        ("supervision", "help-seeking"),
    }
    assert levels["rows"] == list(taxonomy.PREVENTION_LEVELS)
    assert non_empty(levels)[("tertiary", "sexual-reoffending")]["practices"] == 1


def test_filters_narrow_practices_and_studies(app, world):
    germany = map_as(app, world, "anonymous", "domain", "outcome", {"country": "DE"})
    france = map_as(app, world, "anonymous", "domain", "outcome", {"country": "FR"})
    trials = map_as(app, world, "police", "domain", "outcome", {"study_design": "rct"})
    arrest = map_as(app, world, "police", "domain", "outcome", {"stage": "arrest"})

    assert non_empty(germany) == PUBLIC_OUTCOMES
    assert non_empty(france) == {}
    assert set(non_empty(trials)) == {
        ("treatment", "sexual-reoffending"),
        ("policing", "detection"),
    }
    # the practice's rating is still its rating from every study the viewer may see
    assert non_empty(trials)[("treatment", "sexual-reoffending")] == cell(
        1, 1, {"effective": 1}, {"low": 1}
    )
    assert set(non_empty(arrest)) == {("policing", "detection")}


def test_the_map_takes_the_same_number_of_queries_whatever_the_number_of_items(
    app, world, make_user
):
    from sqlalchemy import event

    def statements() -> int:
        seen = []
        with app.app_context():
            listener = lambda *args: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                maps.gap_map(None, "domain", "outcome")
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def add(count: int) -> None:
        for n in range(count):
            practice = add_practice(app, author, f"More {n}", domains=["education"])
            study = add_research(app, author, f"Study {n}", "rct")
            add_link(app, study, practice, "evaluates", ("detection", "positive"))

    def practices_in_cell() -> int:
        with app.app_context():
            cells = maps.gap_map(None, "domain", "outcome")["cells"]
            return cells["education"]["detection"]["practices"]

    author = make_user()
    before = practices_in_cell()
    add(1)
    after_one = statements()  # the changed practices read again, whatever their number
    add(6)
    assert statements() == after_one
    assert practices_in_cell() == before + 7


def test_flat_rows_give_one_row_per_cell(app, world):
    data = map_as(app, world, "anonymous", "domain", "outcome")
    rows = list(maps.flat_rows(data))

    assert len(rows) == len(taxonomy.DOMAINS) * len(OUTCOMES)
    assert list(rows[0]) == ["row", "column", "studies", "practices", *taxonomy.RATINGS]
    found = next(r for r in rows if (r["row"], r["column"]) == ("treatment", "sexual-reoffending"))
    assert found["studies"] == 2 and found["promising"] == 1 and found["effective"] == 0


# --------------------------------------------------------------------------- API


def test_the_api_answers_the_map_for_the_caller(client, world, api_token):
    public = client.get("/api/v1/gap-map?rows=domain&columns=outcome").get_json()
    police = client.get(
        "/api/v1/gap-map?rows=domain&columns=outcome", headers=api_token(world["police"])
    ).get_json()

    assert set(public) == {"rows", "columns", "cells"}
    assert non_empty(public) == PUBLIC_OUTCOMES
    assert non_empty(police) == POLICE_OUTCOMES


def test_the_api_takes_rows_columns_and_filters(client, world):
    response = client.get(
        "/api/v1/gap-map",
        query_string={"rows": "stage", "columns": "study_design", "country": "DE"},
    )

    assert response.status_code == 200
    data = response.get_json()
    assert data["rows"] == list(taxonomy.STAGES)
    assert data["columns"] == list(taxonomy.STUDY_DESIGNS)
    assert non_empty(data)[("supervision", "rct")] == cell(1, 1, {"promising": 1}, {"low": 1})


def test_without_parameters_the_api_keeps_the_domain_by_design_shape(client, world):
    data = client.get("/api/v1/gap-map").get_json()

    assert set(data) == {"rows", "columns", "cells", "practices"}
    assert data["cells"]["treatment"]["rct"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"rows": "sector"}, "rows"),
        ({"columns": "domain"}, "columns"),
        ({"rows": "domain", "country": "XX"}, "country"),
        ({"stage": "trial"}, "stage"),
        ({"prevention_level": "quaternary"}, "prevention_level"),
        ({"study_design": "anecdote"}, "study_design"),
        ({"rows": "domain", "colour": "red"}, "colour"),
    ],
)
def test_the_api_names_a_bad_parameter(client, query, field):
    error = assert_json_error(client.get("/api/v1/gap-map", query_string=query), 422, fields=True)

    assert field in error["fields"]


# --------------------------------------------------------------------------- pages


def map_page(client, query: str = "") -> Html:
    page = Html(client.get(f"/gap-map{query}"))
    assert page.status == 200
    return page


def test_the_map_page_is_a_table_of_links_and_gaps_without_javascript(client, world):
    page = map_page(client)
    html = page.html

    assert "<script" not in html
    assert '<th scope="row">Treatment</th>' in html
    assert '<th scope="col">Sexual reoffending</th>' in html
    assert "No studies" in page.text
    link = (
        "/gap-map/cell?row=treatment&amp;column=sexual-reoffending"
        "&amp;rows=domain&amp;columns=outcome"
    )
    assert f'href="{link}"' in html
    assert "bubble--rating-promising" in html
    assert "2 studies on Treatment, Sexual reoffending: 1 practice example, mostly promising" in (
        page.text
    )
    # a cell with nothing the viewer may see is a gap, not a link
    assert "row=policing&amp;column=detection" not in html


def test_members_see_their_cells_on_the_page(client, world, login):
    login(client, world["police"])
    html = map_page(client).html

    assert "row=policing&amp;column=detection" in html
    assert "bubble--rating-effective" in html


def test_the_form_keeps_its_choices_and_colours_by_risk(client, world):
    page = map_page(client, "?rows=stage&columns=study_design&colour=risk&country=de")

    assert '<option value="stage" selected>' in page.html
    assert '<option value="DE" selected>' in page.html
    assert '<th scope="row">Supervision</th>' in page.html
    # low and high risk tie in no cell here: the trial's cell is low risk
    assert "bubble--risk-low" in page.html
    assert "/gap-map/cell?row=supervision&amp;column=rct&amp;rows=stage" in page.html


def test_unknown_parameters_on_the_page_fall_back_to_the_defaults(client, world):
    page = map_page(client, "?rows=sector&columns=nonsense&country=XX")

    assert '<option value="domain" selected>' in page.html
    assert '<th scope="col">Sexual reoffending</th>' in page.html


def test_the_data_table_repeats_the_numbers(client, world):
    page = map_page(client)

    assert "Cells with studies, in numbers" in page.html
    assert "<summary>The map as a table of numbers</summary>" in page.html


def test_a_cell_page_lists_what_stands_behind_the_cell(client, world, login):
    url = "/gap-map/cell?row=treatment&column=sexual-reoffending&rows=domain&columns=outcome"
    public = Html(client.get(url))

    assert public.status == 200
    assert "P1 Circles" in public.text and "Promising" in public.text
    assert "R1 Trial" in public.text and "R2 Cohort" in public.text
    assert "R3 Review" not in public.text and "R5 Draft trial" not in public.text

    login(client, world["academic"])
    member = Html(client.get(url))
    assert "R3 Review" in member.text and "Effective" in member.text
    assert "P2 Group" not in member.text  # linked to the review, but without findings


def test_a_cell_page_hides_what_the_viewer_may_not_see(client, world, login):
    url = "/gap-map/cell?row=policing&column=detection&rows=domain&columns=outcome"
    public = Html(client.get(url))

    assert public.status == 200
    assert "P3 Triage" not in public.text and "R4 Police trial" not in public.text

    login(client, world["police"])
    police = Html(client.get(url))
    assert "P3 Triage" in police.text and "R4 Police trial" in police.text


@pytest.mark.parametrize(
    "query",
    [
        "row=nowhere&column=detection",
        "row=treatment&column=nothing",
        "row=treatment&column=rct&columns=outcome",
        "column=detection",
    ],
)
def test_a_cell_outside_the_map_is_not_found(client, query):
    assert client.get(f"/gap-map/cell?{query}").status_code == 404


def test_a_cell_lists_practices_by_rating_then_newest_and_studies_strongest_first(app, make_user):
    author = make_user(sector="academic")
    older = add_practice(app, author, "Older circles", domains=["treatment"])
    newer = add_practice(app, author, "Newer circles", domains=["treatment"])
    studies = {}
    for title, design, year in [
        ("Cohort 2020", "cohort", 2020),
        ("Trial 2015", "rct", 2015),
        ("Trial 2019", "rct", 2019),
    ]:
        studies[title] = add_research(app, author, title, design)
        with app.app_context(), transaction():
            db.session.get(Research, studies[title]).year = year
        for practice in (older, newer):
            add_link(app, studies[title], practice, "evaluates", ("sexual-reoffending", "positive"))

    with app.app_context():
        found = maps.cell_contents(
            AnonymousUser(), "domain", "treatment", "outcome", "sexual-reoffending"
        )

        assert [p.title for p, _rating in found.practices] == ["Newer circles", "Older circles"]
        assert [r.title for r in found.studies] == ["Trial 2019", "Trial 2015", "Cohort 2020"]
