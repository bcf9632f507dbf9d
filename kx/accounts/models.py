"""Users, API tokens and the audit log of staff actions."""

from datetime import datetime

from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String, Text
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
    sector: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="member")
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Bumped by logout, password change, deactivation and "log out everywhere": every
    # session cookie, remember-me cookie and API token issued before then stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    verified_by: Mapped["User | None"] = relationship(remote_side=[id])

    def get_id(self) -> str:
        """Flask-Login's id carries the session version, so a bump invalidates old cookies."""
        return f"{self.id}:{self.session_version}"

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
