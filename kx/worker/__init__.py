"""The background worker: with ``KX_JOBS=postgres``, the work that commits start (sending
mail, applying the search outbox, merging index segments) and the digests' schedule are
jobs in PostgreSQL (procrastinate), run by ``flask --app kx worker`` on any node; the web
process only queues them. Without it (the embedded default), that work runs in the process
whose commit started it, as ``kx.background`` decides."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Queue background work for the worker when ``KX_JOBS=postgres``; add the commands."""
    from kx.background import QUEUE
    from kx.worker.cli import worker_command

    if app.config["JOBS"] == "postgres":
        from kx.worker.queue import JobQueue  # the job library loads only where it is used

        app.extensions[QUEUE] = JobQueue(app)
    app.cli.add_command(worker_command)
