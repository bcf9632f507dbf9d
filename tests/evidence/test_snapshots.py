"""Each reader's evidence is kept up to date change by change: after any sequence of
changes it holds exactly what reading everything again would give, and a reader that
fell too far behind starts again."""

from kx.accounts.models import AnonymousUser, User
from kx.database import transaction
from kx.evidence import services as evidence_services
from kx.evidence import snapshots, versions
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice.models import Practice
from kx.records import services as records
from kx.research.models import Research
from tests.support.evidence import add_link, add_practice, add_research


def _held_and_fresh(app, member) -> list[tuple]:
    """Per reader, (what the kept evidence holds, what reading everything gives)."""
    pairs = []
    with app.app_context():
        for reader in (AnonymousUser(), db.session.get(User, member.id)):
            held = snapshots.evidence(reader)
            studies, tags = snapshots._practices(reader)
            fresh = snapshots.Evidence(
                held.version, studies, tags, snapshots._research(reader), {}, _carrying(tags)
            )
            pairs.append(
                (
                    (held.studies, held.tags, held.research, _carrying_some(held)),
                    (fresh.studies, fresh.tags, fresh.research, _carrying_some(fresh)),
                )
            )
    return pairs


def _carrying(tags) -> dict:
    """Which practices carry each tag, read from every practice's tags one by one."""
    found: dict = {}
    for practice_id, tagged in tags.items():
        for parameter in snapshots.PARAMETERS:
            for slug in tagged.slugs(parameter):
                found.setdefault((parameter, slug), set()).add(practice_id)
    return found


def _carrying_some(evidence) -> dict:
    """``evidence.carrying`` without the tags no practice carries any more."""
    return {key: set(ids) for key, ids in evidence.carrying.items() if ids}


def _world(app, make_user):
    author = make_user(sector="academic")
    member = make_user(sector="treatment")
    circles = add_practice(app, author, "Circles", domains=["treatment"], countries=["GB"])
    helpline = add_practice(app, author, "Helpline", domains=["prevention"], countries=["DE"])
    trial = add_research(app, author, "Trial", "rct")
    cohort = add_research(app, author, "Cohort", "cohort", "members")
    add_link(app, trial, circles, "evaluates", ("sexual-reoffending", "positive"))
    add_link(app, cohort, helpline, "evaluates", ("help-seeking", "positive"))
    add_link(app, trial, helpline, "supports")
    return author, member, circles, helpline, trial, cohort


def test_every_kind_of_change_leaves_the_kept_evidence_equal_to_a_fresh_read(app, make_user):
    author, member, circles, helpline, trial, cohort = _world(app, make_user)
    moderator_id = make_user(role="moderator").id
    _held_and_fresh(app, member)  # both readers now hold their evidence

    def change(step):
        with app.app_context():
            step()
        for held, fresh in _held_and_fresh(app, member):
            assert held == fresh

    def new_finding():
        link = db.session.scalars(
            db.select(EvidenceLink).where(EvidenceLink.practice_id == circles)
        ).one()
        moderator = db.session.get(User, moderator_id)
        evidence_services.update_link(
            moderator, link, findings=[{"outcome": "detection", "direction": "no-effect"}]
        )

    def study_to_members():
        with transaction():
            db.session.get(Research, trial).visibility = "members"

    def retag_practice():
        with transaction():
            db.session.get(Practice, helpline).set_slugs("countries", ["NL"])

    def archive_practice():
        with transaction():
            records.set_status(db.session.get(Practice, circles), "archived")

    def remove_link():
        with transaction():
            link = db.session.scalars(
                db.select(EvidenceLink).where(EvidenceLink.research_id == cohort)
            ).one()
            db.session.delete(link)

    for step in (new_finding, study_to_members, retag_practice, archive_practice, remove_link):
        change(step)
    # and a new link on a practice no reader held evidence for
    other = add_practice(app, author, "Schools", domains=["education"])
    add_link(app, cohort, other, "evaluates", ("attitudes-knowledge", "positive"))
    for held, fresh in _held_and_fresh(app, member):
        assert held == fresh
    with app.app_context():
        assert other in snapshots.evidence(db.session.get(User, member.id)).studies
        assert other not in snapshots.evidence(AnonymousUser()).studies


def test_a_reader_further_behind_than_the_log_starts_again(app, make_user, monkeypatch):
    author, member, _circles, _helpline, trial, _cohort = _world(app, make_user)
    _held_and_fresh(app, member)
    monkeypatch.setattr(versions, "KEPT_VERSIONS", 2)
    for n in range(4):
        practice = add_practice(app, author, f"Practice {n}", domains=["treatment"])
        add_link(app, trial, practice, "evaluates", ("detection", "positive"))
    with app.app_context():
        held = snapshots.evidence(AnonymousUser())
        assert versions.changes_since(held.version - 3, held.version) is None
    for held, fresh in _held_and_fresh(app, member):
        assert held == fresh
        assert len(held[0]) == 6  # practices with visible studies


def test_an_author_whose_own_item_others_may_not_see_gets_answers_of_their_own(app, make_user):
    from kx.topics.services import theme_counts

    writer = make_user(sector="treatment")
    colleague = make_user(sector="treatment")
    other = make_user(sector="academic")

    def counts():
        with app.app_context():
            return [
                theme_counts(db.session.get(User, person.id))["domain"].get("treatment", 0)
                for person in (writer, colleague)
            ]

    add_practice(app, other, "Public circles", domains=["treatment"])
    assert counts() == [1, 1]  # one answer shared by the sector

    add_practice(app, other, "Another public practice", domains=["prevention"])
    assert counts() == [1, 1]  # a change to someone else's item keeps it shared

    add_practice(
        app,
        writer,
        "For the police only",
        domains=["treatment"],
        visibility="restricted",
        sectors=["law-enforcement"],
    )
    assert counts() == [2, 1]  # the writer sees their own item; the colleague does not
