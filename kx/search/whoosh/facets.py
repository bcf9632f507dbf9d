"""Filters as set operations on each value's documents (read per segment and kept from one
generation of the index to the next, ``generations``): the viewer's visibility and the
query's filters narrow the documents Whoosh may return. The matches are counted per facet
value from columns of the same postings (``Generation.counts``).

Whoosh's own query filters cost 10-60 ms a search (and nearly every combination of filters
is new); its grouping reads every matching document's stored vector (0.7 s for 11,000
matches).
"""

from whoosh.query import And, NumericRange, Or, Term

from kx.search.backend import Audience, Query

FILTERS = {
    "types": "type",
    "domains": "domains",
    "countries": "countries",
    "prevention_levels": "prevention_level",
    "study_designs": "study_design",
}


def allowed(query: Query, audience: Audience, postings, years=None) -> set | None:
    """The documents ``audience`` may see that pass ``query``'s filters (None: all), from
    ``postings``; ``years(low, high)`` gives the documents of a year range (either end
    None: open), needed only when ``query`` has one.

    Always handed to Whoosh as a set and never when empty: Whoosh takes an empty (falsy)
    filter for no filter at all, which would show everything to a viewer with nothing to
    see."""
    nothing: frozenset = frozenset()

    def having(field: str, values) -> set:
        docs: set[int] = set()
        for value in values:
            docs |= postings[field].get(value, nothing)
        return docs

    result = None
    if not audience.everything:
        visibility = postings["visibility"]
        result = set(visibility.get("public", nothing))
        if audience.members:
            result |= visibility.get("members", nothing)
            if audience.sector:
                restricted = visibility.get("restricted", nothing)
                result |= restricted & postings["sectors"].get(audience.sector, nothing)
    for attribute, field in FILTERS.items():
        values = getattr(query, attribute)
        if values:
            docs = having(field, values)
            result = docs if result is None else result & docs
    if _in_years(query):
        docs = years(query.year_from, query.year_to)
        result = set(docs) if result is None else result & docs
    return result


def filtered(query: Query) -> bool:
    """Whether ``query`` narrows what its viewer may see by a filter."""
    return _in_years(query) or any(getattr(query, attribute) for attribute in FILTERS)


def _in_years(query: Query) -> bool:
    return query.year_from is not None or query.year_to is not None


def in_years(searcher, low: int | None, high: int | None) -> frozenset:
    """The live documents of ``searcher`` whose year is from ``low`` to ``high``."""
    return frozenset(NumericRange("year", low, high).docs(searcher))


def as_whoosh_query(query: Query, audience: Audience):
    """``allowed``'s restriction written as one Whoosh query (None: none): slower, kept as
    the reference that the search tests and the benchmark hold ``allowed`` to."""
    parts = []
    if not audience.everything:
        visible = [Term("visibility", "public")]
        if audience.members:
            visible.append(Term("visibility", "members"))
            if audience.sector:
                visible.append(
                    And([Term("visibility", "restricted"), Term("sectors", audience.sector)])
                )
        parts.append(Or(visible))
    for attribute, field in FILTERS.items():
        values = getattr(query, attribute)
        if values:
            parts.append(Or([Term(field, value) for value in values]))
    if _in_years(query):
        parts.append(NumericRange("year", query.year_from, query.year_to))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
