"""The audit log: staff actions (verifications, roles, reviews, moderation) and changes members
make to their own account (profile, sector change requests)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kx.database import utcnow
from kx.extensions import db


class AuditEvent(db.Model):
    """One staff action: who did what to which record, and why."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User")


def record_audit(actor, action: str, target_type: str, target_id: int, **details) -> None:
    """Add an audit entry to the current transaction (call inside ``transaction()``)."""
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            details=details,
        )
    )


def audit_events(limit: int = 200) -> list[AuditEvent]:
    """The newest staff actions first."""
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
