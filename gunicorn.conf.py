"""Gunicorn settings for serving kx: ``gunicorn -c gunicorn.conf.py``."""

import os

from kx.config import refuse_unshared_rate_limits

wsgi_app = "kx:create_app()"
bind = os.environ.get("KX_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))


def on_starting(server):
    """Refuse to start several workers that would each count rate limits alone."""
    refuse_unshared_rate_limits(server.cfg.workers)
