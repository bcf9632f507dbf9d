"""A practice's "at a glance" box: does it work, for which outcome, how sure are we, what
speaks for and against it, and what is known beyond the effect (EMMIE).

Only published research the viewer may see is read, as by the rating itself; the rating
comes from ``kx.evidence.services.rating_of``, never from a rule of its own here.
"""

from dataclasses import dataclass

from kx.evidence import services
from kx.evidence.models import EvidenceLink, Finding
from kx.evidence.ratings import OutcomeRating, Rating
from kx.practice.models import Practice

EMMIE_HEADINGS = {
    "mechanism": "Mechanism",
    "moderators": "Moderators",
    "implementation": "Implementation",
    "economic_cost": "Economic cost",
}
AGAINST = ("no-effect", "negative")


@dataclass(frozen=True)
class Effect:
    """An effect size a study reported for one outcome."""

    link: EvidenceLink
    finding: Finding


@dataclass(frozen=True)
class OutcomeRow:
    rating: OutcomeRating
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Section:
    """One EMMIE section: its rendered text (empty: not described) and its strength."""

    name: str
    heading: str
    html: str
    strength: str | None


@dataclass(frozen=True)
class Glance:
    rating: Rating
    outcomes: tuple[OutcomeRow, ...]
    in_favour: tuple[EvidenceLink, ...]
    against: tuple[EvidenceLink, ...]
    sections: tuple[Section, ...]


def in_favour(link: EvidenceLink) -> bool:
    """Whether a study speaks for the practice: a positive finding, or it supports it."""
    if link.findings:
        return any(f.direction == "positive" for f in link.findings)
    return link.relation == "supports"


def against(link: EvidenceLink) -> bool:
    """Whether a study speaks against it: no effect or harm found, or it contradicts it."""
    return link.relation == "contradicts" or any(f.direction in AGAINST for f in link.findings)


def at_a_glance(practice: Practice, viewer, evidence: list) -> Glance:
    """What the practice page's "at a glance" box shows ``viewer``, from the page's
    ``evidence_for_practice`` (read once for the box and the evidence panel)."""
    rating = services.rating_of(practice, viewer)
    # the rating counts published research only; a draft the viewer can see is not evidence
    links = [link for link in evidence if link.research.is_published]
    outcomes = tuple(
        OutcomeRow(
            row,
            tuple(
                Effect(link, finding)
                for link in links
                for finding in link.findings
                if finding.outcome == row.outcome and finding.effect_size is not None
            ),
        )
        for row in rating.outcomes
    )
    sections = tuple(
        Section(
            name,
            EMMIE_HEADINGS[name],
            getattr(practice, f"{name}_html") or "",
            getattr(practice, f"{name}_strength"),
        )
        for name in Practice.emmie_sections
    )
    return Glance(
        rating=rating,
        outcomes=outcomes,
        in_favour=tuple(link for link in links if in_favour(link)),
        against=tuple(link for link in links if against(link)),
        sections=sections,
    )
