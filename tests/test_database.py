"""The database layer: URLs as written, SQLite tuned for several workers, atomic writes,
and the work that waits for a commit."""

import multiprocessing
import socket

import pytest
from sqlalchemy import select, text

from kx import create_app
from kx.accounts.models import User
from kx.config import database_url
from kx.database import after_commit, batched_after_commit, transaction
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


def _name(user_id: int) -> str:
    """The stored display name, read as another worker would (a connection of its own)."""
    with db.engine.connect() as connection:
        return connection.scalar(select(User.display_name).where(User.id == user_id))


def test_after_commit_work_runs_once_the_commit_is_visible(app, make_user):
    user = make_user()
    seen = []
    with app.app_context():
        with transaction():
            db.session.get(User, user.id).display_name = "Committed"
            after_commit(lambda: seen.append(_name(user.id)))
            assert seen == []  # not yet: the transaction is still open
        assert seen == ["Committed"]


def test_after_commit_work_never_runs_after_a_rollback(app, make_user):
    user = make_user()
    ran = []
    with app.app_context():
        with pytest.raises(RuntimeError), transaction():
            db.session.get(User, user.id).display_name = "Half written"
            after_commit(lambda: ran.append("after a rollback"))
            raise RuntimeError("boom")
        with transaction():
            pass  # the next transaction starts with nothing registered
    assert ran == []


def test_a_key_registers_its_work_once_per_transaction_in_the_order_first_asked(app):
    ran = []
    with app.app_context():
        with transaction():
            for _ in range(3):
                after_commit(lambda: ran.append("index"), key="index")
            after_commit(lambda: ran.append("mail"))
            after_commit(lambda: ran.append("mail"))  # no key: each registration counts
            after_commit(lambda: ran.append("index again"), key="index")
        with transaction():
            after_commit(lambda: ran.append("index"), key="index")  # a new transaction
    assert ran == ["index", "mail", "mail", "index"]


def test_nested_transactions_join_the_outer_one_and_its_commit(app, make_user):
    user = make_user()
    ran = []
    with app.app_context():
        with transaction():
            with transaction():
                db.session.get(User, user.id).display_name = "Inner"
                after_commit(lambda: ran.append(_name(user.id)), key="k")
            assert ran == []  # the inner block's end is not a commit
            after_commit(lambda: ran.append("again"), key="k")
        assert ran == ["Inner"]
        with pytest.raises(RuntimeError), transaction():
            with transaction():
                after_commit(lambda: ran.append("rolled back with the outer one"))
            raise RuntimeError("boom")
    assert ran == ["Inner"]


def test_failing_after_commit_work_is_logged_and_spares_the_write_and_the_rest(
    app, make_user, caplog
):
    user = make_user()
    ran = []

    def fails():
        raise OSError("No space left on device")

    with app.app_context():
        with transaction():
            db.session.get(User, user.id).display_name = "Kept"
            after_commit(fails, key="index the change")
            after_commit(lambda: ran.append("the next one"))
        assert ran == ["the next one"]
        assert _name(user.id) == "Kept"
    [record] = [r for r in caplog.records if r.exc_info]
    assert "index the change" in record.getMessage()


def test_after_commit_outside_a_transaction_is_a_programming_error(app):
    with app.app_context(), pytest.raises(RuntimeError, match="transaction"):
        after_commit(lambda: None)


def test_a_batch_runs_the_work_of_its_committed_transactions_once_at_its_end(app):
    ran = []
    with app.app_context():
        with batched_after_commit():
            for number in range(3):
                with transaction():
                    after_commit(lambda: ran.append("index"), key="index")
                    after_commit(lambda n=number: ran.append(n))
            with pytest.raises(RuntimeError), transaction():
                after_commit(lambda: ran.append("rolled back"), key="mail")
                raise RuntimeError("boom")
            assert ran == []
        assert ran == ["index", 0, 1, 2]


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


def test_upgrading_a_database_that_does_not_answer_names_the_variable(tmp_path):
    """``make serve`` upgrades first: an unreachable server is a sentence, not a traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once it is closed
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://kx@127.0.0.1:{port}/kx",
            "SECRET_KEY": "t",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        }
    )

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 1
    assert "Cannot reach the database KX_DATABASE_URL names" in result.output
    assert "Traceback" not in result.output
