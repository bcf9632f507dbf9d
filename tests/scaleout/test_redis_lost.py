"""A node whose Redis (the shared rate-limit store) goes away while it serves goes on
serving: no 5xx, each process counts the same limits in its own memory, ``/healthz`` says
``degraded`` (200, so a load balancer keeps the node); when Redis answers again the node
counts there again, without a restart."""

import random
import time

import pytest
import redis
from sqlalchemy import make_url

from kx import create_app
from tests.scaleout.conftest import REDIS, Client
from tests.support.nodes import Node
from tests.support.proxy import TcpProxy, free_port

#: how long a request may take while Redis is away
FAST = 2.0
SEARCH_LIMIT = 5
#: flask-limiter looks for a lost store again after 1, 2, 4, ... 32 s
RECOVERY_SECONDS = 45


def address() -> str:
    """A client address of the test's own: counts left by earlier runs never meet it."""
    return f"198.18.{random.randrange(256)}.{random.randrange(1, 255)}"  # noqa: S311


@pytest.fixture
def proxied(database_url, tmp_path):
    """A node whose Redis connections pass through a proxy the test controls."""
    server = make_url(REDIS)
    proxy = TcpProxy(server.host or "127.0.0.1", server.port or 6379)
    proxy.start()
    node = Node(
        "redis-proxied",
        tmp_path / "node",
        KX_DATABASE_URL=database_url,
        KX_SECRET_KEY="test",
        KX_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{proxy.port}/{server.database or 0}",
        KX_TRUSTED_PROXIES="1",
        KX_SEARCH_LIMITS=f"{SEARCH_LIMIT} per minute",
    )
    try:
        node.start()
        yield node, proxy
    finally:
        node.stop()
        proxy.close()


def counted_in_redis(client_address: str) -> bool:
    return any(redis.Redis.from_url(REDIS).scan_iter(match=f"*{client_address}*"))


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_node_that_loses_redis_serves_on_with_limits_counted_in_memory_then_returns(
    proxied,
):
    node, proxy = proxied
    before = Client(address())
    assert before.get(node, "/api/v1/search", params={"q": "helpline"}).status_code == 200
    assert counted_in_redis(before.http.headers["X-Forwarded-For"])

    proxy.stop()
    reader = Client(address())
    guesses = Client(address())
    answers = [
        timed(lambda: reader.get(node, "/api/v1/search", params={"q": "helpline"})),
        timed(lambda: reader.get(node, "/search", params={"q": "helpline"})),
        timed(lambda: reader.get(node, "/practices")),
        timed(lambda: reader.get(node, "/")),
        timed(lambda: reader.get(node, "/login")),
        timed(
            lambda: guesses.post(
                node, "/api/v1/tokens", json={"email": "nobody@example.org", "password": "x"}
            )
        ),
    ]
    for response, took in answers:
        assert response.status_code < 500, (response.url, response.status_code, node.log()[-3000:])
        assert took < FAST, f"{response.url} took {took:.1f} s"
    assert [response.status_code for response, _ in answers] == [200, 200, 200, 200, 200, 401]

    # the limits still hold, counted by the node itself: searches and password guesses
    searcher = Client(address())
    statuses = [
        searcher.get(node, "/api/v1/search", params={"q": "helpline"}).status_code
        for _ in range(SEARCH_LIMIT + 1)
    ]
    assert statuses == [200] * SEARCH_LIMIT + [429]
    wrong = {"email": "someone@example.org", "password": "not the password"}
    statuses = [guesses.post(node, "/api/v1/tokens", json=wrong).status_code for _ in range(6)]
    assert statuses[-1] == 429 and 500 not in statuses

    health = reader.get(node, "/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["checks"] == {
        "database": "ok",
        "search": "ok",
        "rate_limits": "unavailable",
    }

    proxy.start()
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        later = Client(address())
        assert later.get(node, "/api/v1/search", params={"q": "helpline"}).status_code == 200
        if counted_in_redis(later.http.headers["X-Forwarded-For"]):
            break
        assert time.monotonic() < deadline, f"not back on Redis in {RECOVERY_SECONDS} s"
        time.sleep(0.5)
    assert later.get(node, "/healthz").json()["status"] == "ok"
    assert node.process.poll() is None
    assert node.log().count("Booting worker") == 1, "gunicorn restarted its worker"


def test_an_account_awaiting_verification_can_save_while_redis_is_away(
    app, make_user, api_token, tmp_path
):
    newcomer = make_user(verified=False)
    headers = api_token(newcomer)
    gone = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")},
            "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "MAIL_DIR": str(tmp_path / "mail"),
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}",
        }
    )
    saved = gone.test_client().post(
        "/api/v1/practices",
        json={"title": "Draft written while Redis was away", "domains": ["prevention"]},
        headers=headers,
    )
    # its saves go uncounted meanwhile; its quota of items, kept in the database, still holds
    assert saved.status_code == 201, saved.get_json()
