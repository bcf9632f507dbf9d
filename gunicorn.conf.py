"""Gunicorn settings for serving kx: ``gunicorn -c gunicorn.conf.py``."""

import os

from kx.config import refuse_unshared_rate_limits
from kx.serving import refuse_unreachable_services, warm

wsgi_app = "kx:create_app()"
bind = os.environ.get("KX_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("KX_THREADS", "1"))
# One line per request on standard output, as key=value pairs a log shipper can split:
# the proxy's address (h) and, behind KX_TRUSTED_PROXIES, the forwarded client address.
accesslog = "-"
access_log_format = (
    'remote=%(h)s forwarded_for="%({x-forwarded-for}i)s" method=%(m)s path="%(U)s" '
    'status=%(s)s bytes=%(B)s duration_ms=%(M)s agent="%(a)s"'
)


def on_starting(server):
    """Refuse to start several workers that would each count rate limits alone, or with a
    database or Redis server that does not answer."""
    refuse_unshared_rate_limits(server.cfg.workers)
    refuse_unreachable_services()


def post_worker_init(worker):
    """Build the first requests' caches and settle the heap before taking requests."""
    warm(worker.wsgi)
