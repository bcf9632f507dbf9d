"""Machine-readable metadata for record pages: Highwire Press ``citation_*`` tags (read by
Zotero, Google Scholar and Mendeley) and schema.org JSON-LD.

Each builder takes a record (and, for JSON-LD, its page's absolute URL) and returns plain
data; the partials ``research/_citation_meta.html`` and ``practice/_jsonld.html`` render
it. They describe what the page itself shows to its viewer: bibliographic fields, summary,
vocabulary terms and dates, never an author's account, e-mail, visibility or sectors.
"""

from __future__ import annotations

from flask import Flask

from kx import taxonomy
from kx.research import citations
from kx.research.services import as_citation

__all__ = ["highwire_tags", "init_app", "practice_article", "scholarly_article"]

SCHEMA_CONTEXT = "https://schema.org"
# Where the venue goes in the Highwire tags; Zotero takes the item type from the tag
# (journal title: journal article, book title: book section, institution: report).
_HIGHWIRE_VENUE = {
    "article": "citation_journal_title",
    "book": "citation_publisher",
    "incollection": "citation_book_title",
    "report": "citation_technical_report_institution",
}
_SCHEMA_TYPE = {
    "article": "ScholarlyArticle",
    "book": "Book",
    "incollection": "Chapter",
    "report": "Report",
    "misc": "CreativeWork",
}


def highwire_tags(item) -> list[tuple[str, str]]:
    """``(name, content)`` pairs for ``<meta>`` tags, one ``citation_author`` per author."""
    citation = as_citation(item)
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", author) for author in citation.authors if author.strip()]
    if citation.year is not None:
        tags.append(("citation_publication_date", str(citation.year)))
    venue_tag = _HIGHWIRE_VENUE.get(citation.entry_type)
    if venue_tag and citation.venue:
        tags.append((venue_tag, citation.venue))
    if citation.volume:
        tags.append(("citation_volume", citation.volume))
    if citation.issue:
        tags.append(("citation_issue", citation.issue))
    first, last = citations.page_bounds(citation.pages)
    if first:
        tags.append(("citation_firstpage", first))
    if last:
        tags.append(("citation_lastpage", last))
    if citation.doi:
        tags.append(("citation_doi", citation.doi))
    return tags


def _creator(author: str) -> dict:
    family, given, suffix = citations.split_author(author)
    if not given and not suffix:
        return {"@type": "Organization", "name": family}
    person = {
        "@type": "Person",
        "name": " ".join(p for p in (given, family) if p) + (f", {suffix}" if suffix else ""),
        "familyName": family,
    }
    if given:
        person["givenName"] = given
    if suffix:
        person["honorificSuffix"] = suffix
    return person


def _container(citation: citations.Citation) -> dict | None:
    """The journal, volume and issue a work appeared in, innermost last (schema.org nests
    issue in volume in periodical), or the book a chapter is in."""
    if citation.entry_type == "incollection":
        return {"@type": "Book", "name": citation.venue} if citation.venue else None
    if citation.entry_type != "article":
        return None
    container = {"@type": "Periodical", "name": citation.venue} if citation.venue else None
    for schema_type, key, value in (
        ("PublicationVolume", "volumeNumber", citation.volume),
        ("PublicationIssue", "issueNumber", citation.issue),
    ):
        if value:
            part = {"@type": schema_type, key: value}
            if container:
                part["isPartOf"] = container
            container = part
    return container


def scholarly_article(item, url: str) -> dict:
    """schema.org JSON-LD of a research summary's work (a ``ScholarlyArticle`` for a
    journal article; ``Book``, ``Chapter``, ``Report`` or ``CreativeWork`` otherwise)."""
    citation = as_citation(item)
    data: dict = {
        "@context": SCHEMA_CONTEXT,
        "@type": _SCHEMA_TYPE.get(citation.entry_type, "CreativeWork"),
        "name": citation.title,
        "headline": citation.title,
        "url": url,
    }
    authors = [_creator(a) for a in citation.authors if a.strip()]
    if authors:
        data["author"] = authors
    if citation.year is not None:
        data["datePublished"] = str(citation.year)
    container = _container(citation)
    if container:
        data["isPartOf"] = container
    elif citation.venue and citation.entry_type in ("book", "report"):
        data["publisher"] = {"@type": "Organization", "name": citation.venue}
    first, last = citations.page_bounds(citation.pages)
    if last:
        data["pageStart"], data["pageEnd"] = first, last
    elif first:
        data["pagination"] = first
    if citation.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": citation.doi}
        data["sameAs"] = citations.doi_url(citation.doi)
    about = _terms(item)
    if about:
        data["about"] = about
    return data


def _terms(item) -> list[dict]:
    return [
        {"@type": "DefinedTerm", "name": taxonomy.label("domains", slug)} for slug in item.domains
    ]


def _places(item) -> list[dict]:
    return [
        {"@type": "Country", "name": taxonomy.label("countries", code), "identifier": code}
        for code in item.countries
    ]


def practice_article(item, url: str) -> dict:
    """schema.org JSON-LD of a practice example: an ``Article`` with its summary, domains,
    countries and dates."""
    data: dict = {
        "@context": SCHEMA_CONTEXT,
        "@type": "Article",
        "name": item.title,
        "headline": item.title,
        "url": url,
    }
    if item.summary:
        data["description"] = item.summary
    about = _terms(item)
    if about:
        data["about"] = about
    places = _places(item)
    if places:
        data["spatialCoverage"] = places
    if item.published_at:
        data["datePublished"] = item.published_at.date().isoformat()
    if item.updated_at:
        data["dateModified"] = item.updated_at.date().isoformat()
    return data


def init_app(app: Flask) -> None:
    """Give the partials their builders and templates ``doi_url``."""
    app.jinja_env.globals.update(
        highwire_tags=highwire_tags,
        scholarly_article=scholarly_article,
        practice_article=practice_article,
    )
    app.jinja_env.filters["doi_url"] = citations.doi_url
