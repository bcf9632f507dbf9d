"""Practice examples: anonymised accounts of how a service works and what it achieved."""

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kx.extensions import db
from kx.records.models import Record


class Practice(Record, db.Model):
    __tablename__ = "practices"
    # Lists show published items newest first: walked in this order, a page stops after 20.
    # "My items": an author's items of one status, most recently changed first.
    __table_args__ = (
        Index("ix_practices_status_published", "status", "published_at", "created_at"),
        Index("ix_practices_author_status", "author_id", "status", "updated_at"),
    )

    item_type = "practice"
    markdown_fields = ("body", "outcomes", "implementation", "challenges")
    revised_fields = (
        "title",
        "summary",
        "body",
        "outcomes",
        "implementation",
        "challenges",
        "domains",
        "countries",
        "organisation",
        "prevention_level",
        "stages",
        "target_population",
        "evaluation_status",
        "visibility",
        "restricted_sectors",
    )

    summary: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    outcomes_html: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(Text, default="")
    implementation_html: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    challenges_html: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    prevention_level: Mapped[str | None] = mapped_column(String(16))
    target_population: Mapped[str] = mapped_column(String(500), default="")
    evaluation_status: Mapped[str] = mapped_column(String(16), default="none")
    anonymised_confirmed: Mapped[bool] = mapped_column(default=False)

    stages = property(lambda self: self.slugs("stages"))

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.status}>"
