"""Aggregates of evidence (the gap map, a theme's ratings) cached by an evidence version.

The version is one row (``evidence_version``) that every flush changing a practice, a
research summary, an evidence link, a finding or a tag bumps, in the same transaction as
the change. An answer is cached under (version, who is asking, what was asked): a change
that commits makes every earlier answer unreachable at once, in every process, so a cached
figure can never count something its reader may no longer see. Reading the version is one
primary-key lookup; a cache miss costs what the aggregate costs.

Writes never go around the ORM for these tables (no bulk UPDATE or DELETE), so the flush
sees every change; a new one that did would have to bump the version itself.
"""

import copy
import threading
import time
from collections import OrderedDict
from itertools import chain

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kx.evidence.models import EvidenceLink, EvidenceVersion, Finding
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import ItemTerm, viewer_kind
from kx.research.models import Research

WATCHED = (Practice, Research, EvidenceLink, Finding, ItemTerm)
ROW = 1
UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
MAX_ENTRIES = 256

_answers: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _bump(session: Session, _context, _instances) -> None:
    changed = chain(session.new, session.dirty, session.deleted)
    if not any(isinstance(obj, WATCHED) for obj in changed):
        return
    connection = session.connection()
    upsert = UPSERTS[connection.dialect.name]
    table = EvidenceVersion.__table__
    # The first change makes the row (also after the tests empty the tables). It starts
    # from the clock, so that no version an earlier answer was cached under comes back.
    connection.execute(
        upsert(table)
        .values(id=ROW, value=time.time_ns())
        .on_conflict_do_update(index_elements=[table.c.id], set_={"value": table.c.value + 1})
    )


def current() -> int:
    """The evidence version: 0 until the first change makes its row (no practice, study,
    link, finding or tag has changed since the row was made or the tables emptied)."""
    value = db.session.scalar(select(EvidenceVersion.value).where(EvidenceVersion.id == ROW))
    return value or 0


def reader_key(viewer) -> tuple:
    """What the visibility rule reads of ``viewer``: its kind, its sector and, for the
    author's own items, who it is."""
    kind = viewer_kind(viewer)
    if kind in ("anonymous", "moderator"):
        return (kind,)
    return (kind, viewer.sector, viewer.id)


def cached(viewer, question: tuple, compute):
    """``compute()``'s answer to ``question`` for ``viewer`` at the current version (a
    copy: callers may change what they get). Answers must not hold ORM objects."""
    # the database too: one process may serve several (the tests do)
    key = (db.engine.url, current(), reader_key(viewer), question)
    with _lock:
        if key in _answers:
            _answers.move_to_end(key)
            return copy.deepcopy(_answers[key])
    answer = compute()
    with _lock:
        _answers[key] = copy.deepcopy(answer)
        while len(_answers) > MAX_ENTRIES:
            _answers.popitem(last=False)
    return answer


def init_app(app) -> None:
    if not event.contains(Session, "before_flush", _bump):
        event.listen(Session, "before_flush", _bump)
