"""Readying a production worker before it takes its first request (``gunicorn.conf.py``)."""

import gc
import os

from flask import Flask

from kx.config import unreachable_database

#: seconds ``refuse_unreachable_services`` waits for each service
REACH_TIMEOUT_SECONDS = 5

#: Pages whose first view builds what every later view reuses: the anonymous reader's
#: evidence (the gap map and theme pages aggregate it) and the main templates.
WARM_PAGES = ("/", "/practices", "/research", "/gap-map", "/topics")


def warm(app: Flask) -> None:
    """Request ``WARM_PAGES`` in-process, then ``settle`` what they built."""
    client = app.test_client()
    for page in WARM_PAGES:
        client.get(page)
    settle()


def settle() -> None:
    """Collect garbage, then move every object alive now out of the cyclic collector's
    sight (``gc.freeze``).

    A worker holds hundreds of thousands of long-lived objects (modules, mappers, compiled
    templates, a reader's evidence). Each full collection walks them all, 100-200 ms at
    20,000 items, and it falls inside whichever request happens to be running. Frozen
    objects are still freed by reference counting when dropped; only garbage in reference
    cycles among them would wait for ``gc.unfreeze``, which is why the collection comes
    first and why this runs once, at start.
    """
    gc.collect()
    gc.freeze()


def refuse_unreachable_services() -> None:
    """Refuse to start when the PostgreSQL database (``KX_DATABASE_URL``) or the Redis
    rate-limit store (``KX_RATELIMIT_STORAGE_URI``) does not answer, naming the variable:
    every worker would otherwise fail each request it takes."""
    import psycopg
    import redis
    from sqlalchemy import make_url

    url = os.environ.get("KX_DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres:")):
        address = make_url(url).set(drivername="postgresql")
        try:
            psycopg.connect(
                address.render_as_string(hide_password=False),
                connect_timeout=REACH_TIMEOUT_SECONDS,
            ).close()
        except psycopg.Error as exc:
            shown = address.render_as_string(hide_password=True)
            raise RuntimeError(unreachable_database(f"{shown}: {exc}".strip())) from exc
    storage = os.environ.get("KX_RATELIMIT_STORAGE_URI", "")
    if storage.startswith(("redis://", "rediss://")):
        try:
            redis.Redis.from_url(
                storage,
                socket_connect_timeout=REACH_TIMEOUT_SECONDS,
                socket_timeout=REACH_TIMEOUT_SECONDS,
            ).ping()
        except redis.RedisError as exc:
            shown = make_url(storage).render_as_string(hide_password=True)
            raise RuntimeError(
                f"Cannot reach the Redis server KX_RATELIMIT_STORAGE_URI names ({shown}): {exc}"
            ) from exc
