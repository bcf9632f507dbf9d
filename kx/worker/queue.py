"""The job queue in PostgreSQL (procrastinate): the jobs kx runs with their locks, retries
and schedule, queueing them from any process, and running a worker.

Locks: each kind of job holds a procrastinate ``lock`` while it runs, so two workers never
run, say, two mail jobs at once (the outbox's own claim keeps one message from being sent
twice even then). A queueing lock keeps at most one waiting job of the kinds whose run
covers every row there is. A worker killed mid-job leaves its job "doing", holding its
lock; the sweep that every worker's schedule runs gives such jobs back to the queue once
their worker's heartbeat is older than ``WORKER_STALLED_SECONDS``.
"""

import contextlib
import logging
import threading
from datetime import UTC

import procrastinate
from flask import Flask
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from procrastinate.utils import sync_to_async
from sqlalchemy import make_url

from kx.mail.outbox import DELIVER
from kx.notifications.catalogue import DAILY, WEEKLY
from kx.search.indexing import APPLY
from kx.search.whoosh.writer import MERGE
from kx.worker import work

log = logging.getLogger("kx.worker")

#: kx's job name -> the procrastinate task that runs it
TASKS = {
    DELIVER: "kx.mail.deliver",
    APPLY: "kx.search.apply",
    MERGE: "kx.search.merge",
}
#: retries for anything unexpected (the database away, a bug): 2, 4, 8 ... 256 s, then
#: the job is "failed" and the sweep starts the work afresh when it finds it waiting
UNEXPECTED = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2)


class OutboxRetry(procrastinate.BaseRetryStrategy):
    """Mail that could not go out is tried again when the outbox says (its backoff:
    ``MAIL_RETRY_SECONDS`` doubling up to ``MAIL_RETRY_MAX_SECONDS``), for as long as it
    waits; any other error as ``UNEXPECTED``."""

    def get_retry_decision(self, *, exception, job):
        if isinstance(exception, work.MailWaits):
            return procrastinate.RetryDecision(retry_at=exception.at.replace(tzinfo=UTC))
        return UNEXPECTED.get_retry_decision(exception=exception, job=job)


def conninfo(app: Flask) -> str:
    """The database URL as libpq takes it (without SQLAlchemy's driver name)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        raise RuntimeError(
            "KX_JOBS=postgres queues jobs in PostgreSQL, but KX_DATABASE_URL is not a "
            "postgresql:// URL. Point KX_DATABASE_URL at PostgreSQL or unset KX_JOBS."
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def sweep_cron(seconds: int) -> str:
    if not 1 <= seconds <= 60 or 60 % seconds:
        raise RuntimeError(f"WORKER_SWEEP_SECONDS must divide 60; it is {seconds}.")
    return f"* * * * * */{seconds}"


def build(app: Flask, connector) -> procrastinate.App:
    """A procrastinate app with kx's jobs, each run in an app context of ``app``."""
    jobs = procrastinate.App(connector=connector)

    def run(body, *args):
        with app.app_context():
            return body(*args)

    @jobs.task(name=TASKS[DELIVER], lock="kx-mail", retry=OutboxRetry())
    def deliver_mail():
        run(work.deliver_mail)

    @jobs.task(name=TASKS[APPLY], lock="kx-search-index", queueing_lock=APPLY, retry=UNEXPECTED)
    def apply_search_outbox():
        run(work.apply_search_outbox)

    # Not the index's lock: a merge copies for a minute without the index lock (applying
    # the outbox goes on meanwhile) and takes it only to swap (kx.search.whoosh.merging).
    @jobs.task(name=TASKS[MERGE], lock="kx-search-merge", queueing_lock=MERGE)
    def merge_search_segments():
        run(work.merge_search_segments)

    @jobs.periodic(cron="30 3 * * 0")  # Sundays 03:30 UTC
    @jobs.task(name="kx.search.optimise", lock="kx-search-index", queueing_lock="optimise")
    def optimise_search_index(timestamp: int):
        run(work.optimise_search_index)

    # Digests run once a day at 06:00 UTC; a theme sends when its period is due, so a
    # missed or repeated run neither skips nor doubles one (kx.digests.services). They
    # search, so they hold the index's lock: an apply job running beside them would keep
    # the index behind the database while they read it (and what they miss then counts
    # as covered).
    @jobs.periodic(cron="0 6 * * *")
    @jobs.task(name="kx.digests.daily", lock="kx-search-index", retry=UNEXPECTED)
    def daily_digests(timestamp: int):
        run(work.send_digests, DAILY)

    @jobs.periodic(cron="0 6 * * 1")  # Mondays
    @jobs.task(name="kx.digests.weekly", lock="kx-search-index", retry=UNEXPECTED)
    def weekly_digests(timestamp: int):
        run(work.send_digests, WEEKLY)

    @jobs.periodic(cron=sweep_cron(app.config["WORKER_SWEEP_SECONDS"]))
    @jobs.task(name="kx.sweep", queueing_lock="kx-sweep", pass_context=True)
    async def sweep(context, timestamp: int):
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=app.config["WORKER_STALLED_SECONDS"]
        )
        for job in stalled:
            try:
                await manager.retry_job(job)
            except ConnectorException:
                continue  # another sweep queued it again first
            log.warning("job %s (%s) lost its worker; queued again", job.id, job.task_name)
        for name in await sync_to_async(run, work.left_waiting):
            with contextlib.suppress(AlreadyEnqueued):
                await jobs.tasks[TASKS[name]].defer_async()

    return jobs


class JobQueue:
    """``queue(job)`` queues one of ``TASKS`` (from the web process or a job); ``run_worker``
    runs jobs until stopped."""

    def __init__(self, app: Flask):
        self.app = app
        self.conninfo = conninfo(app)
        # min_size=0: opening never waits for a database that is down; a queueing that
        # cannot get a connection within 5 s gives up and the sweep finds the work later
        self.jobs = build(
            app,
            procrastinate.SyncPsycopgConnector(
                conninfo=self.conninfo, min_size=0, max_size=4, timeout=5
            ),
        )
        self._open = threading.Lock()
        self._opened = False

    def open(self) -> None:
        """Open the connection pool (once; each process opens its own, after forking)."""
        if not self._opened:
            with self._open:
                if not self._opened:
                    self.jobs.open()
                    self._opened = True

    def close(self) -> None:
        """Close the connection pool, which otherwise goes on trying to reconnect."""
        with self._open:
            if self._opened:
                self.jobs.close()
                self._opened = False

    def installed(self) -> bool:
        """Whether the database has the job tables (``flask --app kx db upgrade``)."""
        self.open()
        return self.jobs.check_connection()

    def __call__(self, job: str) -> None:
        try:
            self.open()
            self.jobs.tasks[TASKS[job]].defer()
        except AlreadyEnqueued:
            pass  # a waiting job of this kind covers the new work too
        except Exception:
            log.exception("could not queue %s; a worker's sweep will find the work", job)

    def run_worker(self, concurrency: int) -> None:
        config = self.app.config
        worker = build(self.app, procrastinate.PsycopgConnector(conninfo=self.conninfo))
        worker.run_worker(
            concurrency=concurrency,
            fetch_job_polling_interval=config["WORKER_POLL_SECONDS"],
            update_heartbeat_interval=config["WORKER_HEARTBEAT_SECONDS"],
            stalled_worker_timeout=config["WORKER_STALLED_SECONDS"],
            # a finished job is kept only when it failed: what an operator needs to see
            delete_jobs="successful",
        )
