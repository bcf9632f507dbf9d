"""Background workers as operators run them: ``flask --app kx worker`` subprocesses with
a test's settings, and reading the database while they work."""

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

from sqlalchemy import text

from kx.database import transaction
from kx.extensions import db
from kx.mail import queue_mail
from tests.support.database import clear_tables

JOB_TABLES = (
    "procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers, procrastinate_workers"
)


def empty_queue(app) -> None:
    """Remove every job, event and worker of the queue in ``app``'s database."""
    with app.app_context():
        db.session.execute(text(f"TRUNCATE {JOB_TABLES} RESTART IDENTITY CASCADE"))
        db.session.commit()


def clear_queue_and_tables(app) -> None:
    """Empty ``app``'s tables and queue, then let go of its connections."""
    empty_queue(app)
    with app.app_context():
        clear_tables(db)
        db.session.remove()
        db.engine.dispose()


class Workers:
    """``start()`` a ``flask --app kx worker`` subprocess; ``kill(w)`` it with SIGKILL.
    ``variables`` are ``KX_*`` variables of its environment besides the database's."""

    def __init__(self, url, settings, logs, **variables):
        self.url, self.settings, self.logs = url, settings, logs
        self.variables = variables
        self.running: list[subprocess.Popen] = []

    def start(self, **overrides) -> subprocess.Popen:
        spec = f"kx:create_app({ {**self.settings, **overrides}!r})"
        env = {
            **os.environ,
            "KX_DATABASE_URL": self.url,
            "KX_JOBS": "postgres",
            "KX_SECRET_KEY": "test secret key",
            "PYTHONUNBUFFERED": "1",
            **self.variables,
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
