"""Rate limits hold across workers when KX_RATELIMIT_STORAGE_URI points at Redis."""

import uuid

import redis

from kx import create_app

REDIS = "redis://127.0.0.1:6379/15"


def test_two_workers_sharing_redis_share_the_login_limit(app):
    redis.Redis.from_url(REDIS).ping()  # the suite expects the machine's Redis
    prefix = f"kx-test-{uuid.uuid4().hex}"
    settings = {
        **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")},
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_LIMITS": "3 per minute",
        "WTF_CSRF_ENABLED": False,
    }
    workers = [create_app(settings).test_client() for _ in range(2)]
    wrong = {"email": "nobody@example.org", "password": "not the password at all"}
    statuses = [workers[i % 2].post("/login", data=wrong).status_code for i in range(5)]
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3:] == [429, 429]
