"""Evidence links: research that evaluates, supports, informs or contradicts a practice."""

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
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
    findings: Mapped[list["Finding"]] = relationship(
        back_populates="link",
        cascade="all, delete-orphan",
        order_by="Finding.position",
        lazy="selectin",
    )


class Finding(db.Model):
    """What a linked study found for one outcome of the practice (kx.evidence.ratings
    reads these)."""

    __tablename__ = "evidence_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_links.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16))
    effect_measure: Mapped[str | None] = mapped_column(String(8))
    effect_size: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    sample_size: Mapped[int | None]
    follow_up_months: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")

    link: Mapped[EvidenceLink] = relationship(back_populates="findings")

    # the fields a finding's JSON and its revisions carry, in the API's order
    FIELDS = (
        "outcome",
        "direction",
        "effect_measure",
        "effect_size",
        "ci_low",
        "ci_high",
        "sample_size",
        "follow_up_months",
        "note",
    )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}


class EvidenceVersion(db.Model):
    """One row whose value changes with every write that can move a rating or a count of
    evidence (kx.evidence.versions): what the gap map and theme pages are cached by."""

    __tablename__ = "evidence_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class EvidenceChange(db.Model):
    """A practice or study that the flush which made evidence version ``version`` changed
    (kx.evidence.snapshots brings its per-reader evidence up to date from these)."""

    __tablename__ = "evidence_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, index=True)
    practice_id: Mapped[int | None]
    research_id: Mapped[int | None]
