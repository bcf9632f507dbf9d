"""Practice examples: anonymised accounts of how a service works and what it achieved."""

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kx.extensions import db
from kx.records.models import Record


class Practice(Record, db.Model):
    __tablename__ = "practices"

    item_type = "practice"
    markdown_fields = (
        "body",
        "outcomes",
        "implementation",
        "challenges",
        "mechanism",
        "moderators",
        "economic_cost",
    )
    # EMMIE sections beside Effect (the rating): each with a strength-of-evidence note
    emmie_sections = ("mechanism", "moderators", "implementation", "economic_cost")
    revised_fields = (
        "title",
        "summary",
        *markdown_fields,
        *(f"{section}_strength" for section in emmie_sections),
        "domains",
        "countries",
        "organisation",
        "prevention_level",
        "stages",
        "target_population",
        "evaluation_status",
        "start_year",
        "end_year",
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
    mechanism: Mapped[str] = mapped_column(Text, default="")
    mechanism_html: Mapped[str] = mapped_column(Text, default="")
    moderators: Mapped[str] = mapped_column(Text, default="")
    moderators_html: Mapped[str] = mapped_column(Text, default="")
    economic_cost: Mapped[str] = mapped_column(Text, default="")
    economic_cost_html: Mapped[str] = mapped_column(Text, default="")
    # taxonomy.EVIDENCE_STRENGTHS slugs; None when the author did not say
    mechanism_strength: Mapped[str | None] = mapped_column(String(16))
    moderators_strength: Mapped[str | None] = mapped_column(String(16))
    implementation_strength: Mapped[str | None] = mapped_column(String(16))
    economic_cost_strength: Mapped[str | None] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    prevention_level: Mapped[str | None] = mapped_column(String(16))
    target_population: Mapped[str] = mapped_column(String(500), default="")
    evaluation_status: Mapped[str] = mapped_column(String(16), default="none")
    anonymised_confirmed: Mapped[bool] = mapped_column(default=False)
    # when the practice ran, as far as the author says (kx.practice.schemas checks them)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)

    stages = property(lambda self: self.slugs("stages"))

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.status}>"
