"""Background work that a commit starts: run in this process (the embedded default) or
queued for ``flask --app kx worker`` when ``KX_JOBS=postgres`` (``kx.worker``).

A package names its job and says how to run it here; which of the two happens is decided
once, by configuration, and no package needs to know which.
"""

from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from kx.database import after_commit

#: ``app.extensions`` key of the queue (``queue(job)``), set by ``kx.worker`` when jobs queue
QUEUE = "kx-job-queue"


def start_after_commit(job: str, here: Callable[[], object]) -> None:
    """Once the surrounding ``transaction()`` commits, start ``job`` (see ``start``)."""
    app = current_app._get_current_object()
    after_commit(lambda: start(job, here, app), key=f"kx-job:{job}")


def start(job: str, here: Callable[[], object], app: Flask | None = None) -> None:
    """Queue ``job`` for the worker when jobs queue; otherwise call ``here`` now."""
    if app is None and has_app_context():
        app = current_app._get_current_object()
    queue = app.extensions.get(QUEUE) if app is not None else None
    if queue is None:
        here()
    else:
        queue(job)


def queued(app: Flask) -> bool:
    """Whether ``app``'s background work waits for a worker instead of running here."""
    return QUEUE in app.extensions
