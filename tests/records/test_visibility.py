"""Visibility is one rule with several implementations, and they must never disagree.

For random sets of items (every status x visibility x restricted sectors x author) and
every kind of viewer (anonymous, signed-out user object, unverified member, a verified
member of each sector, a deactivated member, the author, a moderator, an admin), the
per-object check ``can_view``, the detail look-up (``get_practice``/``get_research``,
NotFound when invisible), the SQL condition ``visible_to`` used as a list, the services'
list queries, and a COUNT query must give exactly the same answer, for practice examples
and research summaries alike. A hand-written oracle of the visibility rule is checked
too, so the implementations cannot agree on a wrong answer.

Hypothesis draws the items; the viewers are created once per test and every example
replaces the previous example's items.
"""

from contextlib import suppress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from kx import taxonomy
from kx.accounts.models import User
from kx.database import transaction
from kx.errors import NotFound
from kx.extensions import db
from kx.practice import services as practice_services
from kx.practice.models import Practice
from kx.records.models import ItemTerm, can_view, visible_to
from kx.research import services as research_services
from kx.research.models import Research

SECTORS = list(taxonomy.SECTORS)
STATUSES = list(taxonomy.STATUSES)
VISIBILITIES = list(taxonomy.VISIBILITIES)
# Who wrote an item: a viewer below, or nobody (the author's account was deleted).
AUTHORS = ["author", "unverified", "member-law-enforcement", "moderator", None]

MODELS = {
    "practice": (Practice, practice_services.get_practice, practice_services.practice_query),
    "research": (Research, research_services.get_research, research_services.research_query),
}

items_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(list(MODELS)),
            "status": st.sampled_from(STATUSES),
            "visibility": st.sampled_from(VISIBILITIES),
            # also on public and members items, where they must not matter
            "sectors": st.lists(st.sampled_from(SECTORS), unique=True, max_size=3),
            "author": st.sampled_from(AUTHORS),
        }
    ),
    min_size=1,
    max_size=14,
)


@pytest.fixture
def viewers(app, make_user, monkeypatch):
    """Every kind of viewer, as ORM objects in an application context held for the test."""
    ids = {f"member-{sector}": make_user(sector=sector).id for sector in SECTORS}
    ids["author"] = make_user(sector="treatment").id
    ids["unverified"] = make_user(verified=False, sector="law-enforcement").id
    ids["deactivated"] = make_user(sector="law-enforcement").id
    ids["moderator"] = make_user(role="moderator", sector="ngo").id
    ids["admin"] = make_user(role="admin", sector="policy").id
    with app.app_context():
        cast = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
        with transaction():
            cast["deactivated"].active = False
        cast["anonymous"] = None
        cast["signed-out"] = app.login_manager.anonymous_user()  # current_user's object
        yield cast


def expected(item: dict, viewer_name: str, viewers: dict) -> bool:
    """The visibility rule, written out independently of the code under test."""
    viewer = viewers[viewer_name]
    if viewer_name == "moderator" or viewer_name == "admin":
        return True
    signed_in = viewer_name not in ("anonymous", "signed-out", "deactivated")
    if signed_in and item["author"] == viewer_name:
        return True
    if item["status"] != "published":
        return False
    if item["visibility"] == "public":
        return True
    verified = signed_in and viewer_name != "unverified"
    if not verified:
        return False
    return item["visibility"] == "members" or viewer.sector in item["sectors"]


def replace_items(items: list[dict], viewers: dict) -> dict[str, dict[int, dict]]:
    """Delete the previous example's items and insert these; ``kind -> id -> spec``."""
    created = []
    with transaction():
        db.session.execute(delete(ItemTerm))
        db.session.execute(delete(Practice))
        db.session.execute(delete(Research))
        for number, spec in enumerate(items):
            cls = MODELS[spec["kind"]][0]
            author = viewers[spec["author"]] if spec["author"] else None
            item = cls(
                title=f"Item {number}",
                status=spec["status"],
                visibility=spec["visibility"],
                author_id=author.id if author else None,
            )
            item.set_slugs("restricted_sectors", spec["sectors"])
            item.set_slugs("domains", ["prevention"])
            db.session.add(item)
            created.append((item, spec))
    db.session.expire_all()
    by_kind = {kind: {} for kind in MODELS}
    for item, spec in created:
        by_kind[spec["kind"]][item.id] = spec
    return by_kind


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=items_strategy)
def test_per_item_check_list_and_count_agree_for_every_viewer(viewers, items):
    by_kind = replace_items(items, viewers)

    for kind, (cls, get_one, list_query) in MODELS.items():
        specs = by_kind[kind]
        objects = {obj.id: obj for obj in db.session.scalars(select(cls))}
        assert objects.keys() == specs.keys()
        for name, viewer in viewers.items():
            oracle = {i for i, spec in specs.items() if expected(spec, name, viewers)}
            per_item = {i for i, obj in objects.items() if can_view(obj, viewer)}
            as_list = set(db.session.scalars(select(cls.id).where(visible_to(cls, viewer))))
            service_list = {obj.id for obj in db.session.scalars(list_query(viewer))}
            counted = db.session.scalar(
                select(func.count()).select_from(cls).where(visible_to(cls, viewer))
            )
            detail = set()
            for item_id in objects:
                with suppress(NotFound):
                    detail.add(get_one(item_id, viewer).id)

            context = (kind, name, [specs[i] for i in sorted(specs)])
            assert per_item == oracle, context
            assert as_list == per_item, context
            assert service_list == per_item, context
            assert detail == per_item, context
            assert counted == len(per_item), context


def test_the_oracle_covers_each_rule(viewers):
    """Spot checks of the oracle itself, so a wrong oracle cannot pass unnoticed."""
    restricted = {"status": "published", "visibility": "restricted", "sectors": ["ngo"]}
    restricted["author"] = None
    assert expected(restricted, "member-ngo", viewers)
    assert not expected(restricted, "member-academic", viewers)
    assert not expected(restricted, "anonymous", viewers)
    assert expected(restricted, "moderator", viewers)
    draft = {"status": "draft", "visibility": "public", "sectors": [], "author": "unverified"}
    assert expected(draft, "unverified", viewers)
    assert not expected(draft, "member-treatment", viewers)
    members = {"status": "published", "visibility": "members", "sectors": [], "author": None}
    assert not expected(members, "unverified", viewers)
    assert not expected(members, "deactivated", viewers)
    assert expected(members, "member-other", viewers)


def test_a_sector_name_inside_another_does_not_leak(app, viewers):
    """``restricted_sectors`` are whole slugs: an item for ``mental-health`` is not shown to
    a member of ``health`` or the like, and an empty restricted list shows to no member."""
    by_kind = replace_items(
        [
            {
                "kind": kind,
                "status": "published",
                "visibility": "restricted",
                "sectors": sectors,
                "author": None,
            }
            for kind in MODELS
            for sectors in (["mental-health"], [])
        ],
        viewers,
    )
    for kind, (cls, _, _) in MODELS.items():
        seen = set(
            db.session.scalars(select(cls.id).where(visible_to(cls, viewers["member-treatment"])))
        )
        assert seen == set()
        seen = set(
            db.session.scalars(
                select(cls.id).where(visible_to(cls, viewers["member-mental-health"]))
            )
        )
        assert seen == {i for i, spec in by_kind[kind].items() if spec["sectors"]}
