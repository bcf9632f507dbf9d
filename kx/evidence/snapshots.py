"""The evidence a reader may see, held in memory and kept up to date change by change: for
every published practice they may see that has visible published studies, those studies
(as the rating rule reads them) and the practice's tags.

The gap map and theme pages aggregate over thousands of practices. Reading their evidence
from the database takes a few hundred milliseconds at 20,000 items, and every change to
any practice or study would make the next reader wait that long again. So each process
keeps one ``Evidence`` per reader (``versions.reader_key``: the audience of a kind and
sector, or one author) and, when the evidence version has moved, reads the change log
(``versions.changes_since``) and reloads only the practices the changes touched: those
changed, and those linked to a changed study. A reader too far behind, or a log with a gap,
rebuilds the snapshot. What a snapshot holds is exactly what ``studies_for`` answers for
the same reader, so the map and a practice's page never disagree.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from kx.evidence import versions
from kx.evidence.models import EvidenceLink
from kx.evidence.ratings import Study
from kx.evidence.services import studies_for
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import MULTI_VALUED, PUBLISHED, ItemTerm, visible_to
from kx.research.models import Research

#: Readers held per process (the audiences of kind and sector, and a few authors).
MAX_SNAPSHOTS = 16
#: More changed practices than this and a rebuild is as quick as the reloads.
MAX_RELOADED = 2000
_TAGGED = {MULTI_VALUED[name]: name for name in ("domains", "countries", "stages")}
_FIELDS = {"domain": "domains", "country": "countries", "stage": "stages"}
#: The map parameters a practice filter may name (``study_design`` filters studies).
PARAMETERS = ("domain", "country", "stage", "prevention_level")


class Tags(NamedTuple):
    """A practice's tags as the map's rows and filters read them."""

    domains: frozenset[str]
    countries: frozenset[str]
    stages: frozenset[str]
    prevention_level: str | None
    #: when it was published: lists of a map's cell show the newest first
    published: datetime | None = None

    def slugs(self, name: str) -> frozenset[str]:
        """The practice's slugs for a map parameter (``domain``, ``stage``...)."""
        if name == "prevention_level":
            return frozenset({self.prevention_level} - {None})
        return getattr(self, _FIELDS[name])

    def carried(self) -> Iterator[tuple[str, str]]:
        """``(parameter, slug)`` of every tag the practice carries."""
        for name in PARAMETERS:
            for slug in self.slugs(name):
                yield name, slug


class Summary(NamedTuple):
    """A visible published research summary as the research map counts it."""

    domains: frozenset[str]
    design: str | None
    year: int | None = None


@dataclass(frozen=True)
class Evidence:
    """What one reader may see at one evidence version (never changed once made: a newer
    version is a new object, so a request may read it while another brings it forward)."""

    version: int
    #: practice id -> its visible published studies (only practices that have any)
    studies: dict[int, tuple[Study, ...]]
    #: practice id -> its tags, for every published practice the reader may see
    tags: dict[int, Tags]
    #: research id -> its domains and design, for every published summary they may see
    research: dict[int, Summary]
    #: practice id -> what maps derived from its studies alone (its rating, its columns),
    #: filled as they ask and kept for the practices a change leaves alone
    derived: dict[int, dict] = field(default_factory=dict)
    #: ``(parameter, slug)`` -> the practices of ``tags`` carrying it (a filter is then a
    #: few set intersections, not a look at every practice)
    carrying: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)

    def practices(self, filters: dict | None = None) -> Iterable[tuple[int, Tags]]:
        """The practices with visible studies, narrowed by the map's practice filters."""
        chosen = self.tagged(filters or {})
        if chosen is None:
            return ((i, self.tags[i]) for i in self.studies)
        return ((i, self.tags[i]) for i in self.studies if i in chosen)

    def tagged(self, filters: dict) -> frozenset[int] | None:
        """Every visible practice that carries the filters' slugs, studied or not (None:
        no filter, every practice of ``tags``)."""
        wanted = [(n, v) for n, v in filters.items() if v and n != "study_design"]
        if not wanted:
            return None
        found = [self.carrying.get(key, frozenset()) for key in wanted]
        return frozenset.intersection(*sorted(found, key=len))

    def count(self, filters: dict) -> int:
        """How many visible practices carry the filters' slugs."""
        chosen = self.tagged(filters)
        return len(self.tags) if chosen is None else len(chosen)


@dataclass
class _Slot:
    evidence: Evidence = field(default_factory=lambda: Evidence(-1, {}, {}, {}))
    lock: threading.Lock = field(default_factory=threading.Lock)


_slots: OrderedDict = OrderedDict()
_lock = threading.Lock()


def evidence(viewer) -> Evidence:
    """The evidence ``viewer`` may see, up to date with the current evidence version."""
    current = versions.current()
    key = (db.engine.url, versions.reader_key(viewer, current))
    with _lock:
        slot = _slots.get(key)
        if slot is None:
            slot = _slots[key] = _Slot()
        _slots.move_to_end(key)
        while len(_slots) > MAX_SNAPSHOTS:
            _slots.popitem(last=False)
    with slot.lock:
        if slot.evidence.version != current:
            slot.evidence = _brought_up_to_date(slot.evidence, viewer, current)
        return slot.evidence


def _brought_up_to_date(held: Evidence, viewer, current: int) -> Evidence:
    changed = versions.changes_since(held.version, current) if held.version >= 0 else None
    if changed is not None:
        practices, research = changed
        if research:
            practices |= set(
                db.session.scalars(
                    select(EvidenceLink.practice_id).where(EvidenceLink.research_id.in_(research))
                )
            )
        if len(practices) + len(research) > MAX_RELOADED:
            changed = None
    if changed is None:
        studies, tags = _practices(viewer)
        return Evidence(current, studies, tags, _research(viewer), {}, _carrying(tags))
    studies, tags, derived = dict(held.studies), dict(held.tags), dict(held.derived)
    summaries = dict(held.research)
    # copied on write: the held snapshot's sets stay as they were for its readers
    rewritten: dict[tuple[str, str], set[int]] = {}

    def rewrite(key):
        if key not in rewritten:
            rewritten[key] = set(held.carrying.get(key, ()))
        return rewritten[key]

    for practice_id in practices:
        studies.pop(practice_id, None)
        derived.pop(practice_id, None)
        for key in tags.pop(
            practice_id, Tags(frozenset(), frozenset(), frozenset(), None)
        ).carried():
            rewrite(key).discard(practice_id)
    for research_id in research:
        summaries.pop(research_id, None)
    if practices:
        reloaded_studies, reloaded_tags = _practices(viewer, sorted(practices))
        studies.update(reloaded_studies)
        tags.update(reloaded_tags)
        for practice_id, reloaded in reloaded_tags.items():
            for key in reloaded.carried():
                rewrite(key).add(practice_id)
    if research:
        summaries.update(_research(viewer, sorted(research)))
    carrying = {**held.carrying, **{key: frozenset(ids) for key, ids in rewritten.items()}}
    return Evidence(current, studies, tags, summaries, derived, carrying)


def _carrying(tags: dict[int, Tags]) -> dict[tuple[str, str], frozenset[int]]:
    """``(parameter, slug)`` -> the practices among ``tags`` carrying it."""
    found: dict[tuple[str, str], set[int]] = {}
    for practice_id, tagged in tags.items():
        for key in tagged.carried():
            found.setdefault(key, set()).add(practice_id)
    return {key: frozenset(ids) for key, ids in found.items()}


def _terms(item_type: str, ids, vocabularies) -> dict[int, dict[str, set[str]]]:
    """``{id: {field: slugs}}`` of the items ``ids`` (a list or a select)."""
    found: dict[int, dict[str, set[str]]] = {}
    rows = db.session.execute(
        select(ItemTerm.item_id, ItemTerm.vocabulary, ItemTerm.slug).where(
            ItemTerm.item_type == item_type,
            ItemTerm.vocabulary.in_(vocabularies),
            ItemTerm.item_id.in_(ids),
        )
    )
    for item_id, vocabulary, slug in rows:
        found.setdefault(item_id, {}).setdefault(vocabulary, set()).add(slug)
    return found


def _practices(viewer, ids: list[int] | None = None) -> tuple[dict, dict]:
    """Studies and tags of the published practices ``viewer`` may see (of those among
    ``ids``, when given)."""
    visible = select(Practice.id).where(Practice.status == PUBLISHED, visible_to(Practice, viewer))
    if ids is not None:
        # a list, not a sub-select: a handful of primary-key lookups
        visible = list(db.session.scalars(visible.where(Practice.id.in_(ids))))
    levels = db.session.execute(
        select(Practice.id, Practice.prevention_level, Practice.published_at).where(
            Practice.id.in_(visible)
        )
    ).all()
    terms = _terms("practice", visible, _TAGGED)
    tags = {}
    shared: dict = {}  # one object per distinct set of slugs: most practices share them
    for practice_id, level, published in levels:
        found = terms.get(practice_id, {})
        slugs = (frozenset(found.get(MULTI_VALUED[name], ())) for name in _TAGGED.values())
        tags[practice_id] = Tags(
            *(shared.setdefault(each, each) for each in slugs), level, published
        )
    linked = (
        visible
        if ids is not None
        else visible.where(Practice.id.in_(select(EvidenceLink.practice_id)))
    )
    studies = {i: tuple(found) for i, found in studies_for(linked, viewer).items()}
    return studies, tags


def _research(viewer, ids: list[int] | None = None) -> dict[int, Summary]:
    """Domains and design of the published research ``viewer`` may see (of ``ids``)."""
    visible = select(Research.id, Research.study_design, Research.year).where(
        Research.status == PUBLISHED, visible_to(Research, viewer)
    )
    if ids is not None:
        visible = visible.where(Research.id.in_(ids))
    designs = db.session.execute(visible).all()
    if ids is None:
        domains = _terms("research", visible.with_only_columns(Research.id), ["domain"])
    else:
        domains = _terms("research", [research_id for research_id, *_ in designs], ["domain"])
    shared: dict = {}  # one object per distinct summary: many of them share theirs
    found = {}
    for research_id, design, year in designs:
        made = Summary(frozenset(domains.get(research_id, {}).get("domain", ())), design, year)
        found[research_id] = shared.setdefault(made, made)
    return found
