"""Sending theme digests: what is due, as the owner may see it at send time, once.

A theme's first digest is due at the first run after it was created (or after its digest
was switched on) and covers the items published since then; each later one is due a
period after the previous and covers what was published since. A run records, per theme,
when it sent and up to when it covered, in the transaction that queues the mail, so a
second run (or one running beside it) sends nothing twice. A run with nothing new records
the period as covered and sends no mail.
"""

from datetime import datetime

from sqlalchemy import select

from kx.database import transaction, utcnow
from kx.errors import NotFound
from kx.extensions import db
from kx.kinds import KINDS
from kx.mail import absolute_url, queue_mail
from kx.notifications import services as notifications
from kx.notifications.services import GRACE, PERIOD_LENGTH
from kx.search import saved as themes
from kx.search.models import SavedSearch

#: items one digest lists at most; the theme's page has the rest
DIGEST_MAX = 50


def due(theme: SavedSearch, period: str, now: datetime) -> bool:
    if theme.digest != period:
        return False
    last = theme.digest_sent_at
    return last is None or now >= last + PERIOD_LENGTH[period] - GRACE


def _since(theme: SavedSearch) -> datetime:
    return theme.digest_from or theme.created_at


def new_items(theme: SavedSearch, since: datetime, until: datetime) -> tuple[list[dict], bool]:
    """The matches published after ``since`` (up to ``until``) that the owner may see now,
    newest first, with their summaries; and whether there were more than fit."""
    owner = theme.user
    results = themes.run(theme, per_page=DIGEST_MAX + 1, sort="newest")
    dates = themes.dates_of(results.hits)
    summaries = themes.summaries_of(results.hits)
    items = []
    for hit in results.hits:
        published = dates.get((hit.type, hit.id), (None,))[0]
        if published is None or not (since < published <= until):
            continue
        kind = KINDS[hit.type]
        try:  # the search answered as the owner; the kind's own rule has the last word
            item = kind.get(hit.id, owner)
        except NotFound:
            continue
        items.append(
            {
                "type": kind.singular,
                "title": item.title,
                "summary": summaries.get((hit.type, hit.id), ""),
                "link": absolute_url(kind.endpoint, **{kind.id_arg: hit.id}),
            }
        )
    return items[:DIGEST_MAX], len(items) > DIGEST_MAX


def send_due(period: str, now: datetime | None = None) -> int:
    """Send every ``period`` digest that is due; returns how many mails were queued."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(SavedSearch.id).where(SavedSearch.digest == period).order_by(SavedSearch.id)
    )
    return sum(1 for theme_id in list(ids) if _send(theme_id, period, now))


def _send(theme_id: int, period: str, now: datetime) -> bool:
    theme = db.session.get(SavedSearch, theme_id)
    if theme is None or not due(theme, period, now):
        return False
    owner = theme.user
    if owner is None or not owner.is_active or not owner.is_verified:
        return False
    since = _since(theme)
    items, more = new_items(theme, since, now)  # searching holds no write lock
    with transaction():
        # taken again under the lock: a run beside this one may have sent it meanwhile
        theme = db.session.scalar(
            select(SavedSearch)
            .where(SavedSearch.id == theme_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if theme is None or not due(theme, period, now) or _since(theme) != since:
            return False
        if items:
            unsubscribe = absolute_url(
                "digests.unsubscribe",
                token=notifications.sign_unsubscribe({"u": owner.id, "s": theme.id}),
            )
            count = len(items)
            queue_mail(
                owner,
                "theme_digest",
                f"{count}{'+' if more else ''} new in “{theme.name}”",
                headers=notifications.unsubscribe_headers(unsubscribe),
                theme=theme,
                period=period,
                items=items,
                more=more,
                theme_link=absolute_url("search_pages.theme", saved_id=theme.id),
                manage_link=absolute_url("search_pages.manage_theme", saved_id=theme.id),
                unsubscribe_link=unsubscribe,
            )
        theme.digest_from = now
        theme.digest_sent_at = now
    return bool(items)


def unsubscribe_target(token: str) -> SavedSearch:
    """The theme an unsubscribe link stops; NotFound for a bad link or a theme gone."""
    payload = notifications.read_unsubscribe(token)
    theme = (
        db.session.get(SavedSearch, payload.get("s")) if isinstance(payload.get("s"), int) else None
    )
    if theme is None or theme.user_id != payload["u"]:
        raise NotFound("This unsubscribe link is not valid.")
    return theme


def unsubscribe(token: str) -> SavedSearch:
    """Switch off the digest of the theme the link names, and nothing else."""
    theme = unsubscribe_target(token)
    themes.stop_digest(theme)
    return theme


def send_period(period: str) -> tuple[int, int]:
    """Queue every ``period`` mail that is due, notification summaries and theme digests
    (for the CLI and the worker's schedule); returns (digests, summaries) queued."""
    summaries = notifications.send_summaries(period)
    return send_due(period), summaries
