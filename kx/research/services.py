"""Writing, listing and reviewing research summaries, citations, evidence links and the
gap map; the only code here that commits.

Evidence counts only what the viewer may see *and* what is published: a draft summary
(even the viewer's own) is not evidence yet.
"""

from sqlalchemy import and_, case, func, nulls_last, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from kx import taxonomy
from kx.accounts import services as accounts
from kx.audit import record_audit
from kx.database import transaction
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import identifier_warnings
from kx.records import quota
from kx.records import services as records
from kx.records.models import PUBLISHED, can_view, has_term, owned_by, visible_to
from kx.research import citations
from kx.research.models import EvidenceLink, Research
from kx.research.schemas import ResearchInputSchema
from kx.schemas import load

CHECKED_FIELDS = ("summary", "key_findings", "implications", "limitations")
SUPPORTING = ("evaluates", "supports")
_RANK = {design: rank for rank, design in enumerate(taxonomy.STUDY_DESIGNS)}


def get_research(research_id: int, viewer) -> Research:
    """The summary if ``viewer`` may see it; otherwise ``NotFound``."""
    research = db.session.get(Research, research_id)
    if research is None or not can_view(research, viewer):
        raise NotFound("No such research summary.")
    return research


def research_query(viewer, filters: dict | None = None, sort: str = "newest"):
    """``select(Research)`` of what ``viewer`` may see, filtered and sorted."""
    filters = filters or {}
    statement = select(Research).where(visible_to(Research, viewer))
    for field in ("domains", "countries"):
        if filters.get(field):
            statement = statement.where(has_term(Research, field, filters[field]))
    if filters.get("study_design"):
        statement = statement.where(Research.study_design.in_(_as_list(filters["study_design"])))
    if filters.get("status"):
        statement = statement.where(Research.status == filters["status"])
    if filters.get("year_from"):
        statement = statement.where(Research.year >= filters["year_from"])
    if filters.get("year_to"):
        statement = statement.where(Research.year <= filters["year_to"])
    if filters.get("author") == "me":
        statement = statement.where(owned_by(Research, viewer))
    if sort == "title":
        return statement.order_by(Research.title, Research.id)
    if sort == "year":
        return statement.order_by(nulls_last(Research.year.desc()), Research.id.desc())
    return statement.order_by(
        nulls_last(Research.published_at.desc()), Research.created_at.desc(), Research.id.desc()
    )


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


MAX_IMPORT_ENTRIES = 100
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
        message = (
            f"Another published summary has this DOI: “{other.title}” (/research/{other.id}). "
            "Reject this one as a duplicate, or archive the other first."
        )
        raise Invalid(message, {"decision": [message]})


def save_research(actor, data: dict, research: Research | None = None) -> Research:
    """Create (no ``research``) or update a summary from form or API data.

    A DOI already used by another summary raises ``Conflict`` (409). ``submit`` as for
    practice examples; identifier warnings are shown but never block a summary.
    """
    if actor is None or not actor.is_authenticated:
        raise Forbidden("Sign in to write research summaries.")
    if research is not None and not records.can_edit(research, actor):
        raise Forbidden("Only the author or a moderator may edit this.")
    data = load(ResearchInputSchema, data, partial=research is not None)
    submit = data.pop("submit", None)
    merged = {**(records.editing_values(research, actor) if research else {}), **data}
    errors = {}
    if research is None and not merged.get("title"):
        errors["title"] = ["This field is required."]
    if merged.get("visibility") == "restricted" and not merged.get("restricted_sectors"):
        errors["restricted_sectors"] = ["Choose the sectors that may see a restricted item."]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    if _doi_taken(data.get("doi"), research, actor):
        raise Conflict("Another summary already has this DOI.", {"doi": [DOI_TAKEN]})
    if submit and not actor.is_verified:
        raise Forbidden("Your account must be verified before you can submit for review.")
    quota.check_unverified_write(actor, new_items=int(research is None))
    # the costly checks of the text, before the write lock; a refused render spares the rest
    html = records.render_changes(research or Research, data)
    warnings = identifier_warnings(merged, CHECKED_FIELDS)
    status = records.submission_status(research or Research(status="draft"), actor, submit)
    was_published = bool(research and research.is_published)
    with transaction():
        if records.edits_need_review(research, actor):
            records.save_edit(research, merged, actor, warnings)
        else:
            if research is None:
                research = Research(author_id=actor.id, status="draft")
            changed = records.apply_changes(research, data, actor, html)
            research.identifier_warnings = warnings
            records.audit_staff_edit(research, actor, changed)
        records.set_status(research, status)
    records.announce(research, was_published)
    return research


def import_bibtex(actor, text: str) -> tuple[list[int], list[dict]]:
    """Create a draft summary per good BibTeX entry; report every skipped one with a reason."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden("Sign in to import references.")
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
    quota.check_unverified_write(actor, new_items=len(parsed))
    created: list[Research] = []
    with transaction():
        for citation in parsed:
            if _doi_taken(citation.doi, None, actor):
                skipped.append(
                    {
                        "key": citation.key or citation.title[:40],
                        "reason": f"a summary with DOI {citation.doi} already exists",
                    }
                )
                continue
            research = Research(author_id=actor.id, status="draft")
            records.apply_changes(research, _fields_from_citation(citation), actor)
            created.append(research)
    return [r.id for r in created], skipped


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
        return citations.to_bibtex(converted)
    if fmt == "ris":
        return citations.to_ris(converted)
    if fmt == "csl-json":
        return json.dumps(citations.to_csl_json(converted), indent=2, ensure_ascii=False)
    raise Invalid("Choose bibtex, ris or csl-json.", {"format": ["Unknown format."]})


def reference(research: Research) -> str:
    """The APA-style reference line."""
    return citations.format_reference(as_citation(research))


# Evidence links


def _published_and_visible(model, viewer):
    return and_(model.status == PUBLISHED, visible_to(model, viewer))


def link_evidence(
    actor, practice: Practice, research: Research, relation: str, note: str = ""
) -> EvidenceLink:
    """Link research to a practice (verified members, both items visible to them)."""
    if actor is None or not actor.is_authenticated or not actor.is_verified:
        raise Forbidden("Only verified members may link evidence.")
    if not (can_view(practice, actor) and can_view(research, actor)):
        raise NotFound("No such item.")
    if relation not in taxonomy.EVIDENCE_RELATIONS:
        raise Invalid("Choose a relation.", {"relation": ["Choose a relation from the list."]})
    existing = db.session.scalar(
        select(EvidenceLink).where(
            EvidenceLink.practice_id == practice.id, EvidenceLink.research_id == research.id
        )
    )
    if existing is not None:
        raise Conflict(
            "This research is already linked to this practice.",
            {"research_id": ["Already linked; remove the link to change it."]},
        )
    try:
        with transaction():
            link = EvidenceLink(
                practice_id=practice.id,
                research_id=research.id,
                relation=relation,
                note=note.strip(),
                created_by_id=actor.id,
            )
            db.session.add(link)
    except IntegrityError as exc:
        raise Conflict("This research is already linked to this practice.") from exc
    records.announce(practice, practice.is_published)
    return link


def get_link(link_id: int, viewer) -> EvidenceLink:
    """A link whose two ends ``viewer`` may see; otherwise ``NotFound``."""
    link = db.session.get(EvidenceLink, link_id)
    if link is None or not (can_view(link.practice, viewer) and can_view(link.research, viewer)):
        raise NotFound("No such evidence link.")
    return link


def unlink_evidence(actor, link: EvidenceLink) -> None:
    """Remove a link: its creator or a moderator."""
    if actor is None or not (actor.is_moderator or link.created_by_id == actor.id):
        raise Forbidden("Only the member who made the link or a moderator may remove it.")
    practice = link.practice
    with transaction():
        if link.created_by_id != actor.id:
            record_audit(
                actor,
                "evidence.delete",
                "evidence_link",
                link.id,
                practice=link.practice_id,
                research=link.research_id,
            )
        db.session.delete(link)
    records.announce(practice, practice.is_published)


def evidence_for_practice(practice: Practice, viewer) -> list[EvidenceLink]:
    """Links to ``practice`` from research ``viewer`` may see, strongest design first."""
    return evidence_for_practices([practice], viewer)[practice.id]


def evidence_for_practices(practices, viewer) -> dict[int, list[EvidenceLink]]:
    """``evidence_for_practice`` of each of ``practices`` (e.g. a page of a list) at once."""
    found: dict[int, list[EvidenceLink]] = {practice.id: [] for practice in practices}
    if not found:
        return found
    links = db.session.scalars(
        select(EvidenceLink)
        .join(Research, EvidenceLink.research_id == Research.id)
        .options(contains_eager(EvidenceLink.research))
        .where(EvidenceLink.practice_id.in_(list(found)), visible_to(Research, viewer))
        .order_by(EvidenceLink.id)
    )
    for link in links:
        found[link.practice_id].append(link)
    for entries in found.values():
        entries.sort(key=lambda link: _RANK.get(link.research.study_design, 99))
    return found


def practices_for_research(research: Research, viewer) -> list[EvidenceLink]:
    """Links from ``research`` to practices ``viewer`` may see."""
    return practices_for_researches([research], viewer)[research.id]


def practices_for_researches(items, viewer) -> dict[int, list[EvidenceLink]]:
    """``practices_for_research`` of each of ``items`` (e.g. a page of a list) at once."""
    found: dict[int, list[EvidenceLink]] = {item.id: [] for item in items}
    if not found:
        return found
    links = db.session.scalars(
        select(EvidenceLink)
        .join(Practice, EvidenceLink.practice_id == Practice.id)
        .options(contains_eager(EvidenceLink.practice))
        .where(EvidenceLink.research_id.in_(list(found)), visible_to(Practice, viewer))
        .order_by(EvidenceLink.id)
    )
    for link in links:
        found[link.research_id].append(link)
    return found


def _design_rank():
    return case(_RANK, value=Research.study_design, else_=len(_RANK))


def best_evidence(viewer):
    """Derived table ``(practice_id, rank)``: per practice, the best design rank among the
    published research ``viewer`` may see that evaluates or supports it.

    Not correlated: the database reads the supporting links once and joins the result to
    the practices by id. A correlated subquery let SQLite scan every published summary
    once per practice (seconds at a few thousand items, 30 s and more at 20,000).
    """
    return (
        select(
            EvidenceLink.practice_id.label("practice_id"), func.min(_design_rank()).label("rank")
        )
        .join(Research, EvidenceLink.research_id == Research.id)
        .where(EvidenceLink.relation.in_(SUPPORTING), _published_and_visible(Research, viewer))
        .group_by(EvidenceLink.practice_id)
        .subquery("best_evidence")
    )


def evidence_level(practice: Practice, viewer) -> str | None:
    """The strongest study design among published research ``viewer`` may see that
    evaluates or supports ``practice``; None when there is none."""
    return evidence_levels([practice], viewer)[practice.id]


def evidence_levels(practices, viewer) -> dict[int, str | None]:
    """``evidence_level`` of each of ``practices`` (e.g. a page of a list) in one query."""
    ids = [practice.id for practice in practices]
    levels: dict[int, str | None] = dict.fromkeys(ids)
    if not ids:
        return levels
    rows = db.session.execute(
        select(EvidenceLink.practice_id, func.min(_design_rank()))
        .join(Research, EvidenceLink.research_id == Research.id)
        .where(
            EvidenceLink.practice_id.in_(ids),
            EvidenceLink.relation.in_(SUPPORTING),
            _published_and_visible(Research, viewer),
        )
        .group_by(EvidenceLink.practice_id)
    )
    designs = list(taxonomy.STUDY_DESIGNS)
    for practice_id, rank in rows:
        levels[practice_id] = designs[rank] if rank < len(designs) else None
    return levels


def filter_by_evidence_level(statement, viewer, level: str):
    """Narrow a practice query to one evidence level (``none``: no supporting evidence)."""
    best = best_evidence(viewer)
    if level == "none":
        return statement.where(Practice.id.not_in(select(best.c.practice_id)))
    return statement.where(
        Practice.id.in_(select(best.c.practice_id).where(best.c.rank == _RANK[level]))
    )


def gap_map(viewer) -> dict:
    """Domains x study designs of published research ``viewer`` may see, and per domain the
    practices with and without visible research that evaluates or supports them."""
    from kx.records.models import ItemTerm

    domains, designs = list(taxonomy.DOMAINS), list(taxonomy.STUDY_DESIGNS)
    cells = {domain: dict.fromkeys(designs, 0) for domain in domains}
    rows = db.session.execute(
        select(ItemTerm.slug, Research.study_design, func.count())
        .join(Research, and_(ItemTerm.item_type == "research", ItemTerm.item_id == Research.id))
        .where(ItemTerm.vocabulary == "domain", _published_and_visible(Research, viewer))
        .group_by(ItemTerm.slug, Research.study_design)
    )
    for domain, design, count in rows:
        if domain in cells and design in cells[domain]:
            cells[domain][design] = count
    # "with evidence" means what the evidence level means: research that evaluates or
    # supports the practice (a practice only "informed" shows "No linked evidence").
    best = best_evidence(viewer)
    has_evidence = best.c.rank.is_not(None)
    practices_by_domain = {d: {"with_evidence": 0, "without_evidence": 0} for d in domains}
    rows = db.session.execute(
        select(ItemTerm.slug, has_evidence, func.count())
        .join(Practice, and_(ItemTerm.item_type == "practice", ItemTerm.item_id == Practice.id))
        .outerjoin(best, best.c.practice_id == Practice.id)
        .where(ItemTerm.vocabulary == "domain", _published_and_visible(Practice, viewer))
        .group_by(ItemTerm.slug, has_evidence)
    )
    for domain, with_evidence, count in rows:
        if domain in practices_by_domain:
            key = "with_evidence" if with_evidence else "without_evidence"
            practices_by_domain[domain][key] += count
    return {"rows": domains, "columns": designs, "cells": cells, "practices": practices_by_domain}


def _export(user) -> list[dict]:
    from kx.research.schemas import ResearchSchema

    items = db.session.scalars(select(Research).where(Research.author_id == user.id))
    computed = ("reference", "practices", "page_url")
    fields = [f for f in ResearchSchema().fields if f not in computed]
    links = db.session.scalars(select(EvidenceLink).where(EvidenceLink.created_by_id == user.id))
    return {
        "research_summaries": ResearchSchema(only=fields).dump(items, many=True),
        "evidence_links": [
            {
                "id": link.id,
                "practice_id": link.practice_id,
                "research_id": link.research_id,
                "relation": link.relation,
                "note": link.note,
            }
            for link in links
        ],
    }


accounts.register_export("research", _export)
records.IDENTIFIER_CHECKS["research"] = lambda values: identifier_warnings(values, CHECKED_FIELDS)
records.APPROVAL_CHECKS["research"] = _check_approval
accounts.register_erasure(lambda user: records.erase_unpublished(Research, user))
