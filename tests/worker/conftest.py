"""Workers as operators run them: ``flask --app kx worker`` in subprocesses on the test's
PostgreSQL database, a web-side app queueing into it, and a real SMTP server."""

import pytest
from sqlalchemy import make_url

from kx import create_app
from tests.support.database import driver_url
from tests.support.worker import Workers, clear_queue_and_tables, empty_queue

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
def settings(request, tmp_path, smtp):
    """The Whoosh profile unless a test asks for ``postgres`` (indirect parametrisation):
    the index application and merge jobs exist only with Whoosh (the PostgreSQL search
    backend writes in the change's transaction)."""
    return {
        **FAST,
        "SEARCH_BACKEND": getattr(request, "param", "whoosh"),
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
    empty_queue(app)
    yield app
    clear_queue_and_tables(app)


@pytest.fixture
def workers(postgres_url, settings, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    running = Workers(postgres_url, settings, logs)
    yield running
    running.stop_all()
