"""The outcomes a finding records on an evidence link are words of the items at both
ends ("wellbeing" finds the practice a study measured wellbeing for), but only where the
item at the other end is published and public: a word never tells that a members-only or
restricted study exists."""

from kx.evidence import services as evidence
from kx.extensions import db
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.search import VIEWERS, no_drift


def _link(kx, practice_id, research_id, *outcomes, by="moderator"):
    with kx.app.app_context():
        findings = [{"outcome": outcome, "direction": "positive"} for outcome in outcomes]
        link = evidence.link_evidence(
            kx.user(by),
            db.session.get(Practice, practice_id),
            db.session.get(Research, research_id),
            "evaluates",
            findings=findings,
        )
        return link.id


def _items(kx):
    practice = kx.practice("Peer mentoring scheme", "Mentors meet clients weekly.")
    study = kx.research(
        "Evaluation of a mentoring scheme", "A cohort study.", study_design="cohort"
    )
    return practice, study


def test_an_outcome_a_public_study_measured_finds_the_practice_and_the_study(kx):
    practice, study = _items(kx)
    assert kx.keys("wellbeing") == set()
    _link(kx, practice, study, "wellbeing", "help-seeking")
    for viewer in VIEWERS:
        assert kx.keys("wellbeing", viewer) == {f"practice:{practice}", f"research:{study}"}
    assert kx.keys("help-seeking") == {f"practice:{practice}", f"research:{study}"}
    assert no_drift(kx.drift())


def test_an_outcome_of_a_members_only_study_is_no_word_of_the_practice(kx):
    practice = kx.practice("Peer mentoring scheme", "Mentors meet clients weekly.")
    study = kx.research(
        "Members' mentoring evaluation",
        "A cohort study.",
        study_design="cohort",
        visibility="members",
    )
    _link(kx, practice, study, "wellbeing")
    for viewer in VIEWERS:
        expected = {f"research:{study}"} if viewer not in (None, "unverified") else set()
        assert kx.keys("wellbeing", viewer) == expected
    assert no_drift(kx.drift())


def test_an_outcome_follows_the_finding_and_the_studys_visibility(kx):
    practice, study = _items(kx)
    link_id = _link(kx, practice, study, "wellbeing")
    with kx.app.app_context():
        link = evidence.get_link(link_id, kx.user("moderator"))
        evidence.update_link(
            kx.user("moderator"), link, findings=[{"outcome": "detection", "direction": "mixed"}]
        )
    assert kx.keys("wellbeing") == set()
    assert f"practice:{practice}" in kx.keys("detection")
    kx.edit_research(study, visibility="members")
    assert kx.keys("detection") == set()
    assert kx.keys("detection", "le") == {f"research:{study}"}
    assert no_drift(kx.drift())
