"""CSV exports: the practice and research lists, search and the gap map as
``format=csv`` through the API and the list pages, read back with Python's ``csv`` module.

Fixture (published by a moderator unless noted):
  RCT       public research, an RCT with a DOI, authors and a risk of bias
  MEMBERS   members-only research, an RCT
  Helpline  public practice <- RCT evaluates, positive on help-seeking (promising for all)
  Chat      public practice <- MEMBERS evaluates, positive (promising for members only)
  Circle    members-only practice
  Academic  practice restricted to the academic sector
  Draft     the author's draft (never exported)
"""

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from kx import exports, taxonomy
from tests.support.api import assert_json_error, new_practice, new_research

BASE = "http://localhost"
PUBLISHED = {"submit": True, "anonymised_confirmed": True}


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def joined(values) -> str:
    return ";".join(values)


def link(client, who, practice_id, research_id, findings=()):
    response = client.post(
        f"/api/v1/practices/{practice_id}/evidence",
        json={"research_id": research_id, "relation": "evaluates", "findings": list(findings)},
        headers=who.headers,
    )
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def items(client, people):
    mod = people.moderator
    rct = new_research(
        client,
        mod,
        title="A randomised trial of a helpline",
        authors=["Doe, Jane", "Roe, Richard"],
        year=2021,
        venue="Journal of Prevention",
        doi="10.1234/trial.1",
        study_design="rct",
        risk_of_bias="low",
        countries=["GB"],
        submit=True,
    )
    members = new_research(
        client,
        mod,
        title="A members-only trial",
        study_design="rct",
        visibility="members",
        submit=True,
    )
    helpline = new_practice(
        client,
        mod,
        title="Helpline",
        domains=["prevention", "treatment"],
        countries=["GB", "NL"],
        stages=["pre-offence", "viewing"],
        prevention_level="secondary",
        organisation="A national charity",
        **PUBLISHED,
    )
    chat = new_practice(client, mod, title="Chat service", **PUBLISHED)
    circle = new_practice(client, mod, title="Circle", visibility="members", **PUBLISHED)
    academic = new_practice(
        client,
        mod,
        title="Academic only",
        visibility="restricted",
        restricted_sectors=["academic"],
        **PUBLISHED,
    )
    new_practice(client, people.author, title="Draft")
    positive = {"outcome": "help-seeking", "direction": "positive"}
    link(client, mod, helpline["id"], rct["id"], [positive])
    link(client, mod, chat["id"], members["id"], [positive])
    return {
        "rct": rct["id"],
        "members": members["id"],
        "helpline": helpline["id"],
        "chat": chat["id"],
        "circle": circle["id"],
        "academic": academic["id"],
    }


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize("who", ["anonymous", "author", "academic"])
def test_the_practice_csv_holds_what_the_json_list_holds(client, people, items, who):
    headers = getattr(people, who).headers
    listed = client.get("/api/v1/practices?per_page=100", headers=headers).get_json()["items"]

    response = client.get("/api/v1/practices?format=csv", headers=headers)
    rows = read_csv(response)

    assert [int(row["id"]) for row in rows] == [item["id"] for item in listed]
    assert response.headers["X-Total-Count"] == str(len(listed))
    for row, item in zip(rows, listed, strict=True):
        assert row["type"] == "practice"
        assert row["title"] == item["title"]
        assert row["url"] == BASE + item["url"]
        assert row["domains"] == joined(item["domains"])
        assert row["countries"] == joined(item["countries"])
        assert row["rating"] == item["rating"]["overall"]
        assert int(row["studies"]) == item["rating"]["studies"]
        assert row["prevention_level"] == (item["prevention_level"] or "")
        assert row["stages"] == joined(item["stages"])
        assert row["organisation"] == item["organisation"]
        assert row["published_at"] == item["published_at"]


def test_the_research_csv_holds_what_the_json_list_holds(client, people, items):
    headers = people.author.headers
    listed = client.get("/api/v1/research?per_page=100", headers=headers).get_json()["items"]

    rows = read_csv(client.get("/api/v1/research?format=csv", headers=headers))

    assert [int(row["id"]) for row in rows] == [item["id"] for item in listed]
    for row, item in zip(rows, listed, strict=True):
        assert row["type"] == "research"
        assert row["url"] == BASE + item["page_url"]
        assert (row["title"], row["domains"], row["countries"]) == (
            item["title"],
            joined(item["domains"]),
            joined(item["countries"]),
        )
        assert row["year"] == str(item["year"] or "")
        assert row["doi"] == (item["doi"] or "")
        assert row["study_design"] == item["study_design"]
        assert row["risk_of_bias"] == (item["risk_of_bias"] or "")
        assert row["authors"] == joined(item["authors"])
        assert row["venue"] == item["venue"]
        assert row["published_at"] == item["published_at"]
    [trial] = [row for row in rows if int(row["id"]) == items["rct"]]
    assert trial["authors"] == "Doe, Jane;Roe, Richard" and trial["doi"] == "10.1234/trial.1"


def test_filters_apply_to_the_csv_as_to_the_list(client, people, items):
    query = "domain=treatment&country=NL&sort=title"
    listed = client.get(f"/api/v1/practices?{query}").get_json()["items"]

    rows = read_csv(client.get(f"/api/v1/practices?{query}&format=csv&per_page=1&page=3"))

    assert (
        [int(row["id"]) for row in rows] == [item["id"] for item in listed] == [items["helpline"]]
    )


def test_each_caller_exports_only_what_they_may_see(client, people, items):
    def exported(who) -> dict[int, dict]:
        rows = read_csv(client.get("/api/v1/practices?format=csv", headers=who.headers))
        return {int(row["id"]): row for row in rows}

    anonymous, member, academic = (
        exported(people.anonymous),
        exported(people.author),
        exported(people.academic),
    )

    public = {items["helpline"], items["chat"]}
    assert set(anonymous) == public
    assert set(member) == public | {items["circle"]}
    assert set(academic) == public | {items["circle"], items["academic"]}
    # the rating comes from the evidence the caller may see: the members-only trial
    assert anonymous[items["helpline"]]["rating"] == member[items["helpline"]]["rating"]
    assert anonymous[items["helpline"]]["strongest_design"] == "rct"
    assert anonymous[items["chat"]]["rating"] == "insufficient"
    assert anonymous[items["chat"]]["studies"] == "0"
    assert member[items["chat"]]["rating"] == "promising"
    assert member[items["chat"]]["studies"] == "1"
    research = read_csv(client.get("/api/v1/research?format=csv"))
    assert [int(row["id"]) for row in research] == [items["rct"]]


def test_the_author_exports_their_own_drafts_only_when_asking_for_them(client, people, items):
    everyone = read_csv(client.get("/api/v1/practices?format=csv", headers=people.author.headers))
    mine = read_csv(
        client.get("/api/v1/practices?format=csv&author=me", headers=people.author.headers)
    )

    assert "Draft" not in {row["title"] for row in everyone}
    assert [row["title"] for row in mine] == ["Draft"]


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(client, people, title):
    new_practice(client, people.moderator, title=title, organisation="=1+1", **PUBLISHED)

    [row] = read_csv(client.get("/api/v1/practices?format=csv"))

    assert row["title"] == "'" + title
    assert row["organisation"] == "'=1+1"
    assert client.get("/api/v1/practices").get_json()["items"][0]["title"] == title


def test_a_cell_starting_with_a_tab_or_carriage_return_is_neutralised_too():
    assert exports.cell("\t=1") == "'\t=1"
    assert exports.cell("\r=1") == "'\r=1"
    assert exports.cell("plain - text") == "plain - text"
    assert exports.cell(["-a", "b"]) == "'-a;b"


def test_an_export_stops_at_its_limit_and_says_how_many_matched(client, people, items, monkeypatch):
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 1)
    listed = client.get("/api/v1/practices").get_json()

    response = client.get("/api/v1/practices?format=csv")
    rows = read_csv(response)

    assert [int(row["id"]) for row in rows] == [listed["items"][0]["id"]]
    assert response.headers["X-Total-Count"] == str(listed["total"]) == "2"


def test_rows_read_in_chunks_are_the_rows_read_at_once(client, people, items, monkeypatch):
    whole = read_csv(client.get("/api/v1/practices?format=csv", headers=people.academic.headers))
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)

    chunked = read_csv(client.get("/api/v1/practices?format=csv", headers=people.academic.headers))

    assert chunked == whole and len(whole) == 4


@pytest.mark.parametrize("path", ["/api/v1/practices", "/api/v1/research", "/api/v1/search"])
def test_an_unknown_format_is_refused(client, path):
    error = assert_json_error(client.get(f"{path}?format=xml"), 422, fields=True)

    assert "format" in error["fields"]


@pytest.mark.parametrize("path", ["/api/v1/practices", "/api/v1/research", "/api/v1/search"])
def test_an_export_is_a_streamed_download(client, items, path):
    response = client.get(f"{path}?format=csv")

    assert response.status_code == 200
    assert response.is_streamed
    name = {"practices": "practices", "research": "research", "search": "search"}[
        path.rsplit("/", 1)[1]
    ]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kx-{name}-{datetime.now(UTC).date().isoformat()}.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_openapi_document_describes_the_format(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/practices"]["get"]["parameters"]

    [fmt] = [p for p in parameters if p["name"] == "format"]
    assert fmt["schema"]["enum"] == ["json", "csv"]
    assert "per_page" in fmt["description"]


# --------------------------------------------------------------------------- search


@pytest.mark.parametrize("who", ["anonymous", "academic"])
def test_the_search_csv_holds_what_the_json_search_holds(client, people, items, who):
    headers = getattr(people, who).headers
    found = client.get("/api/v1/search?per_page=100", headers=headers).get_json()

    response = client.get("/api/v1/search?format=csv&per_page=1", headers=headers)
    rows = read_csv(response)

    assert response.headers["X-Total-Count"] == str(found["total"])
    assert [(row["type"], int(row["id"])) for row in rows] == [
        (item["type"], item["id"]) for item in found["items"]
    ]
    for row, item in zip(rows, found["items"], strict=True):
        assert row["title"] == item["title"]
        assert row["url"] == BASE + item["url"]
        assert row["domains"] == joined(item["domains"])
        assert row["countries"] == joined(item["countries"])
        assert row["year"] == str(item["year"] or "")
        expected = item["rating"]["overall"] if item["type"] == "practice" else ""
        assert row["rating"] == expected
    by_id = {(row["type"], int(row["id"])): row for row in rows}
    trial = by_id[("research", items["rct"])]
    assert (trial["doi"], trial["study_design"]) == ("10.1234/trial.1", "rct")


def test_the_search_csv_follows_the_words_and_filters(client, people, items):
    rows = read_csv(client.get("/api/v1/search?format=csv&q=helpline&type=practice"))

    assert [(row["type"], row["title"]) for row in rows] == [("practice", "Helpline")]
    assert rows[0]["rating"] == "promising"


def test_the_search_export_stops_at_its_limit(client, items, monkeypatch):
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 2)

    response = client.get("/api/v1/search?format=csv")

    assert len(read_csv(response)) == 2
    assert response.headers["X-Total-Count"] == "3"  # two practices and one trial


# --------------------------------------------------------------------------- gap map


def test_the_gap_map_csv_has_a_row_per_cell_as_the_json_map_counts_it(app, client, people, items):
    data = client.get(
        "/api/v1/gap-map?rows=domain&columns=outcome", headers=people.author.headers
    ).get_json()

    response = client.get(
        "/api/v1/gap-map?rows=domain&columns=outcome&format=csv", headers=people.author.headers
    )
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    assert list(rows[0]) == ["row", "column", "studies", "practices", *taxonomy.RATINGS]
    assert len(rows) == len(data["rows"]) * len(data["columns"])
    for row in rows:
        cell = data["cells"][row["row"]][row["column"]]
        assert int(row["studies"]) == cell["studies"]
        assert int(row["practices"]) == cell["practices"]
        assert {r: int(row[r]) for r in taxonomy.RATINGS} == cell["ratings"]
    prevention = next(r for r in rows if (r["row"], r["column"]) == ("prevention", "help-seeking"))
    assert (prevention["studies"], prevention["practices"], prevention["promising"]) == (
        "2",
        "2",
        "2",
    )


# --------------------------------------------------------------------------- pages


@pytest.fixture
def member_client(app, make_user, login):
    member = make_user(sector="law-enforcement")
    browser = app.test_client()
    login(browser, member)
    return browser


def csv_link(html: str) -> str:
    match = re.search(r'<a href="([^"]*format=csv[^"]*)" download>Download CSV</a>', html)
    assert match, "no Download CSV link"
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("page", "listed"),
    [
        ("/practices?domain=prevention&sort=title", ["Chat service", "Circle", "Helpline"]),
        ("/research?sort=title", ["A members-only trial", "A randomised trial of a helpline"]),
        ("/search?type=practice&domain=prevention", None),
    ],
)
def test_a_list_page_offers_its_csv_with_the_same_filters(member_client, items, page, listed):
    html = member_client.get(page).get_data(as_text=True)
    url = csv_link(html)

    response = member_client.get(url)
    assert response.is_streamed
    rows = read_csv(response)

    path, _, query = page.partition("?")
    assert url.startswith(path + "?") and all(part in url for part in query.split("&"))
    titles = [row["title"] for row in rows]
    if listed is not None:
        assert titles == listed
    else:
        assert sorted(titles) == ["Chat service", "Circle", "Helpline"]
    for title in titles:
        assert f">{title}</a>" in html
    assert "Academic only" not in titles  # another sector's


def test_the_practice_page_csv_rates_with_what_the_member_may_see(client, member_client, items):
    member = {row["title"]: row for row in read_csv(member_client.get("/practices?format=csv"))}
    anonymous = {row["title"]: row for row in read_csv(client.get("/practices?format=csv"))}

    assert member["Chat service"]["rating"] == "promising"
    assert anonymous["Chat service"]["rating"] == "insufficient"
    assert "Circle" in member and "Circle" not in anonymous
    assert member["Helpline"]["url"] == f"{BASE}/practices/{items['helpline']}"


def test_an_empty_list_offers_no_download(client):
    assert "Download CSV" not in client.get("/practices").get_data(as_text=True)
    assert "Download CSV" not in client.get("/search?q=nothing").get_data(as_text=True)


def test_the_gap_map_page_downloads_the_map_it_shows(client, people, items):
    page = client.get("/gap-map?rows=stage&columns=study_design").get_data(as_text=True)
    assert "format=csv" in page and "Download CSV" in page
    response = client.get("/gap-map?rows=stage&columns=study_design&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    data = client.get("/api/v1/gap-map?rows=stage&columns=study_design").get_json()
    assert len(rows) == len(data["rows"]) * len(data["columns"])
    for row in rows:
        assert int(row["studies"]) == data["cells"][row["row"]][row["column"]]["studies"]
