"""Aggregates of evidence (the gap map, a theme's ratings) cached by an evidence version.

The version is one row (``evidence_version``) that every flush changing a practice, a
research summary, an evidence link, a finding or a tag bumps, in the same transaction as
the change. An answer is cached under (version, who is asking, what was asked): a change
that commits makes every earlier answer unreachable at once, in every process, so a cached
figure can never count something its reader may no longer see. Reading the version is one
primary-key lookup; a cache miss costs what the aggregate costs. The same flush logs which
practices and studies it touched (``evidence_changes``, the last ``KEPT_VERSIONS``
versions), so that ``kx.evidence.snapshots`` can bring what it holds forward instead of
reading everything again.

Writes never go around the ORM for these tables (no bulk UPDATE or DELETE), so the flush
sees every change; a new one that did would have to bump the version itself.
"""

import pickle
import threading
import time
from collections import OrderedDict
from itertools import chain

from sqlalchemy import event, not_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kx.evidence.models import EvidenceChange, EvidenceLink, EvidenceVersion, Finding
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import PUBLISHED, ItemTerm, audience_sees, viewer_kind
from kx.research.models import Research

WATCHED = (Practice, Research, EvidenceLink, Finding, ItemTerm)
ROW = 1
UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
MAX_ENTRIES = 256
#: Versions the change log keeps: a reader further behind rebuilds what it holds.
KEPT_VERSIONS = 1000

_answers: OrderedDict = OrderedDict()
_authors: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _bump(session: Session, _context) -> None:
    changed = [
        obj
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, WATCHED)
    ]
    if not changed:
        return
    connection = session.connection()
    upsert = UPSERTS[connection.dialect.name]
    table = EvidenceVersion.__table__
    # The first change makes the row (also after the tests empty the tables). It starts
    # from the clock, so that no version an earlier answer was cached under comes back.
    version = connection.scalar(
        upsert(table)
        .values(id=ROW, value=time.time_ns())
        .on_conflict_do_update(index_elements=[table.c.id], set_={"value": table.c.value + 1})
        .returning(table.c.value)
    )
    practices, research = _changed_items(connection, changed)
    rows = [{"practice_id": i, "research_id": None} for i in sorted(practices)]
    rows += [{"practice_id": None, "research_id": i} for i in sorted(research)]
    # a row even for a version that changed no item, so that the versions in the log
    # have no gaps: a gap tells a reader that it missed changes (see ``changes_since``)
    changes = EvidenceChange.__table__
    connection.execute(
        changes.insert(),
        [
            {"version": version, **row}
            for row in rows or [{"practice_id": None, "research_id": None}]
        ],
    )
    connection.execute(changes.delete().where(changes.c.version <= version - KEPT_VERSIONS))


def _changed_items(connection, changed) -> tuple[set[int], set[int]]:
    """The ids of the practices and studies whose evidence ``changed`` objects touch."""
    practices: set[int] = set()
    research: set[int] = set()
    link_ids: set[int] = set()
    for obj in changed:
        if isinstance(obj, Practice):
            practices.add(obj.id)
        elif isinstance(obj, Research):
            research.add(obj.id)
        elif isinstance(obj, EvidenceLink):
            practices.add(obj.practice_id)
        elif isinstance(obj, Finding):
            link_ids.add(obj.link_id)
        elif obj.item_type == "practice":
            practices.add(obj.item_id)
        else:
            research.add(obj.item_id)
    if link_ids - {None}:
        practices.update(
            connection.scalars(
                select(EvidenceLink.practice_id).where(EvidenceLink.id.in_(link_ids - {None}))
            )
        )
    return practices - {None}, research - {None}


def changes_since(version: int, current_version: int) -> tuple[set[int], set[int]] | None:
    """The practices and studies changed after ``version`` up to ``current_version``; None
    when the log no longer holds every version in between (pruned, or the database was
    emptied or replaced), so that the reader must start again."""
    if not 0 < current_version - version <= KEPT_VERSIONS:
        return None
    rows = db.session.execute(
        select(
            EvidenceChange.version, EvidenceChange.practice_id, EvidenceChange.research_id
        ).where(EvidenceChange.version > version, EvidenceChange.version <= current_version)
    ).all()
    if len({row.version for row in rows}) != current_version - version:
        return None
    return (
        {row.practice_id for row in rows if row.practice_id is not None},
        {row.research_id for row in rows if row.research_id is not None},
    )


def current() -> int:
    """The evidence version: 0 until the first change makes its row (no practice, study,
    link, finding or tag has changed since the row was made or the tables emptied)."""
    value = db.session.scalar(select(EvidenceVersion.value).where(EvidenceVersion.id == ROW))
    return value or 0


def reader_key(viewer, version: int) -> tuple:
    """What the visibility rule reads of ``viewer`` for published items: its kind and
    sector, so that every member of a sector shares one answer; and who it is only when it
    wrote a published item the others of its kind and sector may not see."""
    kind = viewer_kind(viewer)
    if kind in ("anonymous", "moderator"):
        return (kind,)
    if _wrote_beyond_audience(viewer, version):
        return (kind, viewer.sector, viewer.id)
    return (kind, viewer.sector)


def _wrote_beyond_audience(viewer, version: int) -> bool:
    # Kept with the version it was read at, and carried to later versions while the change
    # log shows none of the viewer's own items changed: nothing else can change the answer,
    # and the query cannot always use the author index (an author of thousands of items
    # paid for it after every change anyone made).
    key = (db.engine.url, viewer.id, viewer_kind(viewer), viewer.sector)
    with _lock:
        known = _authors.get(key)
    if known is not None and known[0] == version:
        return known[1]
    if (
        known is not None
        and known[0] < version
        and not _own_items_changed(viewer, known[0], version)
    ):
        answer = known[1]
    else:
        hidden = [
            select(model.id)
            .where(
                model.author_id == viewer.id,
                model.status == PUBLISHED,
                not_(audience_sees(model, viewer)),
            )
            .exists()
            for model in (Practice, Research)
        ]
        answer = bool(db.session.scalar(select(or_(*hidden))))
    with _lock:
        if key not in _authors or _authors[key][0] <= version:
            _authors[key] = (version, answer)
        _authors.move_to_end(key)
        while len(_authors) > MAX_ENTRIES * 4:
            _authors.popitem(last=False)
    return answer


def _own_items_changed(viewer, since: int, version: int) -> bool:
    """Whether a practice or study ``viewer`` wrote changed after version ``since`` up to
    ``version`` (True when the log cannot tell)."""
    changed = changes_since(since, version)
    if changed is None:
        return True
    practices, research = changed
    own = [
        select(model.id).where(model.id.in_(ids), model.author_id == viewer.id).exists()
        for model, ids in ((Practice, practices), (Research, research))
        if ids
    ]
    return bool(own) and bool(db.session.scalar(select(or_(*own))))


def cached(viewer, question: tuple, compute):
    """``compute()``'s answer to ``question`` for ``viewer`` at the current version (a
    copy: callers may change what they get). Answers may count only published items (what
    ``reader_key`` tells apart) and must not hold ORM objects."""
    # the database too: one process may serve several (the tests do)
    version = current()
    key = (db.engine.url, version, reader_key(viewer, version), question)
    with _lock:
        if key in _answers:
            _answers.move_to_end(key)
            return pickle.loads(_answers[key])  # noqa: S301 (pickled by this process)
    answer = compute()
    with _lock:
        # kept pickled: a copy for each caller comes quicker than by ``deepcopy``, and bytes
        # give the garbage collector nothing to walk
        _answers[key] = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        while len(_answers) > MAX_ENTRIES:
            _answers.popitem(last=False)
    return answer


def init_app(app) -> None:
    if not event.contains(Session, "after_flush", _bump):
        event.listen(Session, "after_flush", _bump)
