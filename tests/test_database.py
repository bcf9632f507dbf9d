"""The database layer: URLs as written, SQLite tuned for several workers, atomic writes."""

import multiprocessing

import pytest
from sqlalchemy import select, text

from kx import create_app
from kx.accounts.models import User
from kx.config import database_url
from kx.database import transaction
from kx.extensions import db


@pytest.mark.parametrize(
    ("written", "used"),
    [
        ("postgresql://kx@db/kx", "postgresql+psycopg://kx@db/kx"),
        ("postgres://kx@db/kx", "postgresql+psycopg://kx@db/kx"),
        ("postgresql+psycopg://kx@db/kx", "postgresql+psycopg://kx@db/kx"),
        ("sqlite:////tmp/kx.db", "sqlite:////tmp/kx.db"),
    ],
)
def test_database_urls_work_as_written(written, used):
    assert database_url(written) == used


def test_a_failed_write_leaves_nothing_behind(app, make_user):
    user = make_user()
    with app.app_context():
        with pytest.raises(RuntimeError), transaction():
            db.session.get(User, user.id).display_name = "Half written"
            raise RuntimeError("boom")
        assert db.session.get(User, user.id).display_name != "Half written"


def _sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite engine settings; the PostgreSQL run checks its own engine")


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(app):
    _sqlite_only(app)
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def _read_then_write(url: str, user_id: int, rounds: int, queue) -> None:
    """A worker process: each round reads the row, then updates it (the risky pattern)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    errors = []
    with app.app_context():
        for _ in range(rounds):
            try:
                db.session.scalar(select(User.id))  # opens a read transaction first
                with transaction():
                    user = db.session.get(User, user_id)
                    user.session_version = user.session_version + 1
            except Exception as exc:  # reported to the parent process
                errors.append(repr(exc))
        db.engine.dispose()
    queue.put(errors)


def test_concurrent_writers_in_several_processes_wait_instead_of_failing(app, make_user):
    _sqlite_only(app)
    user = make_user()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_read_then_write, args=(url, user.id, 25, queue)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    errors = [error for _ in workers for error in queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    with app.app_context():
        # every increment landed: none was lost to a race or a "database is locked"
        assert db.session.get(User, user.id).session_version == 1 + 4 * 25
