"""The rating rule: does a practice work, for which outcome, and how sure are we?

Pure (no database): ``rate`` takes the linked studies a viewer may see and answers with a
rating overall and per outcome. ``kx.evidence.services.ratings_for`` feeds it; the
/methods page explains it in words, and tests/evidence/test_rating_rule.py holds it to a
table of cases. Change the rule here and on that page together.

The rule, in order, for one outcome (or for all outcomes together, "overall"):

1. Only studies whose design can show an effect rate (systematic review down to
   cross-sectional); qualitative, case-study, expert-consensus and other designs describe
   but never rate. A ``contradicts`` link without findings is a no-effect finding of its
   study's design, counted overall. A study that reports several directions for the scope
   counts as "mixed".
2. The *strength* of a study is its design's place in the hierarchy (systematic review 5
   ... cross-sectional 1). A high risk of bias lowers the strength of a study *in the
   practice's favour* by one; evidence against the practice keeps its design's strength
   (the rule is cautious: a doubtful study may not make a practice look better).
3. With no rated study: insufficient.
4. A study that found harm (negative), of cohort design or stronger (2+), with nothing
   stronger in favour: harmful.
5. Evidence in favour (positive) is outweighed when a study of equal or stronger design
   found no effect, harm or mixed results: equal -> mixed; stronger -> no-effect (mixed
   when the strongest study found mixed results). So a contradicting study of equal or
   stronger design never leaves a practice effective or promising.
6. Otherwise, in favour with nothing as strong against:
   effective when the strongest is a systematic review, or at least two studies of
   quasi-experimental design or stronger, one a randomised trial, found a positive effect;
   promising when the strongest in favour is a trial, quasi-experiment or cohort study;
   insufficient when only cross-sectional studies (or downgraded ones) are in favour.
7. Nothing in favour: no-effect when a study of cohort design or stronger (2+) found no
   effect; mixed when one that strong found mixed results; otherwise insufficient.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from kx import taxonomy

RATED_DESIGNS = ("systematic-review", "rct", "quasi-experimental", "cohort", "cross-sectional")
STRENGTH = {design: len(RATED_DESIGNS) - rank for rank, design in enumerate(RATED_DESIGNS)}
QUASI, COHORT = STRENGTH["quasi-experimental"], STRENGTH["cohort"]
RCT, REVIEW = STRENGTH["rct"], STRENGTH["systematic-review"]
COUNTED_RELATIONS = ("evaluates", "contradicts")
OVERALL = None


class Study(NamedTuple):
    """A linked study as the rule reads it: one per visible, published research summary
    (a named tuple: a map builds thousands at once)."""

    research_id: int
    design: str
    relation: str
    risk_of_bias: str | None = None
    # (outcome, direction) pairs from the link's findings
    findings: tuple[tuple[str, str], ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the study counts in "number of studies" (findings or a relation that
        judges the practice)."""
        return bool(self.findings) or self.relation in COUNTED_RELATIONS

    def direction(self, outcome: str | None) -> str | None:
        """What the study found for ``outcome`` (None: overall), one direction or mixed."""
        if outcome is OVERALL and not self.findings and self.relation == "contradicts":
            return "no-effect"
        found = {d for o, d in self.findings if outcome is OVERALL or o == outcome}
        if not found:
            return None
        return found.pop() if len(found) == 1 else "mixed"


@dataclass(frozen=True)
class OutcomeRating:
    outcome: str
    rating: str
    studies: int
    strongest_design: str | None
    reason: str


@dataclass(frozen=True)
class Rating:
    overall: str
    studies: int
    reason: str
    strongest_design: str | None = None
    outcomes: tuple[OutcomeRating, ...] = field(default=())

    def as_json(self) -> dict:
        """The API's ``rating`` object."""
        return {
            "overall": self.overall,
            "studies": self.studies,
            "reason": self.reason,
            "outcomes": [
                {
                    "outcome": o.outcome,
                    "rating": o.rating,
                    "studies": o.studies,
                    "strongest_design": o.strongest_design,
                }
                for o in self.outcomes
            ],
        }


def judge(evidence: Iterable[tuple[str, str | None, str | None]]) -> tuple[str, str]:
    """``(rating, reason)`` for ``(design, direction, risk_of_bias)`` triples of one scope."""
    favour: list[tuple[int, str]] = []
    against: dict[str, list[tuple[int, str]]] = {"negative": [], "no-effect": [], "mixed": []}
    for design, direction, risk in evidence:
        if design not in STRENGTH or direction not in taxonomy.FINDING_DIRECTIONS:
            continue
        if direction == "positive":
            favour.append((STRENGTH[design] - (risk == "high"), design))
        else:
            against[direction].append((STRENGTH[design], design))
    best = max(favour, default=(0, ""))
    harm, null, mixed = (max(against[d], default=(0, "")) for d in against)
    contrary = max(harm, null, mixed)
    if not best[0] and not contrary[0]:
        return "insufficient", "No study of a design that can show an effect has findings yet."
    if harm[0] >= COHORT and harm[0] > best[0]:
        return (
            "harmful",
            f"A {_label(harm)} found a harmful effect; no stronger study found a benefit.",
        )
    if best[0] and contrary[0] == best[0]:
        return "mixed", (
            f"Studies of equal strength disagree: a {_label(best)} found a positive effect, "
            f"a {_label(contrary)} did not."
        )
    if best[0] and contrary[0] > best[0]:
        if contrary is mixed:
            return "mixed", f"The strongest study, a {_label(mixed)}, found mixed results."
        return "no-effect", (
            f"A {_label(contrary)} found no benefit, outweighing weaker studies in favour."
        )
    if best[0]:
        strong = [s for s in favour if s[0] >= QUASI]
        if best[0] >= REVIEW or (best[0] >= RCT and len(strong) >= 2):
            found = f"A {_label(best)}" if len(strong) == 1 else f"{len(strong)} strong studies"
            return "effective", (
                f"{found} found a positive effect and no study as strong found otherwise."
            )
        if best[0] >= COHORT:
            return "promising", (
                f"A {_label(best)} found a positive effect and none as strong found otherwise; "
                "more or stronger studies would make it certain."
            )
        return "insufficient", "Only studies of weak design found a positive effect."
    if null[0] >= COHORT and null[0] >= mixed[0]:
        return "no-effect", f"A {_label(null)} found no effect and no study found a benefit."
    if mixed[0] >= COHORT:
        return "mixed", f"A {_label(mixed)} found mixed results and no study found a clear benefit."
    return "insufficient", "Only studies of weak design have findings so far."


# "A quasi-experimental found ..." needs its noun; other labels already name a study
NOUNS = {
    "quasi-experimental": "quasi-experimental study",
    "cross-sectional": "cross-sectional study",
}


def _label(study: tuple[int, str]) -> str:
    return NOUNS.get(study[1]) or taxonomy.label("study_designs", study[1]).lower()


def _strongest(studies: Iterable[Study]) -> str | None:
    designs = [s.design for s in studies]
    order = list(taxonomy.STUDY_DESIGNS)
    return min(designs, key=lambda d: order.index(d) if d in order else len(order), default=None)


def rate(studies: Iterable[Study]) -> Rating:
    """The rating overall and per outcome from the studies a viewer may see."""
    counted = [s for s in studies if s.counted]
    overall, reason = judge((s.design, s.direction(OVERALL), s.risk_of_bias) for s in counted)
    outcomes = []
    for outcome in taxonomy.OUTCOMES:
        about = [s for s in counted if s.direction(outcome) is not None]
        if not about:
            continue
        rating, why = judge((s.design, s.direction(outcome), s.risk_of_bias) for s in about)
        outcomes.append(OutcomeRating(outcome, rating, len(about), _strongest(about), why))
    return Rating(
        overall=overall,
        studies=len(counted),
        reason=reason,
        strongest_design=_strongest(counted),
        outcomes=tuple(outcomes),
    )
