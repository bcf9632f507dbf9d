"""Evidence links between research and practice, the evidence level and the ratings; the
only code here that commits (the gap map is kx.evidence.gap_map).

Evidence counts only what the viewer may see *and* what is published: a draft summary
(even the viewer's own) is not evidence yet. "With evidence" means research that
evaluates or supports a practice.
"""

from marshmallow import ValidationError
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from kx import taxonomy
from kx.audit import record_audit
from kx.database import transaction
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.evidence.models import EvidenceLink, Finding
from kx.evidence.ratings import Rating, Study, rate
from kx.evidence.schemas import EvidenceLinkUpdateSchema, FindingSchema
from kx.extensions import db
from kx.notifications import services as notifications
from kx.practice.models import Practice
from kx.records.models import PUBLISHED, can_view, visible_to
from kx.records.rules import can_edit_link, can_remove_link
from kx.research import services as research_services
from kx.research.models import Research

SUPPORTING = ("evaluates", "supports")
_RANK = {design: rank for rank, design in enumerate(taxonomy.STUDY_DESIGNS)}


def _published_and_visible(model, viewer):
    return and_(model.status == PUBLISHED, visible_to(model, viewer))


def _checked(relation=None, note=None, findings=None) -> dict:
    """The given fields as stored, checked by the link schema; ``Invalid`` names every bad
    field at once (a finding's by its position: ``{"findings": {0: {"ci_low": [...]}}}``)."""
    data = {"relation": relation, "note": note, "findings": findings}
    data = {name: value for name, value in data.items() if value is not None}
    if "findings" in data:
        data["findings"] = list(data["findings"])
    errors: dict = {}
    if relation is not None and relation not in taxonomy.EVIDENCE_RELATIONS:
        errors["relation"] = ["Choose a relation from the list."]
        del data["relation"]
    try:
        checked = EvidenceLinkUpdateSchema().load(data)
    except ValidationError as exc:
        errors.update(exc.messages)
        checked = {}
    if errors:
        raise Invalid("Some of the input is not valid.", errors)
    if "note" in checked:
        checked["note"] = checked["note"].strip()
    if "findings" in checked:
        checked["findings"] = [FindingSchema.clean(finding) for finding in checked["findings"]]
    return checked


def _finding_rows(findings: list[dict]) -> list[Finding]:
    return [Finding(position=position, **data) for position, data in enumerate(findings)]


def _state(link: EvidenceLink) -> dict:
    """What a link says, as its audit entries record it."""
    return {
        "relation": link.relation,
        "note": link.note,
        "findings": [finding.as_dict() for finding in link.findings],
    }


def link_evidence(
    actor, practice: Practice, research: Research, relation: str, note: str = "", findings=()
) -> EvidenceLink:
    """Link research to a practice (verified members, both items visible to them), with
    what it found for the practice's outcomes."""
    if actor is None or not actor.is_authenticated or not actor.is_verified:
        raise Forbidden("Only verified members may link evidence.")
    if not (can_view(practice, actor) and can_view(research, actor)):
        raise NotFound("No such item.")
    checked = _checked(relation or "", note or "", list(findings or ()))
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
    before = _author_rating(practice)
    try:
        with transaction():
            link = EvidenceLink(
                practice_id=practice.id,
                research_id=research.id,
                relation=checked["relation"],
                note=checked["note"],
                created_by_id=actor.id,
                findings=_finding_rows(checked["findings"]),
            )
            db.session.add(link)
            _tell_author(practice, research, actor, before, linked=True)
    except IntegrityError as exc:
        raise Conflict("This research is already linked to this practice.") from exc
    return link


# Telling the practice's author (kx.notifications), inside the change's transaction


def _author_rating(practice: Practice) -> str | None:
    """The overall rating ``practice``'s author sees (None: no author to tell)."""
    if practice.author is None:
        return None
    return rating_of(practice, practice.author).overall


def _tell_author(practice, research, actor, before: str | None, linked: bool = False) -> None:
    """New evidence the author may see, and a change of the rating they see, are theirs
    to know (a study hidden from them changes neither)."""
    if before is None:
        return
    author = practice.author
    db.session.flush()  # the rating reads the links through the connection
    if linked and can_view(research, author):
        notifications.add_about(author.id, "evidence-linked", practice, actor)
    after = rating_of(practice, author).overall
    if after != before:
        change = f"from {taxonomy.label('ratings', before)} to {taxonomy.label('ratings', after)}"
        notifications.add_about(author.id, "rating-changed", practice, actor, change)


def get_link(link_id: int, viewer) -> EvidenceLink:
    """A link whose two ends ``viewer`` may see; otherwise ``NotFound``."""
    link = db.session.get(EvidenceLink, link_id)
    if link is None or not (can_view(link.practice, viewer) and can_view(link.research, viewer)):
        raise NotFound("No such evidence link.")
    return link


def update_link(actor, link: EvidenceLink, relation=None, note=None, findings=None):
    """Change a link's relation, note or findings (``findings`` replaces the list as a
    whole): its creator or a moderator. Every change is audited, whoever makes it, so
    that the history of a rating's inputs is kept."""
    if not (can_view(link.practice, actor) and can_view(link.research, actor)):
        raise NotFound("No such evidence link.")
    if not can_edit_link(link, actor):
        raise Forbidden("Only the member who made the link or a moderator may change it.")
    checked = _checked(relation, note, findings)
    before = _state(link)
    changed = [name for name, value in checked.items() if before[name] != value]
    if not changed:
        return link
    rating_before = _author_rating(link.practice)
    with transaction():
        for name in changed:
            value = checked[name]
            setattr(link, name, _finding_rows(value) if name == "findings" else value)
        record_audit(
            actor,
            "evidence.update",
            "evidence_link",
            link.id,
            practice=link.practice_id,
            research=link.research_id,
            fields=changed,
            before={name: before[name] for name in changed},
            after={name: checked[name] for name in changed},
        )
        _tell_author(link.practice, link.research, actor, rating_before)
    return link


def unlink_evidence(actor, link: EvidenceLink) -> None:
    """Remove a link: its creator or a moderator."""
    if not can_remove_link(link, actor):
        raise Forbidden("Only the member who made the link or a moderator may remove it.")
    practice, research = link.practice, link.research
    before = _author_rating(practice)
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
        _tell_author(practice, research, actor, before)


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


def _practice_in(practice_ids):
    """SQL: links of ``practice_ids``. A page's list of ids is looked up by index; a select
    (every practice of a map) is matched as each visible study's links are read: probing
    the index with thousands of ids once per study took seconds at 20,000 items when
    SQLite had no table statistics (``+ 0`` keeps it off that index)."""
    if isinstance(practice_ids, (list, tuple, set)):
        return EvidenceLink.practice_id.in_(practice_ids)
    return (EvidenceLink.practice_id + 0).in_(practice_ids)


def studies_for(practice_ids, viewer) -> dict[int, list[Study]]:
    """Per practice, the published linked studies ``viewer`` may see, as the rating rule
    reads them. ``practice_ids``: a list (a page) or a select of ids (a theme, a map);
    one query whatever their number (each link once per finding, or once without)."""
    # plain rows from the connection: tens of thousands for a map, and the ORM's row
    # processing cost as much as the query
    rows = db.session.connection().execute(
        select(
            EvidenceLink.id,
            EvidenceLink.practice_id,
            EvidenceLink.relation,
            Research.id,
            Research.study_design,
            Research.risk_of_bias,
            Finding.outcome,
            Finding.direction,
        )
        .join(Research, EvidenceLink.research_id == Research.id)
        .outerjoin(Finding, Finding.link_id == EvidenceLink.id)
        .where(_practice_in(practice_ids), _published_and_visible(Research, viewer))
        .order_by(EvidenceLink.id, Finding.position)
    )
    links: dict[int, tuple] = {}
    findings: dict[int, list[tuple[str, str]]] = {}
    for link_id, practice_id, relation, research_id, design, risk, outcome, direction in rows:
        if link_id not in links:
            links[link_id] = (practice_id, research_id, design, relation, risk)
            findings[link_id] = []
        if outcome is not None:
            findings[link_id].append((outcome, direction))
    studies: dict[int, list[Study]] = {}
    for link_id, (practice_id, research_id, design, relation, risk) in links.items():
        studies.setdefault(practice_id, []).append(
            Study(research_id, design, relation, risk, tuple(findings[link_id]))
        )
    return studies


def ratings_for(practices, viewer) -> dict[int, Rating]:
    """The rating of each of ``practices`` (e.g. a page of a list) from what ``viewer``
    may see."""
    ids = [practice.id for practice in practices]
    if not ids:
        return {}
    studies = studies_for(ids, viewer)
    return {id_: rate(studies.get(id_, ())) for id_ in ids}


def rating_of(practice: Practice, viewer) -> Rating:
    """``practice``'s rating from the evidence ``viewer`` may see."""
    return ratings_for([practice], viewer)[practice.id]


def filter_by_evidence_level(statement, viewer, level: str):
    """Narrow a practice query to one evidence level (``none``: no supporting evidence)."""
    best = best_evidence(viewer)
    if level == "none":
        return statement.where(Practice.id.not_in(select(best.c.practice_id)))
    return statement.where(
        Practice.id.in_(select(best.c.practice_id).where(best.c.rank == _RANK[level]))
    )


def _export(user) -> list[dict]:
    links = db.session.scalars(select(EvidenceLink).where(EvidenceLink.created_by_id == user.id))
    return [
        {
            "id": link.id,
            "practice_id": link.practice_id,
            "research_id": link.research_id,
            "relation": link.relation,
            "note": link.note,
            "findings": [finding.as_dict() for finding in link.findings],
        }
        for link in links
    ]


# a member's links have always been exported beside their research summaries
research_services.EXPORT_PARTS["evidence_links"] = _export
