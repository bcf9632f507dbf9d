"""Engine tuning, the one way services write (``with transaction(): ...``), and the work
that must wait for that write's commit (``after_commit``).

SQLite serves several worker processes here: WAL lets readers run beside the writer, a
busy timeout makes a writer wait for the lock instead of failing, and a write transaction
starts with ``BEGIN IMMEDIATE`` so it takes the write lock before reading. A deferred
transaction that reads and then writes can fail with "database is locked" at once (SQLite
cannot wait when the snapshot it read is stale); one that holds the lock from the start
cannot. Read-only requests keep ordinary deferred transactions and never queue.

Work that must see the committed state (indexing it for search, and mail or notifications
later) is registered with ``after_commit`` from inside the transaction, by the code that
makes the change or by an ORM hook that sees it; it runs once the outermost transaction
commits and never after a rollback, so no service has to remember to announce anything.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from kx.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_writing: ContextVar[bool] = ContextVar("kx_writing", default=False)
# key -> operation, in the order first registered, for the open outermost transaction
_after_commit: ContextVar[dict | None] = ContextVar("kx_after_commit", default=None)
# the same, collected across the transactions of a ``batched_after_commit`` block
_batched: ContextVar[dict | None] = ContextVar("kx_batched_after_commit", default=None)


def utcnow() -> datetime:
    """The current UTC time, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


#: seconds to wait for a PostgreSQL connection: an unreachable server fails a request
#: quickly (503) instead of holding a worker until the operating system gives up
CONNECT_TIMEOUT_SECONDS = 2


def engine_options(url: str) -> dict:
    """Engine options for ``url``: on PostgreSQL, connections are tested before each use
    (one dropped by a restart is replaced, not handed to a request) and opened within
    ``CONNECT_TIMEOUT_SECONDS``."""
    if not url.startswith("postgresql"):
        return {}
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}}


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
    The operations registered with ``after_commit`` run once the commit has succeeded.
    """
    if _writing.get():
        yield
        return
    session = db.session()
    if session.in_transaction():
        session.commit()
    operations: dict = {}
    token, operations_token = _writing.set(True), _after_commit.set(operations)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _after_commit.reset(operations_token)
        _writing.reset(token)
    batched = _batched.get()
    if batched is None:
        _run(operations)
    else:
        for key, operation in operations.items():
            batched.setdefault(key, operation)


def after_commit(operation: Callable[[], object], key: Hashable | None = None) -> None:
    """Run ``operation`` after the surrounding ``transaction()`` commits, never after a
    rollback; a ``key`` already registered in this transaction registers nothing more.

    Operations run in the order registered, outside the transaction; one that fails is
    logged and neither fails the committed write nor stops the others.
    """
    operations = _after_commit.get()
    if operations is None:
        raise RuntimeError("after_commit() needs a transaction(): nothing would run it.")
    operations.setdefault(object() if key is None else key, operation)


@contextmanager
def batched_after_commit() -> Iterator[None]:
    """Hold back the after-commit operations of every transaction in the block and run
    them once each (by key) when it ends: a bulk load then indexes once, not per write."""
    if _batched.get() is not None:
        yield
        return
    batched: dict = {}
    token = _batched.set(batched)
    try:
        yield
    finally:  # the transactions that committed still need their work, whatever followed
        _batched.reset(token)
        _run(batched)


def _run(operations: dict) -> None:
    for key, operation in operations.items():
        try:
            operation()
        except Exception:  # the write stands; the work is retried by whoever owns it
            name = key if isinstance(key, str) else getattr(operation, "__qualname__", operation)
            current_app.logger.exception("after-commit operation failed: %s", name)
