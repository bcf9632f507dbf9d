"""``/healthz`` names each part kx serves from and answers 503 when one is unreachable,
without saying why; behind ``KX_TRUSTED_PROXIES`` rate limits count the client's address
as the proxy saw it, and without it nobody can choose that address with a header."""

import uuid

import pytest

from kx import create_app

REDIS = "redis://127.0.0.1:6379/15"
SEARCH = "/api/v1/search?q=helpline"


def another(app, tmp_path, **overrides):
    """A second app on the test database with ``overrides`` (as another worker would be)."""
    settings = {
        **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")},
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "MAIL_DIR": str(tmp_path / "mail"),
        **overrides,
    }
    return create_app(settings)


def test_every_part_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "search": "ok", "rate_limits": "not used"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unreachable_database_is_named_without_details(app, tmp_path):
    broken = another(
        app,
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/kx.db",
        SEARCH_BACKEND="whoosh",  # the PostgreSQL backend refuses SQLite at start
    )

    response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    answer = response.get_json()
    assert answer["status"] == "unavailable"
    assert answer["checks"]["database"] == "unavailable"
    assert answer["checks"]["search"] == "ok"
    assert "sqlite" not in response.get_data(as_text=True).lower()


def test_a_shared_rate_limit_store_is_checked(app, tmp_path):
    prefix = f"kx-test-{uuid.uuid4().hex}"
    shared = another(app, tmp_path, RATELIMIT_STORAGE_URI=REDIS, RATELIMIT_KEY_PREFIX=prefix)
    assert shared.test_client().get("/healthz").get_json()["checks"]["rate_limits"] == "ok"

    gone = another(app, tmp_path, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")
    response = gone.test_client().get("/healthz")
    # the process serves on, counting limits in memory: a load balancer keeps it
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["checks"]["rate_limits"] == "unavailable"


def statuses(client, forwarded_for: str, times: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for}
    return [client.get(SEARCH, headers=headers).status_code for _ in range(times)]


def test_behind_one_trusted_proxy_each_client_has_its_own_budget(app, tmp_path):
    client = another(app, tmp_path, TRUSTED_PROXIES=1, SEARCH_LIMITS="2 per minute").test_client()

    assert statuses(client, "203.0.113.1", 3) == [200, 200, 429]
    assert statuses(client, "203.0.113.2", 1) == [200]  # another client behind the proxy
    # a client writing its own header: the proxy appends the address it saw, and only that
    # one counts
    assert statuses(client, "198.51.100.9, 203.0.113.1", 1) == [429]


def test_without_trusted_proxies_the_header_is_ignored(app, tmp_path):
    client = another(app, tmp_path, SEARCH_LIMITS="2 per minute").test_client()

    assert statuses(client, "203.0.113.1", 2) == [200, 200]
    assert statuses(client, "203.0.113.2", 1) == [429]  # the same address to kx


def test_a_malformed_number_of_proxies_refuses_to_start(monkeypatch):
    monkeypatch.setenv("KX_TRUSTED_PROXIES", "all of them")

    with pytest.raises(RuntimeError, match="KX_TRUSTED_PROXIES"):
        create_app({"SECRET_KEY": "t"})
