"""Forum records. Categories are a fixed vocabulary (``CATEGORIES``); only their
visibility is stored, so a missing row means the default, members-only."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kx import taxonomy
from kx.database import utcnow
from kx.extensions import db

CATEGORIES = {**taxonomy.DOMAINS, "cross-disciplinary": "Cross-disciplinary"}
KINDS = {"discussion": "Discussion", "question": "Question", "research-need": "Research need"}
NEED_STATUSES = {
    "open": "Open",
    "claimed": "Claimed",
    "in-progress": "In progress",
    "addressed": "Addressed",
}
REPORT_REASONS = {
    "spam": "Spam",
    "off-topic": "Off-topic",
    "identifying-information": "Identifying information",
    "abusive": "Abusive",
    "illegal-material": "Illegal material",
}
DEFAULT_CATEGORY_VISIBILITY = "members"


class CategorySetting(db.Model):
    __tablename__ = "forum_categories"

    slug: Mapped[str] = mapped_column(String(32), primary_key=True)
    visibility: Mapped[str] = mapped_column(String(16), default=DEFAULT_CATEGORY_VISIBILITY)


class Thread(db.Model):
    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_category_activity", "category", "last_post_at"),)

    item_type = "thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="discussion")
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # research needs only: open, claimed, in-progress, addressed
    status: Mapped[str | None] = mapped_column(String(16))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    addressed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("research.id", ondelete="SET NULL")
    )
    locked: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    author = relationship("User", foreign_keys=[author_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    addressed_by = relationship("Research")
    posts: Mapped[list["Post"]] = relationship(
        back_populates="thread", order_by="Post.id", cascade="all, delete-orphan"
    )
    links: Mapped[list["ThreadLink"]] = relationship(cascade="all, delete-orphan")
    votes: Mapped[list["Vote"]] = relationship(cascade="all, delete-orphan")


class Post(db.Model):
    __tablename__ = "forum_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    quote_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    # hidden: by a moderator, or at once by an illegal-material report, pending review
    hidden: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None]
    deleted_by_moderator: Mapped[bool] = mapped_column(default=False)
    # a research need's status change, shown in the thread: the new status, else empty
    event: Mapped[str] = mapped_column(String(16), default="")

    thread: Mapped[Thread] = relationship(back_populates="posts")
    author = relationship("User")
    quote_of = relationship("Post", remote_side=[id])
    revisions: Mapped[list["PostRevision"]] = relationship(
        order_by="PostRevision.id", cascade="all, delete-orphan"
    )


class PostRevision(db.Model):
    """A post's text before one edit (visible to moderators)."""

    __tablename__ = "forum_post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor = relationship("User")


class ThreadLink(db.Model):
    """A thread about a practice example or a research summary."""

    __tablename__ = "forum_thread_links"
    __table_args__ = (
        UniqueConstraint("thread_id", "item_type", "item_id"),
        Index("ix_forum_thread_links_item", "item_type", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    item_type: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]


class Vote(db.Model):
    """One member's vote for a research need, with their sector at the time."""

    __tablename__ = "forum_votes"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(db.Model):
    __tablename__ = "forum_reports"
    # a member's recent illegal-material reports are counted on every new one
    __table_args__ = (Index("ix_forum_reports_reporter_created", "reporter_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str] = mapped_column(String(32), default="")
    # an illegal-material report hides its post at once (hid_post) while its reporter has
    # hidden fewer than a few unconfirmed posts that day; past that it waits, marked urgent
    hid_post: Mapped[bool] = mapped_column(default=False, server_default=false())
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())

    post: Mapped[Post] = relationship()
    reporter = relationship("User", foreign_keys=[reporter_id])


class Follow(db.Model):
    """A member follows a thread (target = id), a category or a domain (target = slug)."""

    __tablename__ = "forum_follows"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(32))
