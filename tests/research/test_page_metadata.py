"""What reference managers and search engines read from record pages: Highwire Press
``citation_*`` tags and schema.org JSON-LD, read back the way Zotero's "Embedded Metadata"
translator and a JSON-LD consumer would (the ``<meta>`` tags and data blocks in ``<head>``).

The partials are rendered through Flask's templates on real rows; the last tests GET the
pages themselves.
"""

import json
from html.parser import HTMLParser

import pytest
from flask import render_template

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.models import Practice
from kx.research import metadata
from kx.research.models import Research
from tests.support.practice import add_practice

ARTICLE = {
    "title": "Viewing child pornography: Prevalence and correlates",
    "authors": ["Seto, Michael C.", "Långström, Niklas", "World Health Organization"],
    "year": 2015,
    "venue": "Archives of Sexual Behavior",
    "volume": "44",
    "issue": "1",
    "pages": "67-79",
    "doi": "10.1007/s10508-013-0244-4",
    "entry_type": "article",
}


class _Head(HTMLParser):
    """The ``<meta name>`` tags and JSON-LD blocks of a page's ``<head>``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self.scripts = 0
        self._in_head = self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "head":
            self._in_head = True
        elif tag == "meta" and "name" in a and self._in_head:
            self.meta.append((a["name"], a.get("content", "")))
        elif tag == "script":
            self.scripts += 1
            self._in_jsonld = a.get("type") == "application/ld+json"
            if self._in_jsonld:
                self.jsonld.append("")

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        elif tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld[-1] += data


def read_head(html: str) -> _Head:
    parser = _Head()
    parser.feed(html if "<head" in html else f"<head>{html}</head>")
    return parser


def citation_tags(head: _Head) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for name, content in head.meta:
        if name.startswith("citation_"):
            tags.setdefault(name, []).append(content)
    return tags


@pytest.fixture
def people(make_user):
    return {
        "moderator": make_user(role="moderator", sector="ngo"),
        "author": make_user(sector="academic", email="author.secret@example.org"),
    }


def add_research(app, user, **fields) -> int:
    """A research summary published by a moderator through the service."""
    from kx.research.services import save_research

    data = {"study_design": "cohort", "domains": ["prevention"], "submit": True, **fields}
    with app.app_context():
        return save_research(db.session.get(User, user.id), data).id


def render(app, template: str, model, item_id: int, **context) -> str:
    """The partial rendered for the row, in a request to this site."""
    metadata.init_app(app)  # idempotent; create_app may already have done it
    with app.test_request_context("/", base_url="https://kx.example.org"):
        item = db.session.get(model, item_id)
        return render_template(template, item=item, **context)


def research_head(app, item_id: int) -> _Head:
    return read_head(render(app, "research/_citation_meta.html", Research, item_id))


# --------------------------------------------------------------------------- Highwire


def test_journal_article_tags_are_what_zotero_reads(app, people):
    item_id = add_research(app, people["moderator"], **ARTICLE)
    tags = citation_tags(research_head(app, item_id))
    assert tags == {
        "citation_title": [ARTICLE["title"]],
        "citation_author": ARTICLE["authors"],  # one tag per author, in order
        "citation_publication_date": ["2015"],
        "citation_journal_title": ["Archives of Sexual Behavior"],
        "citation_volume": ["44"],
        "citation_issue": ["1"],
        "citation_firstpage": ["67"],
        "citation_lastpage": ["79"],
        "citation_doi": ["10.1007/s10508-013-0244-4"],
    }


@pytest.mark.parametrize(
    ("pages", "first", "last"),
    [("12-34", "12", "34"), ("12\u201334", "12", "34"), ("e0153442", "e0153442", None)],
)
def test_page_range_becomes_first_and_last_page(app, people, pages, first, last):
    item_id = add_research(app, people["moderator"], title="Paged", pages=pages)
    tags = citation_tags(research_head(app, item_id))
    assert tags["citation_firstpage"] == [first]
    assert tags.get("citation_lastpage", [None]) == [last]


@pytest.mark.parametrize(
    ("entry_type", "venue_tag"),
    [
        ("report", "citation_technical_report_institution"),
        ("incollection", "citation_book_title"),
        ("book", "citation_publisher"),
    ],
)
def test_other_kinds_of_work_name_their_venue_so_zotero_picks_the_item_type(
    app, people, entry_type, venue_tag
):
    item_id = add_research(
        app, people["moderator"], title="A work", entry_type=entry_type, venue="Somewhere"
    )
    tags = citation_tags(research_head(app, item_id))
    assert tags[venue_tag] == ["Somewhere"]
    assert "citation_journal_title" not in tags


def test_missing_fields_give_no_empty_tags(app, people):
    item_id = add_research(app, people["moderator"], title="Only a title")
    assert citation_tags(research_head(app, item_id)) == {"citation_title": ["Only a title"]}


def test_hostile_values_stay_inside_their_attributes_and_data_block(app, people):
    title = '"><script>alert(1)</script></script><!-- & \u2028'
    item_id = add_research(
        app, people["moderator"], title=title, authors=["</script>, <b>x</b>"], venue="A & B"
    )
    html = render(app, "research/_citation_meta.html", Research, item_id)
    head = read_head(html)
    assert head.scripts == 1  # nothing in a value opened or closed a script element
    data_block = html.split('type="application/ld+json">', 1)[1]
    assert "<" not in data_block.split("</script>", 1)[0]  # tojson wrote \u003c
    assert citation_tags(head)["citation_title"] == [title]
    assert citation_tags(head)["citation_author"] == ["</script>, <b>x</b>"]
    [block] = head.jsonld
    data = json.loads(block)
    assert data["name"] == title
    assert data["author"] == [
        {"@type": "Person", "name": "<b>x</b> </script>", "familyName": "</script>",
         "givenName": "<b>x</b>"}
    ]  # fmt: skip


# --------------------------------------------------------------------------- JSON-LD


def test_scholarly_article_json_ld(app, people):
    item_id = add_research(app, people["moderator"], **ARTICLE)
    [block] = research_head(app, item_id).jsonld
    data = json.loads(block)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == data["headline"] == ARTICLE["title"]
    assert data["url"] == f"https://kx.example.org/research/{item_id}"
    assert data["author"] == [
        {"@type": "Person", "name": "Michael C. Seto", "givenName": "Michael C.",
         "familyName": "Seto"},
        {"@type": "Person", "name": "Niklas Långström", "givenName": "Niklas",
         "familyName": "Långström"},
        {"@type": "Organization", "name": "World Health Organization"},
    ]  # fmt: skip
    assert data["datePublished"] == "2015"
    assert data["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "1",
        "isPartOf": {
            "@type": "PublicationVolume",
            "volumeNumber": "44",
            "isPartOf": {"@type": "Periodical", "name": "Archives of Sexual Behavior"},
        },
    }
    assert (data["pageStart"], data["pageEnd"]) == ("67", "79")
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1007/s10508-013-0244-4",
    }
    assert data["sameAs"] == "https://doi.org/10.1007/s10508-013-0244-4"
    assert data["about"] == [{"@type": "DefinedTerm", "name": "Prevention"}]


def test_journal_without_volume_and_doi_that_needs_encoding(app, people):
    doi = "10.1002/(sici)1097-4679(199802)54:2<243::aid-jclp12>3.0.co;2-#"
    item_id = add_research(
        app,
        people["moderator"],
        title="A Cochrane review",
        venue="Cochrane Database of Systematic Reviews",
        issue="4",
        pages="CD004380",
        doi=doi,
    )
    [block] = research_head(app, item_id).jsonld
    data = json.loads(block)
    assert data["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "4",
        "isPartOf": {"@type": "Periodical", "name": "Cochrane Database of Systematic Reviews"},
    }
    assert data["pagination"] == "CD004380"
    assert data["identifier"]["value"] == doi
    assert data["sameAs"] == (
        "https://doi.org/10.1002/(sici)1097-4679(199802)54:2%3C243::aid-jclp12%3E3.0.co;2-%23"
    )


def test_practice_json_ld_describes_the_example_without_its_author(app, people):
    practice_id = add_practice(
        app,
        people["author"],
        approve_by=people["moderator"],
        submit=True,
        title="Helpline </script> for worried adults",
        visibility="restricted",
        restricted_sectors=["treatment", "academic"],
    )
    html = render(app, "practice/_jsonld.html", Practice, practice_id)
    head = read_head(html)
    assert head.meta == []
    [block] = head.jsonld
    data = json.loads(block)
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        published, updated = practice.published_at.date(), practice.updated_at.date()
    assert data == {
        "@context": "https://schema.org",
        "@type": "Article",
        "name": "Helpline </script> for worried adults",
        "headline": "Helpline </script> for worried adults",
        "description": (
            "An anonymous phone and chat line for adults worried about their sexual thoughts."
        ),
        "about": [
            {"@type": "DefinedTerm", "name": "Prevention"},
            {"@type": "DefinedTerm", "name": "Treatment"},
        ],
        "spatialCoverage": [
            {"@type": "Country", "name": "United Kingdom", "identifier": "GB"},
            {"@type": "Country", "name": "Netherlands", "identifier": "NL"},
        ],
        "datePublished": published.isoformat(),
        "dateModified": updated.isoformat(),
        "url": f"https://kx.example.org/practices/{practice_id}",
    }
    for hidden in ("author.secret@example.org", "Test User", "restricted", "academic"):
        assert hidden not in html


# --------------------------------------------------------------------------- the pages


def test_record_pages_carry_their_metadata_in_the_head(app, client, people):
    """End to end: the detail pages include the partials in ``{% block head %}``."""
    research_id = add_research(app, people["moderator"], **ARTICLE)
    practice_id = add_practice(app, people["author"], approve_by=people["moderator"], submit=True)

    research_page = client.get(f"/research/{research_id}")
    assert research_page.status_code == 200
    head = read_head(research_page.get_data(as_text=True))
    tags = citation_tags(head)
    assert tags["citation_title"] == [ARTICLE["title"]]
    assert tags["citation_author"] == ARTICLE["authors"]
    assert tags["citation_journal_title"] == ["Archives of Sexual Behavior"]
    [block] = head.jsonld
    assert json.loads(block)["url"] == f"http://localhost/research/{research_id}"

    practice_page = client.get(f"/practices/{practice_id}")
    assert practice_page.status_code == 200
    head = read_head(practice_page.get_data(as_text=True))
    [block] = head.jsonld
    data = json.loads(block)
    assert data["@type"] == "Article"
    assert data["url"] == f"http://localhost/practices/{practice_id}"
