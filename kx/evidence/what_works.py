"""What works among the practices a reader may see: how many rate each way, and the best
rated. Theme pages ask it of a theme's practices, the home page of all of them.

It reads the reader's evidence (``kx.evidence.snapshots``) and rates through the gap
map's ``Ratings``, so a practice's rating here is the one its page and the map show, and
its cost does not depend on how many practices there are once that evidence is up to
date: the answer is cached by the evidence version.
"""

import heapq
from collections import Counter
from typing import NamedTuple

from sqlalchemy import select

from kx import taxonomy
from kx.evidence import gap_map as maps
from kx.evidence import snapshots, versions
from kx.evidence.ratings import Rating
from kx.extensions import db
from kx.practice.models import Practice

_ORDER = {rating: rank for rank, rating in enumerate(taxonomy.RATINGS)}


class Tally(NamedTuple):
    """The practices' count, their count per overall rating, the best ``(id, Rating)``."""

    total: int
    counts: dict[str, int]
    best: list[tuple[int, Rating]]


def tally(viewer, filters: dict, limit: int) -> Tally:
    """Over the practices ``viewer`` may see that carry ``filters``' slugs (practices
    without visible studies count as "insufficient"): the counts by overall rating and the
    ``limit`` best rated, best rating first, then newest; cached by the evidence version."""
    key = ("what-works", tuple(sorted(filters.items())), limit)
    return versions.cached(viewer, key, lambda: _tally(viewer, filters, limit))


def _tally(viewer, filters: dict, limit: int) -> Tally:
    evidence = snapshots.evidence(viewer)
    studies = {i: evidence.studies[i] for i, _tags in evidence.practices(filters)}
    ratings = maps.Ratings(studies, evidence.derived)
    rated = {practice_id: ratings.of(practice_id) for practice_id in studies}
    counts = Counter(rating.overall for rating in rated.values())
    counts["insufficient"] += evidence.count(filters) - len(rated)

    def rank(practice_id: int) -> tuple:
        published = evidence.tags[practice_id].published
        newest = -published.timestamp() if published else 0.0
        return _ORDER[rated[practice_id].overall], newest, -practice_id

    shown = [i for i, r in rated.items() if r.overall != "insufficient"]
    return Tally(
        evidence.count(filters),
        {rating: counts.get(rating, 0) for rating in taxonomy.RATINGS},
        [(i, rated[i]) for i in heapq.nsmallest(limit, shown, key=rank)],
    )


def with_practices(best: list[tuple[int, Rating]]) -> list[tuple[Practice, Rating]]:
    """``best`` (a tally's) with its practices read in one statement, in its order; one
    erased since the tally is left out."""
    ids = [practice_id for practice_id, _rating in best]
    found = {p.id: p for p in db.session.scalars(select(Practice).where(Practice.id.in_(ids)))}
    return [(found[i], rating) for i, rating in best if i in found]
