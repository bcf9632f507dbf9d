"""Evidence links between research and practice, the evidence level and the gap map; the
only code here that commits.

Evidence counts only what the viewer may see *and* what is published: a draft summary
(even the viewer's own) is not evidence yet. "With evidence" means research that
evaluates or supports a practice.
"""

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from kx import taxonomy
from kx.audit import record_audit
from kx.database import transaction
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import PUBLISHED, ItemTerm, can_view, visible_to
from kx.records.rules import can_remove_link
from kx.research import services as research_services
from kx.research.models import Research

SUPPORTING = ("evaluates", "supports")
_RANK = {design: rank for rank, design in enumerate(taxonomy.STUDY_DESIGNS)}


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
    return link


def get_link(link_id: int, viewer) -> EvidenceLink:
    """A link whose two ends ``viewer`` may see; otherwise ``NotFound``."""
    link = db.session.get(EvidenceLink, link_id)
    if link is None or not (can_view(link.practice, viewer) and can_view(link.research, viewer)):
        raise NotFound("No such evidence link.")
    return link


def unlink_evidence(actor, link: EvidenceLink) -> None:
    """Remove a link: its creator or a moderator."""
    if not can_remove_link(link, actor):
        raise Forbidden("Only the member who made the link or a moderator may remove it.")
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


def evidence_for_practice(practice: Practice, viewer) -> list[EvidenceLink]:
    """Links to ``practice`` from research ``viewer`` may see, strongest design first."""
    return evidence_for_practices([practice], viewer)[practice.id]


def _visible_links(by_id, other, relation, viewer) -> dict[int, list[EvidenceLink]]:
    """Links keyed by ``by_id``'s value (practice or research id, one query for a page),
    whose ``other`` end ``viewer`` may see, each with that end loaded through ``relation``."""
    found: dict[int, list[EvidenceLink]] = {key: [] for key in by_id[1]}
    if not found:
        return found
    column = by_id[0]
    links = db.session.scalars(
        select(EvidenceLink)
        .join(other, relation)
        .options(contains_eager(relation))
        .where(column.in_(list(found)), visible_to(other, viewer))
        .order_by(EvidenceLink.id)
    )
    for link in links:
        found[getattr(link, column.key)].append(link)
    return found


def evidence_for_practices(practices, viewer) -> dict[int, list[EvidenceLink]]:
    """``evidence_for_practice`` of each of ``practices`` (e.g. a page of a list) at once."""
    ids = (EvidenceLink.practice_id, [practice.id for practice in practices])
    found = _visible_links(ids, Research, EvidenceLink.research, viewer)
    for entries in found.values():
        entries.sort(key=lambda link: _RANK.get(link.research.study_design, 99))
    return found


def practices_for_research(research: Research, viewer) -> list[EvidenceLink]:
    """Links from ``research`` to practices ``viewer`` may see."""
    return practices_for_researches([research], viewer)[research.id]


def practices_for_researches(items, viewer) -> dict[int, list[EvidenceLink]]:
    """``practices_for_research`` of each of ``items`` (e.g. a page of a list) at once."""
    ids = (EvidenceLink.research_id, [item.id for item in items])
    return _visible_links(ids, Practice, EvidenceLink.practice, viewer)


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
    links = db.session.scalars(select(EvidenceLink).where(EvidenceLink.created_by_id == user.id))
    return [
        {
            "id": link.id,
            "practice_id": link.practice_id,
            "research_id": link.research_id,
            "relation": link.relation,
            "note": link.note,
        }
        for link in links
    ]


# a member's links have always been exported beside their research summaries
research_services.EXPORT_PARTS["evidence_links"] = _export
