"""Engine tuning and the one way services write: ``with transaction(): ...``.

SQLite serves several worker processes here: WAL lets readers run beside the writer, a
busy timeout makes a writer wait for the lock instead of failing, and a write transaction
starts with ``BEGIN IMMEDIATE`` so it takes the write lock before reading. A deferred
transaction that reads and then writes can fail with "database is locked" at once (SQLite
cannot wait when the snapshot it read is stale); one that holds the lock from the start
cannot. Read-only requests keep ordinary deferred transactions and never queue.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine

from kx.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_writing: ContextVar[bool] = ContextVar("kx_writing", default=False)


def utcnow() -> datetime:
    """The current UTC time, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure_sqlite(engine: Engine) -> None:
    """Apply the pragmas and the write-lock-up-front rule to a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, issue BEGIN (pysqlite's own is always deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def in_write_transaction() -> bool:
    """Whether the caller runs inside ``transaction()`` (holding the write lock)."""
    return _writing.get()


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as one write transaction: committed at the end, rolled back on error.

    Nested blocks join the outer one. A read transaction already open in the request is
    ended first so that the write starts from a fresh snapshot holding the write lock.
    """
    if _writing.get():
        yield
        return
    session = db.session()
    if session.in_transaction():
        session.commit()
    token = _writing.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(token)
