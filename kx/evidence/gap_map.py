"""The evidence-and-gap map: which practices have been studied, for which outcome or with
which design, how they rate, and where there are no studies at all.

Rows are the practices' domains, prevention levels or stages; columns are the outcomes of
the linked studies' findings or the studies' designs. Only published practices and studies
the viewer may see count, and each practice's rating is the rating rule's
(``kx.evidence.ratings.rate``) over the studies ``studies_for`` gives that viewer: the same
answer the practice's page shows. A map reads the reader's evidence as
``kx.evidence.snapshots`` keeps it: no query over the items, once that is up to date.
"""

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import select

from kx import taxonomy
from kx.evidence import snapshots, versions
from kx.evidence.ratings import Rating, Study, rate
from kx.evidence.services import SUPPORTING
from kx.evidence.snapshots import Evidence
from kx.extensions import db
from kx.practice.models import Practice
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

    def __init__(self, studies: dict[int, list[Study]], derived: dict | None = None):
        """``derived``: per practice, answers kept from earlier requests for the same
        studies (``Evidence.derived``)."""
        self.studies = studies
        self.derived = derived if derived is not None else {}

    def _judge(self, practice_id: int) -> tuple[Rating, dict[str, str]]:
        memo = self.derived.setdefault(practice_id, {})
        judged = memo.get("judged")
        if judged is None:
            evidence = tuple(
                sorted(
                    (s.design, s.relation, s.risk_of_bias or "", s.findings)
                    for s in self.studies.get(practice_id, ())
                )
            )
            judged = memo["judged"] = _judged(evidence)
        return judged

    def of(self, practice_id: int) -> Rating:
        return self._judge(practice_id)[0]

    def for_column(self, practice_id: int, columns: str, column: str) -> str:
        """The practice's rating for an outcome column, else its overall rating."""
        rating, by_outcome = self._judge(practice_id)
        if columns == "outcome":
            return by_outcome.get(column, "insufficient")
        return rating.overall

    def columns(self, practice_id: int, columns: str, design: str | None) -> list[tuple]:
        """The practice's columns (its studies' outcomes or designs, only studies of
        ``design`` when given) as ``(column, {research id: risk of bias}, rating)``."""
        memo = self.derived.setdefault(practice_id, {})
        key = ("columns", columns, design)
        found = memo.get(key)
        if found is None:
            by_column: dict[str, dict[int, str | None]] = {}
            for study in self.studies[practice_id]:
                if design and study.design != design:
                    continue
                for column in _columns_of(study, columns):
                    by_column.setdefault(column, {})[study.research_id] = study.risk_of_bias
            found = memo[key] = [
                (column, studies, self.for_column(practice_id, columns, column))
                for column, studies in by_column.items()
            ]
        return found


def _columns_of(study: Study, columns: str) -> set[str]:
    if columns == "outcome":
        return {outcome for outcome, _direction in study.findings}
    return {study.design}


@dataclass
class _Cell:
    studies: dict[int, str | None] = field(default_factory=dict)  # research id -> risk
    practices: set[int] = field(default_factory=set)
    ratings: Counter = field(default_factory=Counter)  # the practices' ratings for the cell


def _collect(evidence: Evidence, rows: str, columns: str, filters: dict, row=None):
    """``{(row, column): _Cell}`` over the practices of ``evidence`` that ``filters``
    select (in the one row ``row``, when given), and their ratings."""
    ratings = Ratings(evidence.studies, evidence.derived)
    design = filters.get("study_design")
    cells: dict[tuple[str, str], _Cell] = {}
    for practice_id, tags in evidence.practices(filters):
        row_slugs = tags.slugs(rows)
        if row is not None:
            row_slugs = row_slugs & {row}
        if not row_slugs:
            continue
        for column, studies, rating in ratings.columns(practice_id, columns, design):
            for slug in row_slugs:
                cell = cells.get((slug, column)) or cells.setdefault((slug, column), _Cell())
                cell.studies.update(studies)
                cell.practices.add(practice_id)
                cell.ratings[rating] += 1
    return cells, ratings


def _dominant(counts: dict[str, int], order) -> str | None:
    """The most frequent key, None when all are zero. Ties go to the last in ``order``
    (the less favourable): a tie may not make the evidence look better than it is."""
    best = max(reversed(list(order)), key=lambda key: counts.get(key, 0), default=None)
    return best if best is not None and counts.get(best, 0) else None


def gap_map(viewer, rows: str | None = None, columns: str | None = None, filters=None) -> dict:
    """The map for ``viewer``: every slug of the row and column vocabularies, and per cell
    the number of studies and practices, the practices' ratings and the studies' risk of
    bias. Without ``rows`` and ``columns``: research per domain and design (``by_domain``)."""
    if rows is None and columns is None:
        return versions.cached(viewer, ("by_domain",), lambda: by_domain(viewer))
    rows, columns, filters = rows or "domain", columns or "outcome", filters or {}
    question = ("gap_map", rows, columns, tuple(sorted(filters.items())))
    return versions.cached(viewer, question, lambda: _computed(viewer, rows, columns, filters))


def _computed(viewer, rows: str, columns: str, filters: dict) -> dict:
    row_slugs = list(taxonomy.vocabulary(ROWS[rows]))
    column_slugs = list(taxonomy.vocabulary(COLUMNS[columns]))
    found, _ratings = _collect(snapshots.evidence(viewer), rows, columns, filters)
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


class Listed(NamedTuple):
    """A practice example as a cell lists it."""

    id: int
    title: str


class ListedStudy(NamedTuple):
    """A study as a cell lists it: the title read, the rest from the reader's evidence."""

    id: int
    title: str
    year: int | None
    study_design: str | None
    risk_of_bias: str | None


@dataclass(frozen=True)
class CellContents:
    """What stands behind one cell: practices (with their rating for the cell, best first)
    and studies, as many as the page shows, and how many there are in all."""

    practices: list[tuple[Listed, str]]
    studies: list[ListedStudy]
    practice_total: int
    study_total: int


def cell_contents(
    viewer, rows: str, row: str, columns: str, column: str, filters=None, limit: int = 100
) -> CellContents:
    """The practices and studies counted in the map's cell ``(row, column)``."""
    filters = filters or {}

    def counted() -> tuple[list[tuple[int, str]], list[tuple]]:
        """The practices with their rating, best and newest first; the studies as
        ``(id, year, design, risk)``, strongest design first."""
        evidence = snapshots.evidence(viewer)
        found, ratings = _collect(evidence, rows, columns, filters, row)
        cell = found.get((row, column)) or _Cell()

        def newest(practice_id: int) -> tuple:
            return evidence.tags[practice_id].published or datetime.min, practice_id

        newest_first = sorted(cell.practices, key=newest, reverse=True)
        rated = [(i, ratings.for_column(i, columns, column)) for i in newest_first]
        rated.sort(key=lambda pair: order[pair[1]])  # stable: newest first within a rating
        designs = {design: rank for rank, design in enumerate(taxonomy.STUDY_DESIGNS)}
        empty = snapshots.Summary(frozenset(), None)
        studies = []
        for research_id, risk in cell.studies.items():
            summary = evidence.research.get(research_id, empty)
            studies.append((research_id, summary.year, summary.design, risk))

        def strongest(study: tuple) -> tuple:
            research_id, year, design, _risk = study
            newest_year = -year if year is not None else math.inf  # no year: last
            return designs.get(design, len(designs)), newest_year, -research_id

        return rated, sorted(studies, key=strongest)

    order = {rating: rank for rank, rating in enumerate(taxonomy.RATINGS)}
    question = ("cell", rows, row, columns, column, tuple(sorted(filters.items())))
    rated, studies = versions.cached(viewer, question, counted)
    shown, shown_studies = rated[:limit], studies[:limit]
    # Titles only: the rest is in the reader's evidence, and reading whole rows walked
    # each long text to the columns behind it.
    titles = dict(
        db.session.execute(
            select(Practice.id, Practice.title).where(Practice.id.in_([i for i, _ in shown]))
        ).all()
    )
    study_titles = dict(
        db.session.execute(
            select(Research.id, Research.title).where(
                Research.id.in_([study[0] for study in shown_studies])
            )
        ).all()
    )
    return CellContents(
        [(Listed(i, titles[i]), rating) for i, rating in shown],
        [
            ListedStudy(i, study_titles[i], year, design, risk)
            for i, year, design, risk in shown_studies
        ],
        len(rated),
        len(studies),
    )


def by_domain(viewer) -> dict:
    """Domains x study designs of published research ``viewer`` may see, and per domain the
    practices with and without visible research that evaluates or supports them."""
    domains, designs = list(taxonomy.DOMAINS), list(taxonomy.STUDY_DESIGNS)
    cells = {domain: dict.fromkeys(designs, 0) for domain in domains}
    evidence = snapshots.evidence(viewer)
    for summary in evidence.research.values():
        for domain in summary.domains:
            if domain in cells and summary.design in cells[domain]:
                cells[domain][summary.design] += 1
    # "with evidence" means what the evidence level means: research that evaluates or
    # supports the practice (a practice only "informed" shows "No linked evidence").
    practices_by_domain = {d: {"with_evidence": 0, "without_evidence": 0} for d in domains}
    for practice_id, tags in evidence.tags.items():
        studies = evidence.studies.get(practice_id, ())
        supported = any(study.relation in SUPPORTING for study in studies)
        key = "with_evidence" if supported else "without_evidence"
        for domain in tags.domains:
            if domain in practices_by_domain:
                practices_by_domain[domain][key] += 1
    return {"rows": domains, "columns": designs, "cells": cells, "practices": practices_by_domain}
