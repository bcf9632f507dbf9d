"""The rating rule, case by case: each row is a set of linked studies and what a reader
should be told about the practice."""

import pytest

from kx import taxonomy
from kx.evidence.ratings import Study, rate


def study(design, *findings, relation="evaluates", risk=None, research_id=None):
    """A study of ``design`` with ``(outcome, direction)`` findings."""
    study.ids = getattr(study, "ids", 0) + 1
    return Study(research_id or study.ids, design, relation, risk, tuple(findings))


REOFF = "sexual-reoffending"
HELP = "help-seeking"

CASES = [
    # (why, studies, overall rating)
    ("nothing linked", [], "insufficient"),
    ("a link that only informs", [study("rct", relation="informs")], "insufficient"),
    ("evaluated but no findings recorded", [study("rct")], "insufficient"),
    (
        "descriptive designs never rate",
        [study("qualitative", (HELP, "positive")), study("case-study", (HELP, "positive"))],
        "insufficient",
    ),
    (
        "a systematic review in favour",
        [study("systematic-review", (REOFF, "positive"))],
        "effective",
    ),
    (
        "two trials in favour",
        [study("rct", (REOFF, "positive")), study("rct", (REOFF, "positive"))],
        "effective",
    ),
    (
        "a trial and a quasi-experiment in favour",
        [study("rct", (REOFF, "positive")), study("quasi-experimental", (REOFF, "positive"))],
        "effective",
    ),
    ("one trial in favour", [study("rct", (REOFF, "positive"))], "promising"),
    ("one cohort study in favour", [study("cohort", (REOFF, "positive"))], "promising"),
    (
        "two quasi-experiments are promising, not effective (no trial)",
        [study("quasi-experimental", (REOFF, "positive"))] * 2,
        "promising",
    ),
    (
        "only a cross-sectional study in favour",
        [study("cross-sectional", (HELP, "positive"))],
        "insufficient",
    ),
    (
        "a high risk of bias lowers evidence in favour",
        [study("systematic-review", (REOFF, "positive"), risk="high")],
        "promising",
    ),
    (
        "a contradicting trial equals a trial in favour",
        [study("rct", (REOFF, "positive")), study("rct", (REOFF, "no-effect"))],
        "mixed",
    ),
    (
        "a contradicts link without findings is a no-effect finding of its design",
        [
            study("quasi-experimental", (HELP, "positive")),
            study("quasi-experimental", relation="contradicts"),
        ],
        "mixed",
    ),
    (
        "a stronger contradicting study outweighs weaker support",
        [study("cohort", (REOFF, "positive")), study("rct", relation="contradicts")],
        "no-effect",
    ),
    (
        "a biased contradicting study keeps its design's strength",
        [study("rct", (REOFF, "positive")), study("rct", (REOFF, "no-effect"), risk="high")],
        "mixed",
    ),
    (
        "a weaker contradicting study does not outweigh two trials",
        [
            study("rct", (REOFF, "positive")),
            study("rct", (REOFF, "positive")),
            study("cross-sectional", (REOFF, "no-effect")),
        ],
        "effective",
    ),
    ("a trial finding no effect", [study("rct", (REOFF, "no-effect"))], "no-effect"),
    (
        "a cross-sectional study finding no effect",
        [study("cross-sectional", (REOFF, "no-effect"))],
        "insufficient",
    ),
    ("a trial finding harm", [study("rct", (REOFF, "negative"))], "harmful"),
    (
        "harm outweighs weaker support",
        [study("cohort", (REOFF, "positive")), study("quasi-experimental", (REOFF, "negative"))],
        "harmful",
    ),
    (
        "harm and benefit of equal strength",
        [study("rct", (REOFF, "positive")), study("rct", (REOFF, "negative"))],
        "mixed",
    ),
    ("a trial with mixed results", [study("rct", (REOFF, "mixed"))], "mixed"),
    (
        "a study reporting different directions for its outcomes is mixed overall",
        [study("rct", (REOFF, "no-effect"), (HELP, "positive"))],
        "mixed",
    ),
]


@pytest.mark.parametrize(("why", "studies", "expected"), CASES, ids=[c[0] for c in CASES])
def test_overall_rating(why, studies, expected):
    rating = rate(studies)
    assert rating.overall == expected, f"{why}: {rating.reason}"
    assert rating.reason


def test_every_rating_is_reachable():
    assert {case[2] for case in CASES} == set(taxonomy.RATINGS)


@pytest.mark.parametrize("design", ["systematic-review", "rct", "quasi-experimental", "cohort"])
def test_a_contradicting_study_of_equal_or_stronger_design_never_leaves_effective_or_promising(
    design,
):
    designs = list(taxonomy.STUDY_DESIGNS)
    weaker_or_equal = designs[designs.index(design) :]
    for positive_design in weaker_or_equal:
        for support in (1, 2, 3):
            studies = [study(positive_design, (REOFF, "positive")) for _ in range(support)]
            for against in ("no-effect", "negative", "mixed", None):
                if against is None:
                    contra = study(design, relation="contradicts")
                else:
                    contra = study(design, (REOFF, against))
                assert rate([*studies, contra]).overall not in ("effective", "promising")


def test_outcomes_are_rated_separately_with_their_strongest_design():
    rating = rate(
        [
            study("rct", (REOFF, "no-effect"), (HELP, "positive")),
            study("quasi-experimental", (HELP, "positive")),
            study("qualitative", (HELP, "positive")),
        ]
    )
    by_outcome = {o.outcome: o for o in rating.outcomes}
    assert set(by_outcome) == {REOFF, HELP}
    assert by_outcome[REOFF].rating == "no-effect"
    assert by_outcome[REOFF].studies == 1
    assert by_outcome[HELP].rating == "effective"
    assert by_outcome[HELP].studies == 3
    assert by_outcome[HELP].strongest_design == "rct"
    assert rating.studies == 3
    assert rating.strongest_design == "rct"


def test_studies_count_findings_or_judging_relations_only():
    rating = rate(
        [
            study("rct"),  # evaluates, no findings yet: counted
            study("cohort", relation="contradicts"),  # counted
            study("rct", relation="supports"),  # no findings: not counted
            study("rct", (HELP, "positive"), relation="informs"),  # findings: counted
        ]
    )
    assert rating.studies == 3


def test_json_shape():
    data = rate([study("rct", (REOFF, "positive"))]).as_json()
    assert data == {
        "overall": "promising",
        "studies": 1,
        "reason": data["reason"],
        "outcomes": [
            {"outcome": REOFF, "rating": "promising", "studies": 1, "strongest_design": "rct"}
        ],
    }
