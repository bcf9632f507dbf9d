"""The gap map and theme pages are cached by the evidence version: a repeat costs one
lookup, and any change to what counts shows at once, for every reader."""

from sqlalchemy import event

from kx.accounts.models import AnonymousUser, User
from kx.database import transaction
from kx.evidence import gap_map as maps
from kx.evidence import versions
from kx.extensions import db
from kx.practice.models import Practice
from kx.research.models import Research
from tests.support.evidence import add_link, add_practice, add_research


def _cell(app, viewer=None):
    with app.app_context():
        data = maps.gap_map(viewer or AnonymousUser(), "domain", "outcome")
        return data["cells"]["treatment"]["sexual-reoffending"]


def _statements(app, call) -> int:
    """How many SQL statements ``call`` sends (besides the connection's own set-up)."""
    count = 0

    def counted(_conn, _cursor, statement, *_args):
        nonlocal count
        count += not statement.upper().startswith(("PRAGMA", "BEGIN"))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_a_repeated_map_costs_one_lookup(app, make_user):
    author = make_user(sector="academic")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(app, author, "Trial", "rct")
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    _cell(app)
    assert _statements(app, lambda: maps.gap_map(AnonymousUser(), "domain", "outcome")) == 1


def test_narrowing_a_study_to_members_drops_it_from_the_public_map_at_once(app, make_user):
    author = make_user(sector="academic")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(app, author, "Trial", "rct")
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    assert _cell(app)["studies"] == 1
    with app.app_context(), transaction():
        db.session.get(Research, study).visibility = "members"
    assert _cell(app)["studies"] == 0
    assert _cell(app)["ratings"]["promising"] == 0


def test_a_new_finding_or_a_retracted_practice_shows_at_once(app, make_user):
    author = make_user(sector="academic")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(app, author, "Trial", "rct")
    add_link(app, study, practice, "informs")
    assert _cell(app)["studies"] == 0
    other = add_research(app, author, "Second trial", "rct")
    add_link(app, other, practice, "evaluates", ("sexual-reoffending", "no-effect"))
    assert _cell(app)["ratings"]["no-effect"] == 1
    with app.app_context(), transaction():
        db.session.get(Practice, practice).status = "archived"
    assert _cell(app)["practices"] == 0


def test_each_reader_gets_their_own_answer(app, make_user):
    author = make_user(sector="academic")
    member = make_user(sector="treatment")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(app, author, "Members' trial", "rct", "members")
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    assert _cell(app)["studies"] == 0
    with app.app_context():
        reader = db.session.get(User, member.id)
        cell = maps.gap_map(reader, "domain", "outcome")["cells"]["treatment"]
        assert cell["sexual-reoffending"]["studies"] == 1
    assert _cell(app)["studies"] == 0


def test_the_version_moves_only_with_changes_that_count(app, make_user):
    author = make_user(sector="academic")
    add_practice(app, author, "Circles", domains=["treatment"])
    with app.app_context():
        before = versions.current()
        make_user(sector="policy")  # a new account changes no evidence
        assert versions.current() == before
    add_research(app, author, "Trial", "rct")
    with app.app_context():
        assert versions.current() != before


def _member_cell(app, user):
    with app.app_context():
        reader = db.session.get(User, user.id)
        return maps.gap_map(reader, "domain", "outcome")["cells"]["treatment"]["sexual-reoffending"]


def test_members_of_one_sector_share_an_answer(app, make_user):
    author = make_user(sector="academic")
    first, second = make_user(sector="treatment"), make_user(sector="treatment")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(app, author, "Members' trial", "rct", "members")
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    assert _member_cell(app, first)["studies"] == 1

    def second_reads():
        with app.app_context():
            reader = db.session.get(User, second.id)
            maps.gap_map(reader, "domain", "outcome")

    # the version, the reader's account and whether they wrote anything only they see
    assert _statements(app, second_reads) == 3


def test_an_author_of_a_study_restricted_to_another_sector_is_answered_alone(app, make_user):
    author = make_user(sector="treatment")
    colleague = make_user(sector="treatment")
    practice = add_practice(app, author, "Circles", domains=["treatment"])
    study = add_research(
        app, author, "Police trial", "rct", "restricted", sectors=["law-enforcement"]
    )
    add_link(app, study, practice, "evaluates", ("sexual-reoffending", "positive"))
    for reader in (colleague, author, colleague):
        expected = 1 if reader is author else 0
        assert _member_cell(app, reader)["studies"] == expected
