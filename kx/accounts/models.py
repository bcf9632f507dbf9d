"""Users, their browser sessions, API tokens and the audit log of staff actions."""

from datetime import datetime

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kx.audit import AuditEvent  # noqa: F401  (re-exported: the audit log began here)
from kx.database import utcnow
from kx.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The sector a moderator verified: every access rule reads it. A member asks to change
    # it with a ``SectorChangeRequest``. Sector and country are erased (None) on deletion.
    sector: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="member")
    verified_at: Mapped[datetime | None]
    # When the member showed they read mail at ``email`` (a link sent there, followed).
    email_confirmed_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Bumped by "sign out everywhere", password change, deactivation and role or sector
    # changes: every browser session and API token issued before then stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    verified_by: Mapped["User | None"] = relationship(remote_side=[id])

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and self.is_active

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin") and self.is_active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.is_active

    @property
    def public_name(self) -> str:
        return "Former member" if self.deleted_at else self.display_name

    @property
    def public_sector(self) -> str | None:
        """The sector shown beside this user's work; none for a former member."""
        return None if self.deleted_at else self.sector

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AnonymousUser(AnonymousUserMixin):
    """A signed-out visitor: answers the same questions as ``User``, always with no."""

    id = None
    sector = None
    role = None
    is_verified = False
    is_moderator = False
    is_admin = False
    display_name = public_name = ""


SECTOR_REQUEST_STATUSES = ("pending", "approved", "declined", "withdrawn")


class SectorChangeRequest(db.Model):
    """A member asks a moderator to change their verified sector."""

    __tablename__ = "sector_change_requests"
    # At most one pending request per user, even when two saves race.
    __table_args__ = (
        Index(
            "uq_sector_change_requests_pending",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sector: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(1000), default="")
    # When the member was shown the decision (a notice on their next profile visit).
    outcome_seen_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_valid(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > now
            and self.session_version == self.user.session_version
            and self.user.is_active
        )


class UserSession(db.Model):
    """One signed-in browser; only the SHA-256 digest of the id in its cookie is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The user's ``session_version`` at sign-in: a later bump ends this session too.
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User] = relationship()

    def is_valid(self) -> bool:
        return self.session_version == self.user.session_version and self.user.is_active


class PasswordResetRequest(db.Model):
    """A password reset asked for an address, before anyone looked whether an account has
    it: the request records this row and nothing else, whatever the address, so its answer
    takes the same time; the mail sender composes the link (or drops the row) afterwards."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
