"""List filters at scale: every list and filter a visitor can ask for
(practices, research, forum threads, "my items", the review queue, each evidence level) is
a query whose work grows at most in proportion to the corpus, never with practices times
research, and the evidence filters still count only published research the viewer may see.

The work is measured, not timed: SQLite's virtual-machine steps (its progress handler), or
on PostgreSQL the rows its executor handled (EXPLAIN ANALYZE, after ANALYZE as autovacuum
would run it). A correlated subquery that reads the research table once per practice does
16 times the work for 4 times the corpus; an indexed query does about 4 times.
"""

import json
import random
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select, text

from kx import taxonomy
from kx.accounts.models import User
from kx.database import utcnow
from kx.evidence import services as evidence_services
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.forum import services as forum
from kx.forum.models import Thread, Vote
from kx.practice import services as practices
from kx.practice.models import Practice
from kx.research import services as research
from kx.research.models import Research

GROWTH = 4
#: work at GROWTH times the corpus / work at the corpus: linear is about GROWTH
LIMIT = 1.6 * GROWTH
DOMAINS = list(taxonomy.DOMAINS)
DESIGNS = list(taxonomy.STUDY_DESIGNS)
SECTORS = ["law-enforcement", "academic", "treatment", "ngo"]


@pytest.fixture
def people(app, make_user):
    ids = {
        "member": make_user(sector="academic").id,
        "police": make_user(sector="law-enforcement").id,
        "moderator": make_user(role="moderator", sector="ngo").id,
    }
    with app.app_context():
        cast = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
        yield SimpleNamespace(**cast, anonymous=None)


def _visibility(rng, item) -> None:
    roll = rng.random()
    item.visibility = "public" if roll < 0.6 else "members" if roll < 0.85 else "restricted"
    if item.visibility == "restricted":
        item.set_slugs("restricted_sectors", rng.sample(SECTORS, 2))


def _status(rng) -> str:
    roll = rng.random()
    return "published" if roll < 0.8 else "pending" if roll < 0.9 else "draft"


def add_corpus(rng, people, n_practices: int) -> None:
    """``n_practices`` practices, two thirds as many summaries, a link per summary and a
    half, and a third as many forum threads with votes; written straight to the tables."""
    authors = [people.member.id, people.police.id, people.moderator.id]
    now = utcnow()
    new_practices, new_research = [], []
    for n in range(n_practices):
        item = Practice(title=f"Practice {n}", author_id=rng.choice(authors), published_at=now)
        item.status = _status(rng)
        item.prevention_level = rng.choice(list(taxonomy.PREVENTION_LEVELS))
        item.set_slugs("domains", rng.sample(DOMAINS, 2))
        item.set_slugs("countries", [rng.choice(["GB", "DE", "NL", "SE"])])
        item.set_slugs("stages", [rng.choice(list(taxonomy.STAGES))])
        _visibility(rng, item)
        new_practices.append(item)
    for n in range(n_practices * 2 // 3):
        item = Research(title=f"Study {n}", author_id=rng.choice(authors), published_at=now)
        item.status = _status(rng)
        item.study_design = rng.choice(DESIGNS)
        item.year = rng.randint(2000, 2025)
        item.set_slugs("domains", rng.sample(DOMAINS, 2))
        item.set_slugs("countries", [rng.choice(["GB", "DE", "NL", "SE"])])
        _visibility(rng, item)
        new_research.append(item)
    db.session.add_all(new_practices + new_research)
    db.session.flush()
    pairs = {
        (study.id, rng.choice(new_practices).id)
        for study in new_research
        for _ in range(rng.choice((1, 2)))
    }
    db.session.add_all(
        EvidenceLink(
            research_id=study_id,
            practice_id=practice_id,
            relation=rng.choice(list(taxonomy.EVIDENCE_RELATIONS)),
        )
        for study_id, practice_id in pairs
    )
    for n in range(n_practices // 3):
        kind = rng.choice(["discussion", "research-need"])
        thread = Thread(
            category=rng.choice(DOMAINS),
            kind=kind,
            title=f"Thread {n}",
            author_id=rng.choice(authors),
            status="open" if kind == "research-need" else None,
        )
        db.session.add(thread)
        db.session.flush()
        for user_id in rng.sample(authors, rng.randint(0, 3)):
            db.session.add(Vote(thread_id=thread.id, user_id=user_id, sector="academic"))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def list_queries(people) -> dict:
    """Every list and filter of the pages and the API, by name, as ``select`` statements."""
    queries = {}
    viewers = {
        "anonymous": people.anonymous,
        "member": people.member,
        "police": people.police,
        "moderator": people.moderator,
    }
    for name, viewer in viewers.items():
        published = {"status": "published"}
        practice_filters = {
            "all": {},
            "domain": {"domains": ["treatment"]},
            "country": {"countries": ["GB"]},
            "stage": {"stages": ["arrest"]},
            "prevention level": {"prevention_level": "primary"},
            "evaluation": {"evaluation_status": "none"},
        }
        for label, filters in practice_filters.items():
            for sort in ("newest", "title"):
                statement = practices.practice_query(viewer, published | filters, sort)
                queries[f"practices {label} {sort} / {name}"] = statement
        for level in [*DESIGNS, "none"]:
            statement = evidence_services.filter_by_evidence_level(
                practices.practice_query(viewer, published), viewer, level
            )
            queries[f"practices evidence_level={level} / {name}"] = statement
        research_filters = {
            "all": {},
            "domain": {"domains": ["treatment"]},
            "country": {"countries": ["GB"]},
            "design": {"study_design": "rct"},
            "years": {"year_from": 2010, "year_to": 2020},
        }
        for label, filters in research_filters.items():
            for sort in ("newest", "title", "year"):
                statement = research.research_query(viewer, published | filters, sort)
                queries[f"research {label} {sort} / {name}"] = statement
        queries[f"forum threads / {name}"] = forum.thread_query(viewer)
        queries[f"forum category / {name}"] = forum.thread_query(viewer, category="treatment")
        queries[f"research needs by votes / {name}"] = forum.thread_query(
            viewer, kind="research-need", sort="votes"
        )
        if viewer is not None:
            mine = {"author": "me"}
            queries[f"my practices / {name}"] = practices.practice_query(viewer, mine)
            queries[f"my research / {name}"] = research.research_query(viewer, mine)
    pending = {"status": "pending"}
    queries["review queue practices"] = practices.practice_query(people.moderator, pending)
    queries["review queue research"] = research.research_query(people.moderator, pending)
    return queries


def _page_and_total(statement):
    return (
        statement.limit(20),
        select(func.count()).select_from(statement.order_by(None).subquery()),
    )


def work(statement) -> int:
    """What the database does for one page of ``statement`` and its total."""
    if db.engine.dialect.name == "postgresql":
        return sum(_executor_rows(query) for query in _page_and_total(statement))
    steps = 0

    def tick():
        nonlocal steps
        steps += 1
        return 0

    connection = db.session.connection().connection.dbapi_connection
    connection.set_progress_handler(tick, 100)
    try:
        for query in _page_and_total(statement):
            db.session.execute(query).all()
    finally:
        connection.set_progress_handler(None, 100)
    return steps * 100


def _executor_rows(query) -> int:
    sql = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    [plan] = db.session.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).scalar()
    plan = plan if isinstance(plan, dict) else json.loads(plan)[0]

    def rows(node) -> int:
        own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
        return own + sum(rows(child) for child in node.get("Plans", []))

    return rows(plan["Plan"])


def test_every_list_filter_grows_at_most_linearly_with_the_corpus(people):
    rng = random.Random(2)  # noqa: S311 (a reproducible corpus)
    add_corpus(rng, people, 90)
    queries = list_queries(people)
    small = {name: work(statement) for name, statement in queries.items()}
    add_corpus(rng, people, 90 * (GROWTH - 1))
    large = {name: work(statement) for name, statement in queries.items()}

    # a query that finds nothing to read (the members' categories, anonymously) does a
    # few hundred steps whatever the corpus: compare from a floor above that
    ratios = {name: large[name] / max(small[name], 2000) for name in queries}
    too_steep = {
        name: f"{small[name]} -> {large[name]} (x{ratio:.1f})"
        for name, ratio in ratios.items()
        if ratio > LIMIT
    }
    assert not too_steep, too_steep


# --------------------------------------------------------------------------- correctness


@pytest.fixture
def evidence(app):
    """Practices each with one kind of linked research, named after what they show."""
    with app.app_context():
        _add_evidence()


def _add_evidence() -> None:
    now = utcnow()

    def practice(title, **fields):
        item = Practice(title=title, status="published", published_at=now, **fields)
        item.set_slugs("domains", ["treatment"])
        db.session.add(item)
        return item

    def study(title, design, status="published", visibility="public", sectors=()):
        item = Research(
            title=title,
            study_design=design,
            status=status,
            visibility=visibility,
            published_at=now,
        )
        item.set_slugs("restricted_sectors", list(sectors))
        db.session.add(item)
        return item

    items = {
        "public rct": (practice("Public trial"), study("t", "rct")),
        "members rct": (practice("Members trial"), study("m", "rct", visibility="members")),
        "police review": (
            practice("Police review"),
            study("p", "systematic-review", visibility="restricted", sectors=["law-enforcement"]),
        ),
        "draft rct": (practice("Draft trial"), study("d", "rct", status="draft")),
        "informs only": (practice("Informed"), study("i", "rct")),
        "cohort beats other": (practice("Cohort"), study("c", "cohort")),
    }
    db.session.flush()
    for key, (item, source) in items.items():
        relation = "informs" if key == "informs only" else "supports"
        db.session.add(EvidenceLink(research_id=source.id, practice_id=item.id, relation=relation))
    weaker = study("o", "other")
    db.session.flush()
    cohort_practice = items["cohort beats other"][0]
    db.session.add(
        EvidenceLink(research_id=weaker.id, practice_id=cohort_practice.id, relation="evaluates")
    )
    db.session.commit()


EXPECTED = {
    # viewer -> level -> titles; the draft and the "informs" link are never evidence
    "anonymous": {
        "rct": {"Public trial"},
        "systematic-review": set(),
        "cohort": {"Cohort"},
        "other": set(),
        "none": {"Members trial", "Police review", "Draft trial", "Informed"},
    },
    "member": {
        "rct": {"Public trial", "Members trial"},
        "systematic-review": set(),
        "cohort": {"Cohort"},
        "other": set(),
        "none": {"Police review", "Draft trial", "Informed"},
    },
    "police": {
        "rct": {"Public trial", "Members trial"},
        "systematic-review": {"Police review"},
        "cohort": {"Cohort"},
        "other": set(),
        "none": {"Draft trial", "Informed"},
    },
}


@pytest.mark.usefixtures("evidence")
def test_the_evidence_filters_count_only_published_research_the_viewer_may_see(
    app, login, api_token, make_user
):
    police = make_user(sector="law-enforcement")
    member = make_user(sector="academic")
    for name, user in (("anonymous", None), ("member", member), ("police", police)):
        client = app.test_client()
        headers = {}
        if user is not None:
            login(client, user)
            headers = api_token(user)
        for level, titles in EXPECTED[name].items():
            html = client.get(f"/practices?evidence_level={level}").get_data(as_text=True)
            shown = {title for title in _all_titles() if f">{title}<" in html}
            assert shown == titles, (name, level, "HTML")
            response = client.get(
                "/api/v1/practices", query_string={"evidence_level": level}, headers=headers
            )
            assert {item["title"] for item in response.get_json()["items"]} == titles, (
                name,
                level,
                "API",
            )


def _all_titles() -> set[str]:
    return {"Public trial", "Members trial", "Police review", "Draft trial", "Informed", "Cohort"}


def test_my_items_shows_the_latest_of_each_group_and_counts_them_all(
    app, make_user, login, monkeypatch
):
    from kx.review import views as review_views

    monkeypatch.setattr(review_views, "MY_ITEMS_SHOWN", 3)
    author = make_user()
    with app.app_context():
        for n in range(5):
            db.session.add(Practice(title=f"Draft number {n}", author_id=author.id))
        db.session.add(Research(title="A study draft", author_id=author.id))
        db.session.add(Practice(title="Pending one", author_id=author.id, status="pending"))
        db.session.commit()
    client = app.test_client()
    login(client, author)

    html = client.get("/my-items").get_data(as_text=True)
    drafts = html.split('id="items-draft"')[1].split("</section>")[0]
    assert '<span class="count">(6)</span>' in drafts
    assert drafts.count('<th scope="row">') == 4  # the latest three practices, the study
    assert "most recently changed are shown here" in drafts
    pending = html.split('id="items-pending"')[1].split("</section>")[0]
    assert "Pending one" in pending and "most recently changed" not in pending


def test_an_api_page_costs_the_same_queries_whatever_its_size(app, make_user, api_token):
    author = make_user()
    with app.app_context():
        now = utcnow()
        pairs = [
            (
                Practice(title=f"Practice {n}", status="published", published_at=now),
                Research(title=f"Study {n}", status="published", published_at=now),
            )
            for n in range(12)
        ]
        db.session.add_all(item for pair in pairs for item in pair)
        db.session.flush()
        db.session.add_all(
            EvidenceLink(research_id=study.id, practice_id=practice.id, relation="supports")
            for practice, study in pairs
        )
        db.session.commit()
    client, headers = app.test_client(), api_token(author)

    def queries(url: str) -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get(url, headers=headers)
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200 and response.get_json()["items"], url
        return len(statements)

    for url in ("/api/v1/practices", "/api/v1/research"):
        queries(f"{url}?per_page=1")  # the token's first use records its last-used time
        assert queries(f"{url}?per_page=2") == queries(f"{url}?per_page=12"), url
