"""The evidence-and-gap map pages: the map (a GET form and a table of bubbles), the page
behind each cell, and all research by domain and design. Registered on the ``evidence``
blueprint.

Unknown parameter values are ignored, as on the list pages: the map falls back to its
default for them.
"""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from kx import exports, taxonomy
from kx.evidence import gap_map as maps
from kx.evidence.views import evidence

DEFAULT_ROWS, DEFAULT_COLUMNS, DEFAULT_COLOUR = "domain", "outcome", "rating"
COLOURS = {"rating": "Rating of the practices", "risk": "Risk of bias of the studies"}
ROW_LABELS = {"domain": "Domain", "prevention_level": "Prevention level", "stage": "Stage"}
COLUMN_LABELS = {"outcome": "Outcome", "study_design": "Study design"}
FILTER_LABELS = {
    "domain": "Domain",
    "country": "Country",
    "stage": "Stage",
    "prevention_level": "Prevention level",
    "study_design": "Study design",
}


def _viewer():
    return current_user._get_current_object()


def map_arguments(args) -> dict:
    """The map's valid parameters from a query string: rows, columns, colour and filters."""
    rows = args.get("rows") if args.get("rows") in maps.ROWS else DEFAULT_ROWS
    columns = args.get("columns") if args.get("columns") in maps.COLUMNS else DEFAULT_COLUMNS
    colour = args.get("colour") if args.get("colour") in COLOURS else DEFAULT_COLOUR
    filters = {}
    for name, vocabulary in maps.FILTERS.items():
        value = args.get(name, "").strip()
        value = value.upper() if name == "country" else value
        if value and value in taxonomy.vocabulary(vocabulary):
            filters[name] = value
    return {"rows": rows, "columns": columns, "colour": colour, "filters": filters}


def size_class(studies: int, peak: int) -> str:
    """A bubble's size class by its number of studies against the map's largest cell (the
    number is always written out too)."""
    if not studies:
        return "bubble--gap"
    if studies == 1 or peak <= 1:
        return "bubble--size-1"
    return f"bubble--size-{min(4, 1 + int(4 * studies / (peak + 1)))}"


def grid_context(data: dict, params: dict) -> dict:
    """What the grid partial needs beside the map itself."""
    peak = max((c["studies"] for row in data["cells"].values() for c in row.values()), default=0)
    args = {"rows": params["rows"], "columns": params["columns"], **params["filters"]}
    if params["colour"] != DEFAULT_COLOUR:
        args["colour"] = params["colour"]
    return {
        "data": data,
        "params": params,
        "peak": peak,
        "size_class": size_class,
        "dominant_rating": maps.dominant_rating,
        "dominant_risk": maps.dominant_risk,
        "row_vocabulary": maps.ROWS[params["rows"]],
        "column_vocabulary": maps.COLUMNS[params["columns"]],
        "row_label": ROW_LABELS[params["rows"]],
        "column_label": COLUMN_LABELS[params["columns"]],
        "map_args": args,
        "risks": maps.RISKS,
    }


@evidence.route("/gap-map")
def gap_map():
    params = map_arguments(request.args)
    data = maps.gap_map(_viewer(), params["rows"], params["columns"], params["filters"])
    if request.args.get("format") == "csv":
        return exports.gap_map_csv(list(maps.flat_rows(data)))
    return render_template(
        "evidence/gap_map.html",
        colours=COLOURS,
        row_labels=ROW_LABELS,
        column_labels=COLUMN_LABELS,
        filter_labels=FILTER_LABELS,
        filter_vocabularies=maps.FILTERS,
        **grid_context(data, params),
    )


@evidence.route("/gap-map/research")
def research_by_domain():
    overview = maps.gap_map(_viewer())
    cells = overview["cells"]
    return render_template(
        "evidence/gap_map_research.html",
        overview=overview,
        totals={d: sum(cells[d].values()) for d in overview["rows"]},
        column_totals={s: sum(cells[d][s] for d in overview["rows"]) for s in overview["columns"]},
        shade=_shade,
        peak=max((n for row in cells.values() for n in row.values()), default=0),
    )


@evidence.route("/gap-map/cell")
def gap_map_cell():
    params = map_arguments(request.args)
    row, column = request.args.get("row", ""), request.args.get("column", "")
    if row not in taxonomy.vocabulary(maps.ROWS[params["rows"]]) or column not in (
        taxonomy.vocabulary(maps.COLUMNS[params["columns"]])
    ):
        abort(404)
    contents = maps.cell_contents(
        _viewer(), params["rows"], row, params["columns"], column, params["filters"]
    )
    context = grid_context({"cells": {}}, params)
    return render_template(
        "evidence/gap_map_cell.html",
        row=row,
        column=column,
        contents=contents,
        back=url_for("evidence.gap_map", **context["map_args"]),
        filter_labels=FILTER_LABELS,
        filter_vocabularies=maps.FILTERS,
        **context,
    )


def _shade(count: int, peak: int) -> str:
    """A CSS class by magnitude (the number is always shown as text too)."""
    if count == 0:
        return "gap-0"
    if peak <= 1:
        return "gap-3"
    share = count / peak
    return "gap-1" if share <= 1 / 3 else "gap-2" if share <= 2 / 3 else "gap-3"
