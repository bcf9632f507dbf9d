"""What a theme page shows, read for one viewer: the theme's practice examples by rating,
the newest practice examples and research, open research needs, active threads and the
gap map narrowed to the theme. Reads only; every figure uses what the viewer may see.

A handful of queries per page whatever the number of items: the theme's practices are a
select of ids, and what works among them is ``kx.evidence.what_works``' tally of the
reader's evidence as ``kx.evidence.snapshots`` keeps it.
"""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from kx import taxonomy
from kx.errors import NotFound
from kx.evidence import gap_map as maps
from kx.evidence import snapshots, versions, what_works
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.forum.models import Thread, ThreadLink
from kx.forum.services import thread_query
from kx.practice.models import Practice
from kx.practice.services import practice_query
from kx.records.models import PUBLISHED
from kx.research.models import Research
from kx.research.services import research_query

NEWEST = 5


@dataclass(frozen=True)
class Kind:
    """One kind of theme: its vocabulary, the practice filter it sets, the list pages'
    query parameter, and the gap map it shows (rows, and the filter it narrows)."""

    vocabulary: str
    name: str
    practice_filter: str
    parameter: str
    research_filter: str | None
    map_rows: str


KINDS = {
    "domain": Kind("domains", "Domain", "domains", "domain", "domains", "stage"),
    "prevention-level": Kind(
        "prevention_levels",
        "Prevention level",
        "prevention_level",
        "prevention_level",
        None,
        "domain",
    ),
    "stage": Kind("stages", "Stage", "stages", "stage", None, "domain"),
    "country": Kind("countries", "Country", "countries", "country", "countries", "domain"),
}


@dataclass(frozen=True)
class Theme:
    kind: str
    slug: str

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def label(self) -> str:
        return taxonomy.label(self.spec.vocabulary, self.slug)

    @property
    def args(self) -> dict[str, str]:
        """The query arguments that narrow a list page (or the map) to the theme."""
        return {self.spec.parameter: self.slug}


def theme(kind: str, slug: str) -> Theme:
    """The theme ``kind``/``slug``; ``NotFound`` for an unknown kind or slug."""
    if kind not in KINDS or slug not in taxonomy.vocabulary(KINDS[kind].vocabulary):
        raise NotFound("No such theme.")
    return Theme(kind, slug)


def _practices(found: Theme, viewer):
    return practice_query(viewer, {"status": PUBLISHED, found.spec.practice_filter: found.slug})


def _research(found: Theme, viewer, practice_ids):
    """Research of the theme: tagged with it where research carries the vocabulary, else
    linked to the theme's practices."""
    if found.spec.research_filter:
        return research_query(viewer, {"status": PUBLISHED, found.spec.research_filter: found.slug})
    linked = select(EvidenceLink.research_id).where(EvidenceLink.practice_id.in_(practice_ids))
    return research_query(viewer, {"status": PUBLISHED}).where(Research.id.in_(linked))


def _threads(found: Theme, viewer, practice_ids, research_ids, **kwargs):
    # Asked per thread link (a few per thread) rather than matching every link against
    # the theme's thousands of items: 40 ms a query at 20,000 items, now under one.
    about = select(ThreadLink.thread_id).where(
        or_(
            and_(
                ThreadLink.item_type == "practice",
                practice_ids.where(Practice.id == ThreadLink.item_id).exists(),
            ),
            and_(
                ThreadLink.item_type == "research",
                research_ids.where(Research.id == ThreadLink.item_id).exists(),
            ),
        )
    )
    in_theme = Thread.id.in_(about)
    if found.kind == "domain":
        in_theme = or_(Thread.category == found.slug, in_theme)
    return list(db.session.scalars(thread_query(viewer, **kwargs).where(in_theme).limit(NEWEST)))


@dataclass(frozen=True)
class WhatWorks:
    """The theme's practices by overall rating, and the best rated of them."""

    total: int
    counts: dict[str, int]
    best: list[tuple[Practice, object]]  # (practice, its Rating)


def theme_page(found: Theme, viewer) -> dict:
    """Everything the theme page shows, for ``viewer``; the figures over all the theme's
    practices (ratings, the map) are cached by the evidence version."""
    practices = _practices(found, viewer)
    practice_ids = practices.with_only_columns(Practice.id).order_by(None)
    research = _research(found, viewer, practice_ids)
    research_ids = research.with_only_columns(Research.id).order_by(None)
    map_filters = {found.spec.parameter: found.slug}

    total, counts, best = what_works.tally(viewer, map_filters, NEWEST)
    return {
        "what_works": WhatWorks(total, counts, what_works.with_practices(best)),
        "practices": list(db.session.scalars(practices.limit(NEWEST))),
        "research": list(db.session.scalars(research.limit(NEWEST))),
        "needs": _threads(
            found, viewer, practice_ids, research_ids, kind="research-need", status="open"
        ),
        "threads": _threads(found, viewer, practice_ids, research_ids),
        "map": maps.gap_map(viewer, found.spec.map_rows, "outcome", map_filters),
        "map_filters": map_filters,
    }


def theme_counts(viewer) -> dict[str, dict[str, int]]:
    """Per kind of theme, published practices ``viewer`` may see per slug (themes without
    any are left out for countries, whose list is long); cached by the evidence version."""
    return versions.cached(viewer, ("theme_counts",), lambda: _theme_counts(viewer))


def _theme_counts(viewer) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    for (parameter, slug), practices in snapshots.evidence(viewer).carrying.items():
        if practices:
            counts[parameter.replace("_", "-")][slug] = len(practices)
    return counts
