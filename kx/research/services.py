"""Writing, listing and reviewing research summaries, and their citations; the only code
here that commits."""

from flask import url_for
from sqlalchemy import nulls_last, or_, select

from kx.accounts import services as accounts
from kx.anonymisation import identifier_warnings
from kx.database import transaction
from kx.errors import Conflict, Forbidden, Invalid
from kx.extensions import db
from kx.records import quota
from kx.records import services as records
from kx.records.listing import list_query
from kx.records.models import visible_to
from kx.research import citations, references
from kx.research.models import Research
from kx.research.models import match_key as research_match_key
from kx.research.schemas import ResearchInputSchema

CHECKED_FIELDS = ("summary", "key_findings", "implications", "limitations")
#: further lists in a member's research export, by key (kx.evidence adds the links they made)
EXPORT_PARTS: dict = {}


def get_research(research_id: int, viewer) -> Research:
    """The summary if ``viewer`` may see it; otherwise ``NotFound``."""
    return records.get_record(Research, research_id, viewer, "No such research summary.")


def research_query(viewer, filters: dict | None = None, sort: str = "newest"):
    """``select(Research)`` of what ``viewer`` may see, filtered and sorted."""
    filters = filters or {}
    statement = list_query(
        Research,
        viewer,
        filters,
        sort,
        orders={"year": (nulls_last(Research.year.desc()), Research.id.desc())},
    )
    if filters.get("study_design"):
        statement = statement.where(Research.study_design.in_(_as_list(filters["study_design"])))
    if filters.get("year_from"):
        statement = statement.where(Research.year >= filters["year_from"])
    if filters.get("year_to"):
        statement = statement.where(Research.year <= filters["year_to"])
    return statement


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


MAX_IMPORT_ENTRIES = 100
#: characters per import (pasted, uploaded or sent to the API): a larger file is split
MAX_IMPORT_CHARS = 150_000
TOO_LONG = (
    f"At most {MAX_IMPORT_CHARS:,} characters can be imported at a time. Nothing was "
    "imported: split the file into parts and import each part."
)
#: per account, across the import form and the API
IMPORT_LIMIT = "10 per hour"
DOI_TAKEN = "Another summary already has this DOI; link to it or edit it instead."


def _doi_taken(doi: str | None, research: Research | None, viewer) -> bool:
    """Whether another summary ``viewer`` may see (or wrote) has ``doi``: one they cannot
    see must not betray that it exists, so such clashes are left to the review."""
    if not doi:
        return False
    statement = select(Research.id).where(Research.doi == doi, visible_to(Research, viewer))
    if research is not None and research.id is not None:
        statement = statement.where(Research.id != research.id)
    return db.session.scalar(statement.limit(1)) is not None


def doi_clashes(research: Research, doi: str | None = None) -> list[Research]:
    """Every other summary with ``doi`` (default: its own), for moderators at review."""
    doi = doi if doi is not None else research.doi
    if not doi:
        return []
    return list(
        db.session.scalars(
            select(Research)
            .where(Research.doi == doi, Research.id != research.id)
            .order_by(Research.id)
        )
    )


def _check_approval(research: Research, values: dict) -> None:
    """Refuse to publish a summary whose DOI another published summary has."""
    published = [r for r in doi_clashes(research, values.get("doi")) if r.is_published]
    if published:
        other = published[0]
        page = url_for("research.detail", item_id=other.id)
        message = (
            f"Another published summary has this DOI: “{other.title}” ({page}). "
            "Reject this one as a duplicate, or archive the other first."
        )
        raise Invalid(message, {"decision": [message]})


def _check_doi(data: dict, research: Research | None, actor) -> None:
    if _doi_taken(data.get("doi"), research, actor):
        raise Conflict("Another summary already has this DOI.", {"doi": [DOI_TAKEN]})


SAVE_HOOKS = records.SaveHooks(
    model=Research,
    input_schema=ResearchInputSchema,
    sign_in="Sign in to write research summaries.",
    checked_fields=CHECKED_FIELDS,
    cited_authors=lambda values: values.get("authors") or (),
    check_conflicts=_check_doi,
)


def save_research(actor, data: dict, research: Research | None = None) -> Research:
    """Create (no ``research``) or update a summary; a DOI already used by another summary
    raises ``Conflict`` (409), identifier warnings never block it. The rest as
    ``records.save_record``."""
    return records.save_record(SAVE_HOOKS, actor, data, research)


def import_bibtex(actor, text: str) -> tuple[list[int], list[dict], list[dict]]:
    """Create a draft summary per good BibTeX entry that is not on kx already.

    Returns the new ids, every skipped entry with a reason (a duplicate in the file or of
    a summary ``actor`` may see, matched by DOI, else by title, year and first author)
    and the notes on imported entries (a year or DOI left empty...), each ``{"key", ...}``.
    """
    if actor is None or not actor.is_authenticated:
        raise Forbidden("Sign in to import references.")
    if not text.strip():
        message = "Paste at least one BibTeX entry or choose a .bib file."
        raise Invalid(message, {"bibtex": [message]})
    if len(text) > MAX_IMPORT_CHARS:
        raise Invalid(TOO_LONG, {"bibtex": [TOO_LONG]})
    entries = citations.count_entries(text)
    if entries <= MAX_IMPORT_ENTRIES:
        parsed, skipped = citations.parse_bibtex(text)
        entries = len(parsed) + len(skipped)
    if entries > MAX_IMPORT_ENTRIES:
        message = (
            f"Import at most {MAX_IMPORT_ENTRIES} entries at a time; this text has "
            f"{entries}. Nothing was imported: split it and import each part."
        )
        raise Invalid(message, {"bibtex": [message]})
    skipped = [{"key": s["key"], "reason": s["reason"]} for s in skipped]
    existing = _already_on_kx(parsed, actor)
    new = []
    for citation in parsed:
        found = existing.get(id(citation))
        if found is None:
            new.append(citation)
        else:
            label = citation.key or citation.title[:40]
            same = (
                f"the same DOI {citation.doi}"
                if citation.doi and citation.doi == found.doi
                else "the same title, year and first author"
            )
            skipped.append({"key": label, "reason": f"already on kx as “{found.title}” ({same})"})
    quota.check_unverified_write(actor, new_items=len(new))
    created: list[Research] = []
    with transaction():
        for citation in new:
            research = Research(author_id=actor.id, status="draft")
            records.apply_changes(research, _fields_from_citation(citation), actor)
            created.append(research)
    notes = [
        {"key": citation.key or citation.title[:40], "id": research.id, "note": note}
        for citation, research in zip(new, created, strict=True)
        for note in citation.notes
    ]
    return [r.id for r in created], skipped, notes


def read_bib_file(data: bytes) -> str:
    """An uploaded .bib file as text: UTF-8 (with or without a byte-order mark), else
    Latin-1, which older reference managers write and which reads any byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _already_on_kx(parsed: list[citations.Citation], actor) -> dict[int, Research]:
    """``id(citation)`` -> the summary ``actor`` may see that is the same work: the same
    DOI, or, when one of them has none, the same title, year and first author
    (``Research.match_key``). One indexed query for at most ``MAX_IMPORT_ENTRIES`` of each."""
    if not parsed:
        return {}
    keys = {_match_key(c) for c in parsed}
    dois = {c.doi for c in parsed if c.doi}
    candidates = db.session.scalars(
        select(Research)
        .where(
            visible_to(Research, actor),
            or_(Research.match_key.in_(keys), Research.doi.in_(dois)),
        )
        .order_by(Research.id)
        .limit(10 * MAX_IMPORT_ENTRIES)
    )
    by_doi: dict[str, Research] = {}
    by_key: dict[str, list[Research]] = {}
    for research in candidates:
        if research.doi:
            by_doi.setdefault(research.doi, research)
        by_key.setdefault(research.match_key, []).append(research)
    found = {}
    for citation in parsed:
        same = by_doi.get(citation.doi) if citation.doi else None
        if same is None:
            same = next(
                (
                    r
                    for r in by_key.get(_match_key(citation), [])
                    if not (r.doi and citation.doi)  # two DOIs that differ: two works
                ),
                None,
            )
        if same is not None:
            found[id(citation)] = same
    return found


def _match_key(citation: citations.Citation) -> str:
    """``citation``'s match key as the summary an import makes of it would store it."""
    return research_match_key(citation.title[:200], citation.authors, citation.year)


def _fields_from_citation(citation: citations.Citation) -> dict:
    return {
        "title": citation.title[:200],
        "authors": citation.authors,
        "year": citation.year,
        "venue": (citation.venue or "")[:300],
        "volume": citation.volume or "",
        "issue": citation.issue or "",
        "pages": citation.pages or "",
        "entry_type": citation.entry_type,
        "doi": citation.doi,
        "url": citation.url or "",
    }


def as_citation(research: Research) -> citations.Citation:
    return citations.Citation(
        title=research.title,
        authors=list(research.authors),
        year=research.year,
        venue=research.venue or None,
        volume=research.volume or None,
        issue=research.issue or None,
        pages=research.pages or None,
        doi=research.doi,
        url=research.url or None,
        entry_type=research.entry_type,
    )


CITATION_FORMATS = {
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}


def cite(items: list[Research], fmt: str) -> str:
    """``items`` as BibTeX, RIS or CSL-JSON text."""
    import json

    converted = [as_citation(item) for item in items]
    if fmt == "bibtex":
        return references.to_bibtex(converted)
    if fmt == "ris":
        return references.to_ris(converted)
    if fmt == "csl-json":
        return json.dumps(references.to_csl_json(converted), indent=2, ensure_ascii=False)
    raise Invalid("Choose bibtex, ris or csl-json.", {"format": ["Unknown format."]})


def reference(research: Research) -> str:
    """The APA-style reference line."""
    return references.format_reference(as_citation(research))


def _export(user) -> dict:
    from kx.research.schemas import ResearchSchema

    items = db.session.scalars(select(Research).where(Research.author_id == user.id))
    computed = ("reference", "practices", "page_url")
    fields = [f for f in ResearchSchema().fields if f not in computed]
    return {
        "research_summaries": ResearchSchema(only=fields).dump(items, many=True),
        **{key: part(user) for key, part in EXPORT_PARTS.items()},
    }


accounts.register_export("research", _export)
records.IDENTIFIER_CHECKS["research"] = lambda values: identifier_warnings(
    values, CHECKED_FIELDS, values.get("authors") or ()
)
records.APPROVAL_CHECKS["research"] = _check_approval
accounts.register_erasure(lambda user: records.erase_unpublished(Research, user))
