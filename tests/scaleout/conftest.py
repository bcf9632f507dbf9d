"""Two kx nodes as an organisation runs them behind a proxy: two gunicorn servers in
directories of their own, each with its own instance folder, one PostgreSQL database
(items, sessions' accounts, search documents, the job queue), one Redis (rate limits), one
secret, and a worker per node."""

import os
import re
from types import SimpleNamespace

import pytest
import redis
import requests
from sqlalchemy import make_url

from kx import create_app
from kx.accounts import services as accounts
from tests.support.accounts import PASSWORD
from tests.support.database import driver_url
from tests.support.nodes import Node
from tests.support.smtp import SmtpServer
from tests.support.worker import Workers, clear_queue_and_tables, empty_queue

#: a Redis database of these tests' own (``KX_TEST_REDIS_URL`` chooses another): it is
#: emptied before the two nodes start
REDIS = os.environ.get("KX_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
SECRET = "one secret for every node"
#: small enough to exhaust in a test, large enough for the others' searches
SEARCH_LIMIT = 30
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def profile(database_url: str) -> dict[str, str]:
    """The ``KX_*`` variables every node of the two-node profile shares."""
    return {
        "KX_DATABASE_URL": database_url,
        "KX_SEARCH_BACKEND": "postgres",
        "KX_JOBS": "postgres",
        "KX_RATELIMIT_STORAGE_URI": REDIS,
        "KX_SECRET_KEY": SECRET,
        # behind one proxy: each test speaks as a client address of its own
        "KX_TRUSTED_PROXIES": "1",
        "KX_SEARCH_LIMITS": f"{SEARCH_LIMIT} per minute",
    }


@pytest.fixture(scope="module")
def postgres_url(database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip(
            "two nodes share a PostgreSQL database and a Redis server: CI's PostgreSQL run "
            "(KX_DATABASE_URL) runs these"
        )
    return database_url


@pytest.fixture(scope="module")
def local(postgres_url, tmp_path_factory):
    """An app in the test process on the nodes' database, to create accounts and read."""
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": driver_url(postgres_url),
            "SEARCH_BACKEND": "postgres",
            "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("local") / "search-index"),
        }
    )
    empty_queue(app)
    yield app
    clear_queue_and_tables(app)


@pytest.fixture(scope="module")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nodes(postgres_url, local, smtp_server, tmp_path_factory):
    """Nodes A and B, started together, each with a ``flask --app kx worker`` beside it."""
    redis.Redis.from_url(REDIS).flushdb()
    base = tmp_path_factory.mktemp("nodes")
    variables = profile(postgres_url) | {"KX_MAIL_URL": smtp_server.url}
    pair = [Node(name, base / name, **variables) for name in ("a", "b")]
    workers = []
    try:
        for node in pair:
            node.start()
        for node in pair:
            logs = node.directory / "worker-logs"
            logs.mkdir()
            # the node's worker runs as the node does: same variables, same instance folder
            same = {k: v for k, v in node.env.items() if k.startswith("KX_") and k != "KX_BIND"}
            workers.append(Workers(postgres_url, {}, logs, **same))
            workers[-1].start()
        workers[0].wait_ready(local, 2)
        yield pair
    finally:
        for running in workers:
            running.stop_all()
        for node in pair:
            node.stop()


class Client:
    """A browser or API client at one client address, talking to any node."""

    def __init__(self, address: str):
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = address

    def get(self, node: Node, path: str, **kwargs) -> requests.Response:
        return self.http.get(node.url + path, timeout=10, allow_redirects=False, **kwargs)

    def post(self, node: Node, path: str, **kwargs) -> requests.Response:
        return self.http.post(node.url + path, timeout=10, allow_redirects=False, **kwargs)

    def submit(self, node: Node, path: str, data: dict) -> requests.Response:
        """Fill in the form at ``path`` on ``node`` and send it, CSRF token included."""
        page = self.get(node, path)
        assert page.status_code == 200, page.text[:500]
        token = CSRF.search(page.text).group(1)
        return self.post(node, path, data={"csrf_token": token, **data})

    def token(self, node: Node, user) -> dict[str, str]:
        """A bearer token for ``user`` from ``node``, as the header to send it in."""
        response = self.post(
            node, "/api/v1/tokens", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture(scope="module")
def make_account(local):
    counter = iter(range(1, 10_000))

    def make(role: str = "member"):
        n = next(counter)
        with local.app_context():
            user = accounts.register_user(
                email=f"node-user{n}@example.org",
                display_name=f"Node User {n}",
                password=PASSWORD,
                sector="law-enforcement",
                country="GB",
                role=role,
                verified=True,
            )
            return SimpleNamespace(id=user.id, email=user.email)

    return make
