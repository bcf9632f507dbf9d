"""Citation downloads (one item, a filtered list) and BibTeX import, through the pages.

Downloads are read back the way a reference manager would: BibTeX with
``kx.research.citations.parse_bibtex``, CSL-JSON with ``json``, RIS by its tags.
"""

import json
import re

import pytest

from kx.accounts.models import User
from kx.database import transaction
from kx.extensions import db
from kx.records import services as records
from kx.research import services
from kx.research.citations import parse_bibtex
from kx.research.models import Research
from tests.support.browser import submit

BABCHISHIN = {
    "title": "Online child pornography offenders are different",
    "authors": ["Babchishin, Kelly M.", "Hanson, R. Karl", "VanZuylen, Heather"],
    "year": 2015,
    "venue": "Archives of Sexual Behavior",
    "volume": "44",
    "issue": "1",
    "pages": "45–66",  # noqa: RUF001 - an en dash, as stored
    "doi": "10.1007/s10508-014-0270-x",
}
FORMATS = {
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}


def add_research(app, author, title="A study", status="published", **fields) -> int:
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {"title": title, "domains": ["policing"], "study_design": "cohort", **fields}
        item = services.save_research(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(sector="academic"),
        "member": make_user(sector="treatment"),
        "police": make_user(sector="law-enforcement"),
        "unverified": make_user(verified=False),
    }


def ris_records(text: str) -> list[dict[str, list[str]]]:
    """RIS as a list of records, each ``tag -> values``; checks the line syntax."""
    records_, current = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert match, f"not an RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            current = {}
        assert current is not None, "a record must start with TY"
        current.setdefault(tag, []).append(value)
        if tag == "ER":
            records_.append(current)
            current = None
    assert current is None, "the last record has no ER"
    return records_


def download(client, url, fmt, filename):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    content_type, extension = FORMATS[fmt]
    assert response.mimetype == content_type
    assert response.mimetype_params.get("charset") == "utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{filename}.{extension}"'
    )
    return response.get_data(as_text=True)


# --------------------------------------------------------------------------- one item


def test_one_summary_in_each_format(app, client, people):
    item_id = add_research(app, people["author"], **BABCHISHIN)
    url = f"/research/{item_id}/cite?format="

    bibtex = download(client, url + "bibtex", "bibtex", f"kx-research-{item_id}")
    parsed, skipped = parse_bibtex(bibtex)
    assert skipped == []
    [citation] = parsed
    assert citation.title == BABCHISHIN["title"]
    assert citation.authors == BABCHISHIN["authors"]
    assert (citation.year, citation.venue, citation.doi) == (
        2015,
        "Archives of Sexual Behavior",
        BABCHISHIN["doi"],
    )
    assert citation.pages == BABCHISHIN["pages"]

    [record] = ris_records(download(client, url + "ris", "ris", f"kx-research-{item_id}"))
    assert record["TY"] == ["JOUR"]
    assert record["TI"] == [BABCHISHIN["title"]]
    assert record["AU"] == BABCHISHIN["authors"]
    assert record["PY"] == ["2015"] and record["DO"] == [BABCHISHIN["doi"]]
    assert (record["SP"], record["EP"]) == (["45"], ["66"])

    [item] = json.loads(download(client, url + "csl-json", "csl-json", f"kx-research-{item_id}"))
    assert item["type"] == "article-journal"
    assert item["title"] == BABCHISHIN["title"]
    assert item["author"][0] == {"family": "Babchishin", "given": "Kelly M."}
    assert item["issued"] == {"date-parts": [[2015]]}
    assert item["DOI"] == BABCHISHIN["doi"]


def test_downloaded_bibtex_reads_back_the_same_in_pybtex(app, client, people):
    """Accented names leave as braced TeX commands (å as {\\aa}) that pybtex decodes to
    the names shown on the page, as kx's own import does."""
    from pybtex import database as pybtex_database
    from pybtex.richtext import Text

    authors = ["Ångström, Íñigo", "Sørensen, Søren", "Müller, Jörg", "Straße, Hans"]
    item_id = add_research(
        app, people["author"], "Études on Ångström", authors=authors, venue="Revue d'Études"
    )
    text = download(
        client, f"/research/{item_id}/cite?format=bibtex", "bibtex", f"kx-research-{item_id}"
    )
    assert r"{\AA}ngstr{\"o}m" in text and r"Stra{\ss}e" in text and r"S{\o}rensen" in text

    [entry] = pybtex_database.parse_string(text, "bibtex").entries.values()

    def decoded(latex: str) -> str:
        return Text.from_latex(latex).render_as("text")

    assert decoded(entry.fields["title"]) == "Études on Ångström"
    assert [
        f"{decoded(' '.join(p.last_names))}, {decoded(' '.join(p.first_names))}"
        for p in entry.persons["author"]
    ] == authors
    [citation], _ = parse_bibtex(text)
    assert citation.authors == authors


def test_citing_what_the_viewer_may_not_see_is_not_found(app, client, people, login):
    members = add_research(app, people["author"], "Members only", visibility="members")
    draft = add_research(app, people["author"], "Draft", status="draft")
    for fmt in FORMATS:
        assert client.get(f"/research/{members}/cite?format={fmt}").status_code == 404
        assert client.get(f"/research/{draft}/cite?format={fmt}").status_code == 404
    assert client.get("/research/99999/cite?format=ris").status_code == 404
    login(client, people["member"])
    assert client.get(f"/research/{members}/cite?format=ris").status_code == 200
    assert client.get(f"/research/{draft}/cite?format=ris").status_code == 404


def test_an_unknown_format_is_a_bad_request(app, client, people):
    item_id = add_research(app, people["author"])
    assert client.get(f"/research/{item_id}/cite?format=endnote").status_code == 400
    assert client.get(f"/research/{item_id}/cite").status_code == 400
    assert client.get("/research/export?format=docx").status_code == 400


# --------------------------------------------------------------------------- lists


@pytest.fixture
def shelf(app, people):
    author = people["author"]
    return {
        "public": add_research(
            app, author, "Public policing", doi="10.1000/public", year=2019, authors=["Ann, A"]
        ),
        "public education": add_research(
            app, author, "Public education", domains=["education"], year=2020
        ),
        "members": add_research(app, author, "Members study", visibility="members"),
        "restricted": add_research(
            app,
            author,
            "Police-only study",
            visibility="restricted",
            restricted_sectors=["law-enforcement"],
        ),
        "draft": add_research(app, author, "Draft study", status="draft"),
        "pending": add_research(app, author, "Pending study", status="pending"),
    }


def exported_titles(client, fmt: str, query: str = "") -> set[str]:
    text = download(client, f"/research/export?format={fmt}{query}", fmt, "kx-research")
    if fmt == "bibtex":
        parsed, skipped = parse_bibtex(text)
        assert skipped == []
        return {c.title for c in parsed}
    if fmt == "ris":
        return {r["TI"][0] for r in ris_records(text)}
    return {item["title"] for item in json.loads(text)}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_list_export_holds_only_what_the_viewer_may_see(client, shelf, people, login, fmt):
    assert exported_titles(client, fmt) == {"Public policing", "Public education"}
    member = client.application.test_client()
    login(member, people["member"])
    assert exported_titles(member, fmt) == {"Public policing", "Public education", "Members study"}
    police = client.application.test_client()
    login(police, people["police"])
    assert exported_titles(police, fmt) == {
        "Public policing",
        "Public education",
        "Members study",
        "Police-only study",
    }
    # the author's own drafts are not part of the published list
    author = client.application.test_client()
    login(author, people["author"])
    assert "Draft study" not in exported_titles(author, fmt)
    assert "Pending study" not in exported_titles(author, fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_list_export_follows_the_filters(client, shelf, fmt):
    assert exported_titles(client, fmt, "&domain=education") == {"Public education"}
    assert exported_titles(client, fmt, "&year_from=2020") == {"Public education"}
    assert exported_titles(client, fmt, "&domain=prevention") == set()


def test_the_list_page_links_to_the_export_with_its_filters(client, shelf):
    page = client.get("/research?domain=education&sort=title").get_data(as_text=True)
    for fmt in FORMATS:
        assert f'href="/research/export?format={fmt}&amp;domain=education&amp;sort=title"' in page


# --------------------------------------------------------------------------- import

GOOD_AND_BAD = r"""
@article{babchishin2015,
  author = {Babchishin, Kelly M. and Hanson, R. Karl and VanZuylen, Heather},
  title = {Online child pornography offenders are different},
  journal = {Archives of Sexual Behavior},
  year = {2015}, volume = {44}, number = {1}, pages = {45--66},
  doi = {https://doi.org/10.1007/s10508-014-0270-x}
}

@article{broken2019,
  author = {Nobody, N.},
  title = {An entry whose braces never close,
  year = {2019}

@article{notitle2020,
  author = {Someone, S.},
  year = {2020}
}

@article{already2011,
  author = {Babchishin, Kelly M. and Hanson, R. Karl and Hermann, Chantal A.},
  title = {The characteristics of online sex offenders: a meta-analysis},
  journal = {Sexual Abuse},
  year = {2011},
  doi = {10.1177/1079063210370708}
}

@book{seto2013,
  author = {Seto, Michael C.},
  title = {Internet Sex Offenders},
  publisher = {American Psychological Association},
  year = {2013}
}
"""


def test_import_creates_drafts_and_reports_every_skipped_entry(app, client, people, login):
    add_research(app, people["author"], "Already here", doi="10.1177/1079063210370708")
    login(client, people["unverified"])  # unverified accounts may import drafts too
    response = submit(client, "/research/import", {"bibtex": GOOD_AND_BAD})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 drafts were created." in page
    with app.app_context():
        imported = {
            r.title: r
            for r in db.session.query(Research).filter_by(author_id=people["unverified"].id)
        }
        assert set(imported) == {
            "Online child pornography offenders are different",
            "Internet Sex Offenders",
        }
        assert all(r.status == "draft" for r in imported.values())
        babchishin = imported["Online child pornography offenders are different"]
        assert babchishin.doi == "10.1007/s10508-014-0270-x"
        assert babchishin.authors[2] == "VanZuylen, Heather"
        ids = {title: r.id for title, r in imported.items()}
        assert db.session.query(Research).count() == 3
    for title, item_id in ids.items():
        assert f'<a href="/research/{item_id}">{title}</a>' in page
    skipped = dict(re.findall(r'<th scope="row"><code>([^<]+)</code></th><td>([^<]+)</td>', page))
    assert "broken2019" in skipped and "could not parse" in skipped["broken2019"]
    assert skipped["notitle2020"] == "missing title"
    assert "already on kx" in skipped["already2011"]
    assert "10.1177/1079063210370708" in skipped["already2011"]
    assert "3 entries were skipped" in page
    # the drafts are the importer's: invisible to others
    assert (
        client.application.test_client()
        .get(f"/research/{ids['Internet Sex Offenders']}")
        .status_code
        == 404
    )
    assert client.get(f"/research/{ids['Internet Sex Offenders']}").status_code == 200


def test_importing_the_same_file_twice_skips_every_duplicate(app, client, people, login):
    login(client, people["member"])
    submit(client, "/research/import", {"bibtex": GOOD_AND_BAD})
    page = submit(client, "/research/import", {"bibtex": GOOD_AND_BAD}).get_data(as_text=True)
    # the book has no DOI: its title, year and first author tell it is the same work
    assert "Nothing was imported." in page
    assert "(the same DOI 10.1007/s10508-014-0270-x)" in page
    assert "“Internet Sex Offenders” (the same title, year and first author)" in page


def test_an_empty_import_is_an_error_beside_the_field(client, people, login):
    login(client, people["member"])
    response = submit(client, "/research/import", {"bibtex": "  "})
    assert response.status_code == 422
    errors = re.search(
        r'<ul class="errors" id="bibtex-errors">(.*?)</ul>', response.get_data(as_text=True), re.S
    )
    assert errors and "Paste at least one BibTeX entry or choose a .bib file." in errors.group(1)


def test_nothing_importable_is_reported(client, people, login):
    login(client, people["member"])
    response = submit(client, "/research/import", {"bibtex": "@article{x, year = {2020}}"})
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page and "missing title" in page
    # the pasted text is kept, to fix and send again
    assert "@article{x, year = {2020}}</textarea>" in page


def test_importing_needs_an_account(client):
    response = client.get("/research/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
