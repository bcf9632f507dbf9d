"""The evidence-and-gap map: which practices have been studied, for which outcome or with
which design, how they rate, and where there are no studies at all.

Rows are the practices' domains, prevention levels or stages; columns are the outcomes of
the linked studies' findings or the studies' designs. Only published practices and studies
the viewer may see count, and each practice's rating is the rating rule's
(``kx.evidence.ratings.rate``) over the studies ``studies_for`` gives that viewer: the same
answer the practice's page shows. A map takes three queries whatever the number of items.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import and_, case, func, nulls_last, select

from kx import taxonomy
from kx.evidence import versions
from kx.evidence.models import EvidenceLink
from kx.evidence.ratings import Rating, Study, rate
from kx.evidence.services import best_evidence, studies_for
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import MULTI_VALUED, PUBLISHED, ItemTerm, has_term, visible_to
from kx.research.models import Research

#: rows parameter -> vocabulary of its slugs
ROWS = {"domain": "domains", "prevention_level": "prevention_levels", "stage": "stages"}
#: columns parameter -> vocabulary of its slugs
COLUMNS = {"outcome": "outcomes", "study_design": "study_designs"}
#: filter parameter -> vocabulary of its values (``domain`` for theme pages' maps)
FILTERS = {
    "domain": "domains",
    "country": "countries",
    "stage": "stages",
    "prevention_level": "prevention_levels",
    "study_design": "study_designs",
}
#: risk of bias of a cell's studies, "unknown" when the summary does not say
RISKS = (*taxonomy.RISKS_OF_BIAS, "unknown")
# the practice's multi-valued field behind a parameter (prevention level is a column)
_TERMS = {"domain": "domains", "country": "countries", "stage": "stages"}


def _published_and_visible(model, viewer):
    return and_(model.status == PUBLISHED, visible_to(model, viewer))


def practice_ids(viewer, filters: dict | None = None):
    """Select of the ids of published practices ``viewer`` may see, narrowed by the map's
    practice filters (domain, country, stage, prevention level)."""
    filters = filters or {}
    statement = select(Practice.id).where(_published_and_visible(Practice, viewer))
    for name, field_name in _TERMS.items():
        if filters.get(name):
            statement = statement.where(has_term(Practice, field_name, filters[name]))
    if filters.get("prevention_level"):
        statement = statement.where(Practice.prevention_level == filters["prevention_level"])
    return statement


def _in_row(statement, rows: str, row: str):
    if rows == "prevention_level":
        return statement.where(Practice.prevention_level == row)
    return statement.where(has_term(Practice, _TERMS[rows], row))


def _memberships(ids, rows: str) -> dict[int, list[str]]:
    """Practice id -> its row slugs, for the practices among ``ids`` with linked research."""
    linked = ids.where(Practice.id.in_(select(EvidenceLink.practice_id)))
    if rows == "prevention_level":
        statement = select(Practice.id, Practice.prevention_level).where(
            Practice.id.in_(linked), Practice.prevention_level.is_not(None)
        )
    else:
        statement = select(ItemTerm.item_id, ItemTerm.slug).where(
            ItemTerm.item_type == "practice",
            ItemTerm.vocabulary == MULTI_VALUED[_TERMS[rows]],
            ItemTerm.item_id.in_(linked),
        )
    found: dict[int, list[str]] = {}
    for practice_id, slug in db.session.execute(statement):
        found.setdefault(practice_id, []).append(slug)
    return found


@lru_cache(maxsize=65_536)
def _judged(evidence: tuple) -> tuple[Rating, dict[str, str]]:
    """The rule's rating of one body of evidence (``(design, relation, risk, findings)``
    per study) and its rating per outcome. The rule is pure and reads nothing else (not
    which study it was), so one answer serves every practice and request with that body."""
    rating = rate(
        Study(0, design, relation, risk or None, findings)
        for design, relation, risk, findings in evidence
    )
    return rating, {outcome.outcome: outcome.rating for outcome in rating.outcomes}


class Ratings:
    """Each practice's rating by the rule from the studies ``studies_for`` gave a viewer."""

    def __init__(self, studies: dict[int, list[Study]]):
        self.studies = studies
        self._by_practice: dict[int, tuple[Rating, dict[str, str]]] = {}

    def _judge(self, practice_id: int) -> tuple[Rating, dict[str, str]]:
        judged = self._by_practice.get(practice_id)
        if judged is None:
            evidence = tuple(
                sorted(
                    (s.design, s.relation, s.risk_of_bias or "", s.findings)
                    for s in self.studies.get(practice_id, ())
                )
            )
            judged = self._by_practice[practice_id] = _judged(evidence)
        return judged

    def of(self, practice_id: int) -> Rating:
        return self._judge(practice_id)[0]

    def for_column(self, practice_id: int, columns: str, column: str) -> str:
        """The practice's rating for an outcome column, else its overall rating."""
        rating, by_outcome = self._judge(practice_id)
        if columns == "outcome":
            return by_outcome.get(column, "insufficient")
        return rating.overall


def _columns_of(study: Study, columns: str) -> set[str]:
    if columns == "outcome":
        return {outcome for outcome, _direction in study.findings}
    return {study.design}


@dataclass
class _Cell:
    studies: dict[int, str | None] = field(default_factory=dict)  # research id -> risk
    practices: set[int] = field(default_factory=set)
    ratings: Counter = field(default_factory=Counter)  # the practices' ratings for the cell


def _collect(viewer, rows: str, columns: str, filters: dict, ids, studies=None):
    """``{(row, column): _Cell}`` and the ratings of the practices in them. ``studies``:
    ``studies_for``'s answer for (at least) these practices, when the caller has it."""
    if studies is None:
        studies = studies_for(ids.where(Practice.id.in_(select(EvidenceLink.practice_id))), viewer)
    ratings = Ratings(studies)
    design = filters.get("study_design")
    cells: dict[tuple[str, str], _Cell] = {}
    for practice_id, row_slugs in _memberships(ids, rows).items():
        for study in studies.get(practice_id, ()):
            if design and study.design != design:
                continue
            for column in _columns_of(study, columns):
                for row in row_slugs:
                    cell = cells.get((row, column)) or cells.setdefault((row, column), _Cell())
                    cell.studies[study.research_id] = study.risk_of_bias
                    if practice_id not in cell.practices:
                        cell.practices.add(practice_id)
                        cell.ratings[ratings.for_column(practice_id, columns, column)] += 1
    return cells, ratings


def _dominant(counts: dict[str, int], order) -> str | None:
    """The most frequent key, None when all are zero. Ties go to the last in ``order``
    (the less favourable): a tie may not make the evidence look better than it is."""
    best = max(reversed(list(order)), key=lambda key: counts.get(key, 0), default=None)
    return best if best is not None and counts.get(best, 0) else None


def gap_map(
    viewer, rows: str | None = None, columns: str | None = None, filters=None, studies=None
) -> dict:
    """The map for ``viewer``: every slug of the row and column vocabularies, and per cell
    the number of studies and practices, the practices' ratings and the studies' risk of
    bias. Without ``rows`` and ``columns``: research per domain and design (``by_domain``).
    ``studies``: ``studies_for``'s answer for (at least) the map's practices, if known."""
    if rows is None and columns is None:
        return versions.cached(viewer, ("by_domain",), lambda: by_domain(viewer))
    rows, columns, filters = rows or "domain", columns or "outcome", filters or {}
    question = ("gap_map", rows, columns, tuple(sorted(filters.items())))
    return versions.cached(
        viewer, question, lambda: _computed(viewer, rows, columns, filters, studies)
    )


def _computed(viewer, rows: str, columns: str, filters: dict, studies) -> dict:
    row_slugs = list(taxonomy.vocabulary(ROWS[rows]))
    column_slugs = list(taxonomy.vocabulary(COLUMNS[columns]))
    ids = practice_ids(viewer, filters)
    found, _ratings = _collect(viewer, rows, columns, filters, ids, studies)
    cells = {}
    for row in row_slugs:
        cells[row] = {}
        for column in column_slugs:
            cell = found.get((row, column)) or _Cell()
            risks = Counter(risk or "unknown" for risk in cell.studies.values())
            cells[row][column] = {
                "studies": len(cell.studies),
                "practices": len(cell.practices),
                "ratings": {rating: cell.ratings[rating] for rating in taxonomy.RATINGS},
                "risk_of_bias": {risk: risks[risk] for risk in RISKS},
            }
    return {"rows": row_slugs, "columns": column_slugs, "cells": cells}


def dominant_rating(cell: dict) -> str | None:
    """The rating most of a cell's practices have (the less favourable one on a tie)."""
    return _dominant(cell["ratings"], taxonomy.RATINGS)


def dominant_risk(cell: dict) -> str | None:
    """The risk of bias most of a cell's studies carry (the higher one on a tie)."""
    return _dominant(cell["risk_of_bias"], RISKS)


def flat_rows(data: dict) -> Iterator[dict]:
    """A map's cells as flat rows (row, column, studies, practices, one count per rating),
    e.g. for a CSV export."""
    for row in data["rows"]:
        for column in data["columns"]:
            cell = data["cells"][row][column]
            yield {
                "row": row,
                "column": column,
                "studies": cell["studies"],
                "practices": cell["practices"],
                **{rating: cell["ratings"][rating] for rating in taxonomy.RATINGS},
            }


@dataclass(frozen=True)
class CellContents:
    """What stands behind one cell: practices (with their rating for the cell, best first)
    and studies, as many as the page shows, and how many there are in all."""

    practices: list[tuple[Practice, str]]
    studies: list[Research]
    practice_total: int
    study_total: int


def cell_contents(
    viewer, rows: str, row: str, columns: str, column: str, filters=None, limit: int = 100
) -> CellContents:
    """The practices and studies counted in the map's cell ``(row, column)``."""
    filters = filters or {}

    def counted() -> tuple[list[tuple[int, str]], list[int]]:
        ids = _in_row(practice_ids(viewer, filters), rows, row)
        found, ratings = _collect(viewer, rows, columns, filters, ids)
        cell = found.get((row, column)) or _Cell()
        newest_first = db.session.scalars(
            select(Practice.id)
            .where(Practice.id.in_(list(cell.practices)))
            .order_by(Practice.published_at.desc(), Practice.id.desc())
        )
        rated = [(i, ratings.for_column(i, columns, column)) for i in newest_first]
        rated.sort(key=lambda pair: order[pair[1]])  # stable: newest first within a rating
        designs = {design: rank for rank, design in enumerate(taxonomy.STUDY_DESIGNS)}
        strongest_first = case(designs, value=Research.study_design, else_=len(designs))
        studies = db.session.scalars(
            select(Research.id)
            .where(Research.id.in_(list(cell.studies)))
            .order_by(strongest_first, nulls_last(Research.year.desc()), Research.id.desc())
        )
        return rated, list(studies)

    order = {rating: rank for rank, rating in enumerate(taxonomy.RATINGS)}
    question = ("cell", rows, row, columns, column, tuple(sorted(filters.items())))
    rated, study_ids = versions.cached(viewer, question, counted)
    shown = dict(rated[:limit])
    practices = {
        p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(shown)))
    }
    studies = {
        r.id: r
        for r in db.session.scalars(select(Research).where(Research.id.in_(study_ids[:limit])))
    }
    return CellContents(
        [(practices[i], rating) for i, rating in shown.items()],
        [studies[i] for i in study_ids[:limit]],
        len(rated),
        len(study_ids),
    )


def by_domain(viewer) -> dict:
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
