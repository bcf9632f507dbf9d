"""The stored notification (one recipient, one kind, what it is about), the member's mail
preference per topic, and the summaries the digests command sent."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kx.database import utcnow
from kx.extensions import db


class Notification(db.Model):
    """About a forum thread (``thread_id``, maybe ``post_id``), a record (``item_type`` and
    ``item_id``, e.g. a practice example) or the account itself (neither)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # see kx.notifications.catalogue.KINDS
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE")
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    item_type: Mapped[str | None] = mapped_column(String(16))
    item_id: Mapped[int | None]
    # what the kind's sentence needs besides the target (a moderator's reason, a rating)
    text: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # when a message (at once, or a summary) told the recipient about it
    mailed_at: Mapped[datetime | None]

    thread = relationship("Thread")
    actor = relationship("User", foreign_keys=[actor_id])


class NotificationPreference(db.Model):
    """How a member wants mail about one topic; no row means the topic's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(32))
    setting: Mapped[str] = mapped_column(String(16))


class NotificationSummary(db.Model):
    """One daily or weekly summary mail sent to a member, and how many notifications it held."""

    __tablename__ = "notification_summaries"
    __table_args__ = (Index("ix_notification_summaries_user_period", "user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    count: Mapped[int] = mapped_column(default=0)
