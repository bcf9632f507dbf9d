"""Practice examples through the pages: the form's data, a cast of people signed in on
demand, posting the form, reading rows back, and quick set-up through the services."""

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from kx.accounts.models import User
from kx.extensions import db
from kx.practice.models import Practice
from kx.records.models import Revision
from tests.support.browser import Html, submit

FORM = {
    "title": "Confidential helpline for worried adults",
    "summary": "An anonymous phone and chat line for adults worried about their sexual thoughts.",
    "body": "Counsellors answer **anonymously** and refer callers to treatment.",
    "outcomes": "Most callers reported less distress after three contacts.",
    "implementation": "Six part-time counsellors and one supervisor.",
    "challenges": "Reaching people who never call.",
    "domains": ["prevention", "treatment"],
    "countries": ["GB", "NL"],
    "organisation": "A national prevention charity",
    "prevention_level": "secondary",
    "stages": ["pre-offence", "viewing"],
    "target_population": "Adults worried about their sexual thoughts",
    "evaluation_status": "independent",
    "visibility": "public",
}


class Cast:
    """The people in a test, each made (and signed in) the first time a test needs them:
    an author, another member (another sector), a moderator, an unverified account and an
    anonymous visitor."""

    ACCOUNTS = {
        "author": {"sector": "law-enforcement", "display_name": "Alex Author"},
        "other": {"sector": "treatment", "display_name": "Olivia Other"},
        "moderator": {"role": "moderator", "sector": "ngo", "display_name": "Mo Moderator"},
        "unverified": {
            "verified": False,
            "sector": "law-enforcement",
            "display_name": "Una New",
        },
    }

    def __init__(self, make_user, browser):
        self._make_user, self._browser = make_user, browser
        self._made: dict = {}

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._made:
            if name == "anonymous_client":
                self._made[name] = self._browser(None)
            elif name.endswith("_client"):
                self._made[name] = self._browser(getattr(self, name.removesuffix("_client")))
            elif name in self.ACCOUNTS:
                self._made[name] = self._make_user(**self.ACCOUNTS[name])
            else:
                raise AttributeError(name)
        return self._made[name]


def form_data(**changes) -> dict:
    return {**FORM, **changes}


def post_form(client, url: str, data: dict, action: str):
    """Send the practice form at ``url`` with the button ``action`` pressed."""
    return submit(client, url, {**data, "action": action})


def create(client, action: str = "draft", **changes):
    """Create a practice through /practices/new; returns the response."""
    data = form_data(**changes)
    if action == "submit":
        data.setdefault("anonymised_confirmed", "y")
    return post_form(client, "/practices/new", data, action)


def created_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/practices/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


def row(app, practice_id: int) -> SimpleNamespace | None:
    """The practice as stored (None when it is gone)."""
    with app.app_context():
        item = db.session.get(Practice, practice_id)
        if item is None:
            return None
        data = {c.key: getattr(item, c.key) for c in Practice.__table__.columns}
        data.update(item.snapshot())
        return SimpleNamespace(**data)


def revision_count(app, practice_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.item_type == "practice", Revision.item_id == practice_id)
        )


def add_practice(app, user, approve_by=None, **changes) -> int:
    """A practice saved through the service (quick set-up); ``submit`` as in the API."""
    from kx.practice.services import save_practice
    from kx.records import services as records

    data = {**FORM, **changes}
    with app.app_context():
        author = db.session.get(User, user.id)
        if data.get("submit"):
            data.setdefault("anonymised_confirmed", True)
        item = save_practice(author, data)
        if approve_by is not None:
            records.review(item, db.session.get(User, approve_by.id), "approve")
        return item.id


def add_research(app, user, **fields) -> int:
    """A research summary saved through the service (published when ``user`` moderates)."""
    from kx.research.services import save_research

    data = {
        "title": "Evaluation of a confidential helpline",
        "authors": ["Doe, Jane", "Roe, Richard"],
        "year": 2020,
        "study_design": "quasi-experimental",
        "domains": ["prevention"],
        "visibility": "public",
        "submit": True,
        **fields,
    }
    with app.app_context():
        return save_research(db.session.get(User, user.id), data).id


def titles_on_list(client, query: str = "") -> str:
    page = Html(client.get("/practices" + query))
    assert page.status == 200
    return page.text


@pytest.fixture
def browser(app, login):
    """``browser(user)`` -> a test client signed in as ``user`` (None: anonymous)."""

    def open_as(user=None):
        client = app.test_client()
        if user is not None:
            login(client, user)
        return client

    return open_as


@pytest.fixture
def people(make_user, browser) -> Cast:
    """The cast of a page test (``Cast``), each signed in on first use."""
    return Cast(make_user, browser)
