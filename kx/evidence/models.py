"""Evidence links: research that evaluates, supports, informs or contradicts a practice."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from kx.database import utcnow
from kx.extensions import db
from kx.practice.models import Practice
from kx.research.models import Research


class EvidenceLink(db.Model):
    """Research that evaluates, supports, informs or contradicts a practice."""

    __tablename__ = "evidence_links"
    # Covering indexes for evidence levels: a page's practices (practice_id first) and every
    # practice's best design at once (research_id first, kx.evidence.services.best_evidence).
    __table_args__ = (
        UniqueConstraint("research_id", "practice_id"),
        Index("ix_evidence_links_practice_relation", "practice_id", "relation", "research_id"),
        Index("ix_evidence_links_research_relation", "research_id", "relation", "practice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    research_id: Mapped[int] = mapped_column(
        ForeignKey("research.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Declared from this side so that kx.research need not know about evidence; a deleted
    # summary takes its links with it, as before.
    research: Mapped[Research] = relationship(
        backref=backref("links", cascade="all, delete-orphan")
    )
    practice: Mapped[Practice] = relationship()
    created_by = relationship("User")
