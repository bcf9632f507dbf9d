"""Workers as operators run them: ``flask --app kx worker`` in subprocesses on the test's
PostgreSQL database, a web-side app queueing into it, and a real SMTP server."""

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import make_url, text

from kx import create_app
from kx.database import transaction
from kx.extensions import db
from kx.mail import queue_mail
from tests.conftest import _COMPILED_TEMPLATES
from tests.support.database import clear_tables, driver_url

JOB_TABLES = (
    "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"
)

#: settings the workers and the web side share: short retries, leases and heartbeats so
#: that a test sees several of each in seconds
FAST = {
    "MAIL_RETRY_SECONDS": 1,
    "MAIL_LEASE_SECONDS": 3,
    "WORKER_HEARTBEAT_SECONDS": 0.5,
    "WORKER_STALLED_SECONDS": 2,
    "WORKER_SWEEP_SECONDS": 1,
    "WORKER_POLL_SECONDS": 0.2,
}


@pytest.fixture
def postgres_url(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("jobs queue in PostgreSQL: CI's PostgreSQL run (KX_DATABASE_URL) runs these")
    return database_url


@pytest.fixture
def settings(tmp_path, smtp):
    return {
        **FAST,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MAIL_DIR": str(tmp_path / "mail"),
        "MAIL_URL": smtp.url,
    }


@pytest.fixture
def web(postgres_url, settings):
    """The web side with ``KX_JOBS=postgres``: its commits queue jobs and send nothing."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "SQLALCHEMY_DATABASE_URI": driver_url(postgres_url),
            "JOBS": "postgres",
            "SEARCH_TIME_BUDGET": 30.0,
            **settings,
        }
    )
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    with app.app_context():
        db.session.execute(text(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE"))
        db.session.commit()
    yield app
    with app.app_context():
        clear_tables(db)
        db.session.execute(text(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Workers:
    """``start()`` a ``flask --app kx worker`` subprocess; ``kill(w)`` it with SIGKILL."""

    def __init__(self, url, settings, logs):
        self.url, self.settings, self.logs = url, settings, logs
        self.running: list[subprocess.Popen] = []

    def start(self, **overrides) -> subprocess.Popen:
        spec = f"kx:create_app({ {**self.settings, **overrides}!r})"
        env = {
            **os.environ,
            "KX_DATABASE_URL": self.url,
            "KX_JOBS": "postgres",
            "KX_SECRET_KEY": "test secret key",
            "PYTHONUNBUFFERED": "1",
        }
        log = open(self.logs / f"worker-{len(self.running)}.log", "w")  # noqa: SIM115
        worker = subprocess.Popen(  # noqa: S603 (this interpreter, the test's own settings)
            [sys.executable, "-m", "flask", "--app", spec, "worker", "--concurrency", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(worker)
        return worker

    def wait_ready(self, app, count: int, timeout: float = 60) -> None:
        """Wait until ``count`` workers have registered (they then listen for jobs)."""
        wait_until(
            lambda: scalar(app, "SELECT count(*) FROM procrastinate_workers") >= count,
            timeout,
            f"{count} worker(s) starting\n{self.log()}",
        )

    def kill(self, worker: subprocess.Popen) -> None:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.running:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def log(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.logs.glob("worker-*.log")))


@pytest.fixture
def workers(postgres_url, settings, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Workers(postgres_url, settings, logs)
    yield running
    running.stop_all()


def queue_test_mail(app, address: str) -> int:
    """Queue one message for ``address`` the way every feature does; returns its row id."""
    with app.app_context(), transaction():
        return queue_mail(SimpleNamespace(id=None, email=address), "test", "Test").id


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)
    return result


def scalar(app, sql: str, **params):
    with app.app_context():
        try:
            return db.session.execute(text(sql), params).scalar()
        finally:
            db.session.rollback()
