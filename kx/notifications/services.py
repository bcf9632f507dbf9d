"""Adding, counting, listing and marking notifications.

``add`` works inside the caller's transaction (the forum notifies as it posts); the rest
read, or commit on their own. A notification about a thread the recipient can no longer
read (deleted, or moved to a category closed to them) is never counted as unread.
"""

from sqlalchemy import func, select

from kx.accounts import services as accounts
from kx.database import transaction, utcnow
from kx.extensions import db
from kx.forum.models import Thread
from kx.forum.rules import readable_categories
from kx.notifications.models import Notification
from kx.records.rules import signed_in


def add(user_id: int, kind: str, thread: Thread, post, actor) -> None:
    """Tell ``user_id`` that ``actor`` did ``kind`` in ``thread`` (at ``post``, if any)."""
    db.session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            thread_id=thread.id,
            post_id=post.id if post else None,
            actor_id=actor.id,
        )
    )


def readable(notification: Notification, user) -> bool:
    """Whether the thread ``notification`` is about is still there for ``user`` to read."""
    thread = notification.thread
    return (
        thread is not None
        and thread.deleted_at is None
        and thread.category in readable_categories(user)
    )


def unread_count(user) -> int:
    """Unread notifications about threads ``user`` may still read."""
    if not signed_in(user):
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id))
            .join(Thread, Thread.id == Notification.thread_id)
            .where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                Thread.deleted_at.is_(None),
                Thread.category.in_(readable_categories(user)),
            )
        )
        or 0
    )


def notifications(user, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(user, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of ``user``'s notifications read; returns how many changed."""
    statement = select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    with transaction():
        items = list(db.session.scalars(statement))
        for item in items:
            item.read_at = utcnow()
    return len(items)


def _erase(user) -> None:
    db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))


accounts.register_erasure(_erase)
