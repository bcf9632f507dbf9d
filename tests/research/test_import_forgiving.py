"""A BibTeX import that forgives, on a 69-entry criminology bibliography as reference
managers export it (tests/research/data/criminology.bib: odd years, null DOIs, LaTeX
symbols, a repeated field, a repeated key, two works listed twice): uploaded as a file or
pasted, every work comes in once, and importing the file again adds nothing."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kx.extensions import db
from kx.research.models import Research
from kx.research.services import MAX_IMPORT_CHARS
from tests.support.browser import Html, csrf_token

BIB = (Path(__file__).parent / "data" / "criminology.bib").read_text(encoding="utf-8")
ENTRIES = len(re.findall(r"^@", BIB, flags=re.M))  # 69
REPEATS = 2  # works listed twice under other keys (copyof...)
WORKS = ENTRIES - REPEATS


@pytest.fixture
def member(make_user, login, client):
    user = make_user()
    login(client, user)
    return user


def upload(client, data: bytes, name: str = "criminology.bib"):
    token = csrf_token(client, "/research/import")
    return client.post(
        "/research/import",
        data={"csrf_token": token, "bibfile": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def paste(client, text: str):
    token = csrf_token(client, "/research/import")
    return client.post("/research/import", data={"csrf_token": token, "bibtex": text})


def stored(app, user_id: int) -> dict[str, Research]:
    with app.app_context():
        items = db.session.scalars(select(Research).where(Research.author_id == user_id))
        return {r.title: r for r in items}


def research_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Research))


def test_an_uploaded_file_brings_in_every_work_once(app, client, member):
    response = upload(client, BIB.encode())

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = Html(response)
    assert f"{WORKS} drafts were created." in page.text
    assert research_count(app) == WORKS  # 0 lost
    assert "2 entries were skipped" in page.text
    assert "the same DOI 10.1177/kx.1998.0001 as 'albrecht1998art1'" in page.text
    assert "the same title, year and first author as 'nodoi35'" in page.text


def test_importing_the_same_file_again_creates_no_duplicates(app, client, member):
    upload(client, BIB.encode())
    before = research_count(app)

    again = paste(client, BIB)

    assert again.status_code == 200
    assert "Nothing was imported." in Html(again).text
    assert f"{ENTRIES} entries were skipped" in Html(again).text
    assert research_count(app) == before == WORKS  # 0 duplicated
    assert Html(again).text.count("already on kx as") == WORKS


def test_the_same_work_with_other_case_and_punctuation_is_recognised(app, client, member):
    paste(client, "@book{a, author={Doe, Jane}, title={Helplines: what works?}, year=2010}")

    again = paste(client, "@book{b, author={Jane Doe}, title={HELPLINES -- What Works}, year=2010}")
    other_year = paste(
        client, "@book{c, author={Doe, J.}, title={Helplines: what works?}, year=2011}"
    )

    assert "(the same title, year and first author)" in Html(again).text
    assert "1 draft was created." in Html(other_year).text
    assert research_count(app) == 2


@pytest.mark.parametrize(
    ("key", "year", "note"),
    [
        ("oddyear1", None, "year '1965/1966' is not a four-digit number: the year was left empty"),
        ("oddyear2", None, "year '[1969] 2002' is not a four-digit number"),
        ("oddyear3", None, "year 'Forthcoming' is not a four-digit number"),
        ("oddyear4", None, "year 'in press' is not a four-digit number"),
        ("oddyear5", None, "year 'n.d.' is not a four-digit number"),
        ("oddyear6", 2019, "year '2019a' was read as 2019"),
    ],
)
def test_an_odd_year_is_left_empty_with_a_note(app, client, member, key, year, note):
    response = upload(client, BIB.encode())
    entry = re.search(rf"@article\{{{key},.*?title = \{{([^}}]+)\}}", BIB, flags=re.S)

    item = stored(app, member.id)[entry.group(1)]
    notes = dict(
        re.findall(
            r'<th scope="row"><a href="[^"]+"><code>([^<]+)</code></a></th><td>([^<]+)</td>',
            response.get_data(as_text=True),
        )
    )

    assert item.year == year
    assert note in notes[key].replace("&#39;", "'")


def test_null_dois_are_no_doi_and_a_bad_doi_is_dropped_with_a_note(app, client, member):
    response = upload(client, BIB.encode())
    items = stored(app, member.id)
    page = response.get_data(as_text=True).replace("&#39;", "'")

    nulls = [
        r
        for r in items.values()
        if r.title.startswith(("Outcomes of desistance", "Trajectories in desistance"))
    ]
    assert nulls and all(r.doi is None for r in nulls)
    assert "nulldoi" not in page  # no note: {null} simply means no DOI
    assert items["Survey weights in offender samples"].doi is None
    assert "invalid DOI 'seepublishersite': the DOI was left empty" in page
    assert sum(1 for r in items.values() if r.doi) == 34


def test_latex_symbols_are_decoded_never_dropped(app, client, member):
    upload(client, BIB.encode())
    titles = set(stored(app, member.id))

    assert "The £2.4 million question: costing online child protection" in titles
    assert "Prevention | treatment | policing: three lenses on one problem" in titles
    assert "Sentencing under §160 and the limits of deterrence" in titles
    assert "Über Prävention: Kein Täter werden in practice" in titles
    assert (
        "Quoting offenders: \\mkbibquote it was only pictures and minimisation" in titles
    )  # an unknown command is kept as written


def test_a_repeated_field_and_a_repeated_key_lose_no_entry(app, client, member):
    upload(client, BIB.encode())
    items = stored(app, member.id)

    assert items["Repeated fields in exported records"].year == 2012
    assert "Online offending and offline contact: a review" in items
    assert "Warning messages on search engines: a field experiment" in items


def test_a_latin1_file_is_read(app, client, member):
    text = "@book{k, author={Müller, Jörg}, title={Prävention in Köln}, year=2001}\n"

    response = upload(client, text.encode("latin-1"))

    assert response.status_code == 200
    assert "Prävention in Köln" in stored(app, member.id)


def test_nothing_chosen_or_pasted_is_an_error_beside_the_field(app, client, member):
    response = paste(client, "   ")

    assert response.status_code == 422
    assert "Paste at least one BibTeX entry or choose a .bib file." in Html(response).errors(
        "bibtex"
    )


def test_a_file_over_the_limit_is_refused_with_a_request_to_split_it(app, client, member):
    big = (BIB * 20)[: MAX_IMPORT_CHARS + 1]

    response = upload(client, big.encode())

    assert response.status_code == 422
    assert "split the file into parts" in Html(response).errors("bibfile")
    assert research_count(app) == 0


def test_the_api_says_to_split_a_text_over_the_limit(app, client, make_user, api_token):
    headers = api_token(make_user())
    big = (BIB * 20)[: MAX_IMPORT_CHARS + 1]

    response = client.post("/api/v1/research/import", json={"bibtex": big}, headers=headers)
    fitting = client.post(
        "/api/v1/research/import", json={"bibtex": BIB[:MAX_IMPORT_CHARS]}, headers=headers
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "split the file into parts" in error["fields"]["bibtex"][0]
    assert fitting.status_code == 201
    assert len(fitting.get_json()["created"]) == WORKS
    again = client.post("/api/v1/research/import", json={"bibtex": BIB}, headers=headers)
    assert again.get_json()["created"] == []
    assert research_count(app) == WORKS
