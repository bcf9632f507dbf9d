"""Writing, listing and reviewing research summaries, citations, evidence links and the
gap map; the only code here that commits.

Evidence counts only what the viewer may see *and* what is published: a draft summary
(even the viewer's own) is not evidence yet.
"""

from sqlalchemy import and_, case, func, nulls_last, select
from sqlalchemy.exc import IntegrityError

from kx import taxonomy
from kx.accounts import services as accounts
from kx.audit import record_audit
from kx.database import transaction
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import identifier_warnings
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


def _doi_taken(doi: str | None, research: Research | None) -> bool:
    if not doi:
        return False
    other = db.session.scalar(select(Research.id).where(Research.doi == doi))
    return other is not None and (research is None or other != research.id)


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
    merged = {**(research.snapshot() if research else {}), **data}
    errors = {}
    if research is None and not merged.get("title"):
        errors["title"] = ["This field is required."]
    if merged.get("visibility") == "restricted" and not merged.get("restricted_sectors"):
        errors["restricted_sectors"] = ["Choose the sectors that may see a restricted item."]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    if _doi_taken(data.get("doi"), research):
        raise Conflict(
            "Another summary already has this DOI.",
            {"doi": ["Another summary already has this DOI; link to it or edit it instead."]},
        )
    if submit and not actor.is_verified:
        raise Forbidden("Your account must be verified before you can submit for review.")
    warnings = identifier_warnings(merged, CHECKED_FIELDS)
    status = records.submission_status(
        research or Research(status="draft"), actor, submit, new_warnings=False
    )
    was_published = bool(research and research.is_published)
    try:
        with transaction():
            if research is None:
                research = Research(author_id=actor.id, status="draft")
            records.apply_changes(research, data, actor)
            research.identifier_warnings = warnings
            records.set_status(research, status)
    except IntegrityError as exc:  # a concurrent save took the DOI first
        raise Conflict(
            "Another summary already has this DOI.",
            {"doi": ["Another summary already has this DOI."]},
        ) from exc
    records.announce(research, was_published)
    return research


def import_bibtex(actor, text: str) -> tuple[list[int], list[dict]]:
    """Create a draft summary per good BibTeX entry; report every skipped one with a reason."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden("Sign in to import references.")
    parsed, skipped = citations.parse_bibtex(text)
    skipped = [{"key": s["key"], "reason": s["reason"]} for s in skipped]
    created: list[Research] = []
    with transaction():
        for citation in parsed:
            if _doi_taken(citation.doi, None):
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
    links = db.session.scalars(
        select(EvidenceLink)
        .join(Research, EvidenceLink.research_id == Research.id)
        .where(EvidenceLink.practice_id == practice.id, visible_to(Research, viewer))
        .order_by(EvidenceLink.id)
    )
    return sorted(links, key=lambda link: _RANK.get(link.research.study_design, 99))


def practices_for_research(research: Research, viewer) -> list[EvidenceLink]:
    """Links from ``research`` to practices ``viewer`` may see."""
    return list(
        db.session.scalars(
            select(EvidenceLink)
            .join(Practice, EvidenceLink.practice_id == Practice.id)
            .where(EvidenceLink.research_id == research.id, visible_to(Practice, viewer))
            .order_by(EvidenceLink.id)
        )
    )


def _design_rank():
    return case(_RANK, value=Research.study_design, else_=len(_RANK))


def evidence_rank_subquery(viewer):
    """Correlated SQL: the best design rank among a practice's visible supporting research."""
    return (
        select(func.min(_design_rank()))
        .join(EvidenceLink, EvidenceLink.research_id == Research.id)
        .where(
            EvidenceLink.practice_id == Practice.id,
            EvidenceLink.relation.in_(SUPPORTING),
            _published_and_visible(Research, viewer),
        )
        .correlate(Practice)
        .scalar_subquery()
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
    rank = evidence_rank_subquery(viewer)
    if level == "none":
        return statement.where(rank.is_(None))
    return statement.where(rank == _RANK[level])


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
    has_evidence = (
        select(EvidenceLink.id)
        .join(Research, EvidenceLink.research_id == Research.id)
        .where(
            EvidenceLink.practice_id == Practice.id,
            EvidenceLink.relation.in_(SUPPORTING),
            _published_and_visible(Research, viewer),
        )
        .exists()
    )
    practices_by_domain = {d: {"with_evidence": 0, "without_evidence": 0} for d in domains}
    rows = db.session.execute(
        select(ItemTerm.slug, has_evidence, func.count())
        .join(Practice, and_(ItemTerm.item_type == "practice", ItemTerm.item_id == Practice.id))
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
