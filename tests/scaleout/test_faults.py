"""A node whose PostgreSQL goes away answers 503 at once and serves again when it is back,
without a restart; a node that cannot reach PostgreSQL or Redis at start refuses to start
and names the variable to fix."""

import time

import pytest
import requests
from sqlalchemy import make_url, text

from kx.errors import RETRY_AFTER_SECONDS
from kx.extensions import db
from tests.scaleout.conftest import profile
from tests.support.nodes import Node
from tests.support.proxy import TcpProxy, free_port

#: how long a request may take to fail while the database is away
FAST = 2.0


def timed(url: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=15, allow_redirects=False)
    return response, time.monotonic() - started


@pytest.fixture
def proxied(postgres_url, local, tmp_path):
    """A node whose every database connection passes through a proxy the test controls."""
    server = make_url(postgres_url)
    proxy = TcpProxy(server.host or "127.0.0.1", server.port or 5432)
    proxy.start()
    through = server.set(
        host="127.0.0.1", port=proxy.port, query={"application_name": "kx-proxied-node"}
    )
    node = Node(
        "proxied", tmp_path / "node", **profile(through.render_as_string(hide_password=False))
    )
    try:
        node.start()
        yield node, proxy
    finally:
        node.stop()
        proxy.close()


def test_a_node_answers_503_fast_while_postgresql_is_away_and_recovers_without_restart(
    proxied,
):
    node, proxy = proxied
    assert timed(f"{node.url}/api/v1/practices")[0].status_code == 200

    proxy.stop()
    for path in ("/healthz", "/api/v1/practices", "/practices", "/api/v1/search?q=helpline"):
        response, took = timed(node.url + path)
        assert response.status_code == 503, (path, response.status_code, response.text[:300])
        assert took < FAST, f"{path} took {took:.1f} s to fail"
    assert response.headers["Retry-After"].isdigit()  # when to try again
    health = timed(f"{node.url}/healthz")[0].json()
    assert health["status"] == "unavailable" and health["checks"]["database"] == "unavailable"
    api = timed(f"{node.url}/api/v1/practices")[0]
    assert api.json()["error"]["status"] == 503
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)

    proxy.start()
    deadline = time.monotonic() + 10
    while timed(f"{node.url}/healthz")[0].status_code != 200:
        assert time.monotonic() < deadline, f"no recovery within 10 s\n{node.log()}"
        time.sleep(0.2)
    assert timed(f"{node.url}/api/v1/practices")[0].status_code == 200
    assert node.process.poll() is None
    assert node.log().count("Booting worker") == 1, "gunicorn restarted its worker"


def test_connections_cut_by_a_postgresql_restart_are_replaced_unnoticed(proxied, local):
    node, _proxy = proxied
    assert timed(f"{node.url}/api/v1/practices")[0].status_code == 200
    with local.app_context():
        cut = db.session.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'kx-proxied-node'"
            )
        ).scalar()
        db.session.rollback()
    assert cut >= 1
    for path in ("/api/v1/practices", "/practices", "/healthz"):
        response = timed(node.url + path)[0]
        assert response.status_code == 200, (path, response.text[:300])


def test_a_node_that_cannot_reach_postgresql_at_start_names_kx_database_url(tmp_path):
    closed = free_port()
    node = Node(
        "no-database",
        tmp_path / "node",
        KX_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed}/kx",
        KX_SECRET_KEY="test",
    )
    with pytest.raises(AssertionError, match="exited"):
        node.start(timeout=30)
    assert node.wait_exit() != 0
    assert "KX_DATABASE_URL" in node.log()
    assert f"127.0.0.1:{closed}" in node.log()


def test_a_node_that_cannot_reach_redis_at_start_names_kx_ratelimit_storage_uri(
    database_url, tmp_path
):
    closed = free_port()
    node = Node(
        "no-redis",
        tmp_path / "node",
        KX_DATABASE_URL=database_url,
        KX_SECRET_KEY="test",
        KX_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}/9",
    )
    with pytest.raises(AssertionError, match="exited"):
        node.start(timeout=30)
    assert node.wait_exit() != 0
    assert "KX_RATELIMIT_STORAGE_URI" in node.log()
