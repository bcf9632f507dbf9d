"""CSV exports of the practice and research lists, search results and the gap map: one
streamed writer, and the columns of each table.

An export holds every matching row the viewer may see, not one page, up to
``MAX_EXPORT_ROWS``: past that it simply stops, and the ``X-Total-Count`` header says how
many rows matched, so a client can tell a cut export (fewer rows than the count) from a
whole one. Rows are read ``CHUNK_ROWS`` at a time (the ids of the whole export first, then
each chunk's items, terms and ratings in a handful of queries), so memory stays bounded
whatever the size of the export.

Only ``kx.extensions`` and ``kx.taxonomy`` are imported: the practice and research pages
export their own lists with it, and they may not import the record kinds, search or the
other kind. What knows a kind passes it in: the page's absolute URL of an item (``url``)
and, for practice examples, ``kx.evidence.services.ratings_for`` (``rate``), the only
source of a rating.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, stream_with_context
from sqlalchemy import func, select

from kx import taxonomy
from kx.extensions import db

MAX_EXPORT_ROWS = 10_000
CHUNK_ROWS = 500
# What a spreadsheet would read as the start of a formula (OWASP's list): such a cell is
# written with a leading apostrophe, so an item titled "=HYPERLINK(...)" stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float:
    """``value`` as one CSV cell: lists ``;``-separated, timestamps RFC 3339 in UTC, None
    empty, text that could start a formula neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, list | tuple):
        value = ";".join(str(part) for part in value)
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def filename(name: str) -> str:
    return f"kx-{name}-{datetime.now(UTC).date().isoformat()}.csv"


def csv_response(name: str, header: Iterable[str], rows: Iterable[list], total: int) -> Response:
    """A streamed ``text/csv`` download ``kx-<name>-<date>.csv``: ``header``, then ``rows``
    (each cell through ``cell``) as they come; ``total`` is how many rows matched."""

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for count, row in enumerate(rows, start=1):
            writer.writerow([cell(value) for value in row])
            if count % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(lines()), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(name)}"'
    # What members may see must not stay in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Total-Count"] = str(total)
    return response


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Table:
    """The columns of one kind's export and how an item fills them."""

    name: str
    header: tuple[str, ...]
    #: ``row(item, url, rating)``: the item's cells (``rating`` is None unless rated)
    row: Callable[..., list]


def _practice_row(practice, url: str, rating) -> list:
    return [
        "practice",
        practice.id,
        practice.title,
        url,
        practice.domains,
        practice.countries,
        rating.overall,
        rating.strongest_design,
        rating.studies,
        practice.prevention_level,
        practice.slugs("stages"),
        practice.organisation,
        practice.start_year,
        practice.end_year,
        practice.published_at,
    ]


def _research_row(research, url: str, _rating=None) -> list:
    return [
        "research",
        research.id,
        research.title,
        url,
        research.domains,
        research.countries,
        research.year,
        research.doi,
        research.study_design,
        research.risk_of_bias,
        research.authors or [],
        research.venue,
        research.published_at,
    ]


COMMON = ("type", "id", "title", "url", "domains", "countries")
TABLES = {
    "practice": Table(
        "practices",
        (
            *COMMON,
            "rating",
            "strongest_design",
            "studies",
            "prevention_level",
            "stages",
            "organisation",
            "start_year",
            "end_year",
            "published_at",
        ),
        _practice_row,
    ),
    "research": Table(
        "research",
        (
            *COMMON,
            "year",
            "doi",
            "study_design",
            "risk_of_bias",
            "authors",
            "venue",
            "published_at",
        ),
        _research_row,
    ),
}


def _chunks(statement, model, ids: list[int]) -> Iterator[list]:
    """The items of ``ids`` in that order, ``CHUNK_ROWS`` at a time, each chunk read through
    ``statement`` again (its visibility and filters hold for every row written)."""
    for start in range(0, len(ids), CHUNK_ROWS):
        chunk = ids[start : start + CHUNK_ROWS]
        found = db.session.scalars(statement.where(model.id.in_(chunk)).order_by(None))
        by_id = {item.id: item for item in found}
        yield [by_id[item_id] for item_id in chunk if item_id in by_id]


def records_csv(statement, viewer, url: Callable[[int], str], rate: Callable | None = None):
    """Every item of ``statement`` (a ``select`` of practice examples or research
    summaries, already limited to what ``viewer`` may see) as a CSV download, in its order.

    ``url(id)``: the item's page, absolute; ``rate(items, viewer)``: the ratings of a chunk
    of practice examples (``kx.evidence.services.ratings_for``), required for them.
    """
    model = statement.column_descriptions[0]["entity"]
    table = TABLES[model.item_type]
    if model.item_type == "practice" and rate is None:
        raise TypeError("Practice examples are exported with their ratings: pass rate.")
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    ids = list(db.session.scalars(statement.with_only_columns(model.id).limit(MAX_EXPORT_ROWS)))

    def rows() -> Iterator[list]:
        for items in _chunks(statement, model, ids):
            ratings = rate(items, viewer) if rate else {}
            for item in items:
                yield table.row(item, url(item.id), ratings.get(item.id))

    return csv_response(table.name, table.header, rows(), total or 0)


# --------------------------------------------------------------------------- search, map

SEARCH_HEADER = (*COMMON, "year", "rating", "doi", "study_design")


def search_row(hit, url: str, rating=None, research=None) -> list:
    """One search hit: what the index holds of it, its rating (practice examples) and its
    DOI and design (research summaries, ``research`` a row with ``doi``, ``study_design``)."""
    return [
        hit.type,
        hit.id,
        hit.title,
        url,
        hit.domains,
        hit.countries,
        hit.year,
        rating.overall if rating is not None else None,
        research.doi if research is not None else None,
        research.study_design if research is not None else None,
    ]


GAP_MAP_HEADER = ("row", "column", "studies", "practices", *taxonomy.RATINGS)


def gap_map_csv(cells: list[dict]) -> Response:
    """The gap map's ``cells`` as flat rows (``kx.evidence.gap_map.flat_rows``): row,
    column, studies, practices and the practices per rating."""
    rows = ([cell[name] for name in GAP_MAP_HEADER] for cell in cells)
    return csv_response("gap-map", GAP_MAP_HEADER, rows, len(cells))
