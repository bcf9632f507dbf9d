"""Searching as a given viewer: the only entry point views and the API use."""

import time

from flask import current_app

from kx.records.models import viewer_kind
from kx.search import indexing
from kx.search.backend import Audience, Hit, Query, Results


def audience_of(viewer) -> Audience:
    """What the visibility filter needs to know about ``viewer``, from the same viewer kinds
    as ``kx.records.models.visible_to``."""
    kind = viewer_kind(viewer)
    if kind == "moderator":
        return Audience(everything=True)
    if kind == "member":
        return Audience(members=True, sector=viewer.sector)
    return Audience()


#: How long a search waits for the index lock to apply waiting rows before it answers
#: from the index as it is (a rebuild or a long write holds the lock).
HEAL_WAIT = 0.1


def _heal() -> None:
    """Apply waiting outbox rows (a crash, or a busy index, may have left some).

    Never fails the search: a row that cannot be applied stays for ``search check``.
    """
    if indexing.pending():
        try:
            indexing.apply_outbox(timeout=HEAL_WAIT)
        except Exception:
            current_app.logger.exception("applying the search outbox failed; rows kept")


def deadline() -> float:
    """When a search started now must stop (``SEARCH_TIME_BUDGET`` seconds from now)."""
    return time.monotonic() + current_app.config["SEARCH_TIME_BUDGET"]


def search(viewer, query: Query, until: float | None = None) -> Results:
    """Published items matching ``query`` that ``viewer`` may see, with facets; partial
    (``Results.partial``) when the time budget, or ``until``, runs out first."""
    _heal()
    return indexing.backend().search(query, audience_of(viewer), until or deadline())


def related(item, viewer, limit: int = 5) -> list[Hit]:
    """Items like ``item`` that ``viewer`` may see (more-like-this)."""
    return indexing.backend().related(f"{item.item_type}:{item.id}", audience_of(viewer), limit)
