"""Keeping the index in step with the database: through the outbox (Whoosh), or by
writing the documents in the same transaction (PostgreSQL, ``in_transaction``).

Capture: an ``after_flush`` hook adds an outbox row for every document that a flush
affects (a practice or research record inserted, changed or deleted, a forum thread or
post, a category's visibility), on the same connection and in the same transaction, so a
rolled-back change leaves no row and a committed one always does. The same hook registers
applying the outbox as after-commit work of the transaction (once, however many rows), so
no service has to announce its changes.
Apply: after such a commit, on the first request of a process, before a search when rows
are waiting, and by ``flask search reindex``, ``apply_outbox`` reads the rows, indexes the
current database state of each record, commits the index and only then deletes those
rows. A crash, a failure or a busy index leaves the rows for the next run.
A backend that writes in the transaction (``in_transaction``) gets no outbox rows: the
keys a flush touched are kept on the session and written by the backend just before the
session commits (``_write_touched``), so a rolled-back change writes nothing either.
"""

from flask import current_app, has_app_context
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from kx.background import start_after_commit
from kx.database import in_write_transaction, transaction
from kx.extensions import db
from kx.search import documents
from kx.search.backend import SearchBackend
from kx.search.models import SearchOutbox
from kx.search.whoosh.writer import IndexBusy

BATCH = 500
#: the background job that applies the outbox (``kx.background``)
APPLY = "search.apply"
TOUCHED = "kx-search-touched"


def in_transaction() -> bool:
    """Whether this app's backend writes its documents in the transaction of the change."""
    return getattr(backend(), "in_transaction", False)


def _capture(session: Session, _flush_context) -> None:
    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        touched |= documents.touched_keys(session, obj)
    if touched and has_app_context() and in_transaction():
        session.info.setdefault(TOUCHED, set()).update(touched)
    elif touched:
        session.connection().execute(
            insert(SearchOutbox), [{"item_type": t, "item_id": i} for t, i in sorted(touched)]
        )
        # a write outside transaction() (a test fixture, a shell) leaves its rows to the
        # next write or search
        if in_write_transaction():
            start_after_commit(APPLY, _apply)


def _apply() -> None:
    apply_outbox()  # looked up when run, so a test can stand in for it


def _write_touched(session: Session) -> None:
    """Write the documents this transaction's flushes touched, before it commits."""
    # The commit's own flush comes after this event: flush here to see its changes.
    if not has_app_context() or not in_transaction():
        return
    while True:
        session.flush()  # may touch more
        touched = session.info.pop(TOUCHED, None)
        if not touched:
            return
        backend().write_in_transaction(session, touched)


def _forget_touched(session: Session, _previous=None) -> None:
    session.info.pop(TOUCHED, None)


def listen() -> None:
    """Install the hooks once per process (they serve every app and session)."""
    if not event.contains(Session, "after_flush", _capture):
        event.listen(Session, "after_flush", _capture)
        event.listen(Session, "before_commit", _write_touched)
        event.listen(Session, "after_rollback", _forget_touched)


def backend() -> SearchBackend:
    """This app's backend (one per app, so its searchers are reused across requests)."""
    return current_app.extensions["kx-search"]


def apply_outbox(timeout: float | None = None) -> int:
    """Index what the outbox asks for; returns how many records were applied (0 if busy).

    The index lock is held from reading the rows to deleting them, and the rows and
    records are read in a session of its own (a fresh snapshot, whatever the caller's
    session has open). So index writes happen in the order of the database states they
    read: a worker holding an older state can never overwrite a newer one that another
    worker has already indexed, and a row is only deleted by the worker that indexed a
    state at least as new as the change that wrote it.
    """
    engine = backend()
    if in_transaction():
        return 0
    applied = 0
    try:
        with engine.exclusive(timeout), Session(db.engine) as session:
            while True:
                rows = session.execute(
                    select(SearchOutbox.id, SearchOutbox.item_type, SearchOutbox.item_id)
                    .order_by(SearchOutbox.id)
                    .limit(BATCH)
                ).all()
                if not rows:
                    return applied
                docs, deleted = [], []
                wanted: dict[str, set[int]] = {}
                for row in rows:
                    wanted.setdefault(row.item_type, set()).add(row.item_id)
                for item_type, ids in wanted.items():
                    mapping = documents.MAPPINGS[item_type]
                    found = session.scalars(
                        select(mapping.model).where(mapping.model.id.in_(ids))
                    ).all()  # one query per type: a get() per row costs ~10 ms
                    items = {item.id: item for item in found}
                    for item_id in sorted(ids):
                        item = items.get(item_id)
                        if documents.indexable(item, item_type):
                            docs.append(mapping.to_document(item))
                        else:
                            deleted.append(f"{item_type}:{item_id}")
                session.rollback()  # end the read snapshot before the (slower) index write
                engine.index(docs, deleted)
                session.execute(
                    delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows]))
                )
                session.commit()
                session.expunge_all()
                applied += len(docs) + len(deleted)
    except IndexBusy:
        current_app.logger.info("search index busy; outbox rows wait for the next write")
        return applied


def pending() -> int:
    if in_transaction():
        return 0
    return db.session.scalar(select(db.func.count()).select_from(SearchOutbox)) or 0


def reindex(progress=None) -> int:
    """Rebuild the whole index from the database into a fresh directory and swap it in.

    Under the index lock: the outbox rows cleared here are covered by the rebuild, which
    reads the database afterwards; rows written meanwhile stay for the next apply.
    """
    engine = backend()
    if in_transaction():
        return engine.rebuild(documents.all_documents(), documents.expected_count(), progress)
    with engine.exclusive(timeout=600):
        with transaction():
            db.session.execute(delete(SearchOutbox))
        return engine.rebuild(documents.all_documents(), documents.expected_count(), progress)


def drift() -> dict[str, list[str]]:
    """Keys missing from the index, extra in it, or stale (their stamp differs)."""
    apply_outbox()
    expected = documents.expected_stamps()
    indexed = backend().stamps()
    return {
        "missing": sorted(expected.keys() - indexed.keys()),
        "extra": sorted(indexed.keys() - expected.keys()),
        "stale": sorted(k for k in expected.keys() & indexed.keys() if expected[k] != indexed[k]),
    }
