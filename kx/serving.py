"""Readying a production worker before it takes its first request (``gunicorn.conf.py``)."""

import gc

from flask import Flask

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
