"""Forum test helpers: named people, threads and posts written through the services, and
one signed-in browser (test client) per person.

Each helper pushes an application context of its own and passes ids between contexts, as
the rest of the suite does.
"""

from types import SimpleNamespace

import pytest

from kx.accounts.models import User
from kx.extensions import db
from kx.forum import moderation, services
from kx.forum.models import Post, Thread
from kx.notifications import services as notifications
from kx.practice.services import save_practice
from kx.research.services import save_research


class Forum:
    """Write and read forum content through the services, as a named person."""

    def __init__(self, app, people):
        self.app = app
        self.people = people

    def user(self, name):
        return None if name is None else db.session.get(User, getattr(self.people, name).id)

    def thread(self, by="author", category="cross-disciplinary", kind="discussion", **fields):
        """A new thread; returns (thread id, first post id)."""
        with self.app.app_context():
            thread = services.create_thread(
                self.user(by),
                category=category,
                kind=kind,
                title=fields.pop("title", "Working across police and treatment"),
                body=fields.pop("body", "How do you share risk information?"),
                links=fields.pop("links", None),
            )
            return thread.id, thread.posts[0].id

    def reply(self, thread_id, by="other", body="A reply with some thoughts.", quote_of=None):
        with self.app.app_context():
            thread = db.session.get(Thread, thread_id)
            quote = db.session.get(Post, quote_of) if quote_of else None
            return services.reply(self.user(by), thread, body, quote_of=quote).id

    def report(self, post_id, by="other", reason="spam", note=""):
        with self.app.app_context():
            post = db.session.get(Post, post_id)
            return moderation.report_post(self.user(by), post, reason, note).id

    def visibility(self, category, visibility, by="moderator"):
        with self.app.app_context():
            services.set_category_visibility(self.user(by), category, visibility)

    def moderate_thread(self, thread_id, action, by="moderator", category=None):
        with self.app.app_context():
            thread = db.session.get(Thread, thread_id)
            moderation.moderate_thread(self.user(by), thread, action, category)

    def practice(
        self, title="Circles of support for people leaving prison", by="moderator", **fields
    ):
        """A practice example; a moderator's submission publishes it at once."""
        data = {"title": title, "body": "How it works.", "domains": ["desistance"]}
        data |= {"submit": True, "anonymised_confirmed": True} | fields
        with self.app.app_context():
            return save_practice(self.user(by), data).id

    def research(self, title="A cohort study of helpline callers", by="moderator", **fields):
        data = {"title": title, "summary": "What was found.", "domains": ["prevention"]}
        data |= {"submit": True} | fields
        with self.app.app_context():
            return save_research(self.user(by), data).id

    def unread(self, name) -> int:
        with self.app.app_context():
            return notifications.unread_count(self.user(name))

    def post(self, post_id) -> SimpleNamespace:
        with self.app.app_context():
            post = db.session.get(Post, post_id)
            return SimpleNamespace(
                body=post.body,
                hidden=post.hidden,
                deleted=post.deleted_at is not None,
                edited=post.edited_at is not None,
                revisions=[r.body for r in post.revisions],
            )

    def thread_state(self, thread_id) -> SimpleNamespace:
        with self.app.app_context():
            t = db.session.get(Thread, thread_id)
            return SimpleNamespace(
                category=t.category,
                locked=t.locked,
                pinned=t.pinned,
                deleted=t.deleted_at is not None,
                status=t.status,
                claimed_by_id=t.claimed_by_id,
                addressed_by_id=t.addressed_by_id,
                votes=len(t.votes),
                posts=len(t.posts),
                links=[(link.item_type, link.item_id) for link in t.links],
            )


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        author=make_user(display_name="Alex Author", sector="law-enforcement"),
        other=make_user(display_name="Olive Other", sector="treatment"),
        academic=make_user(display_name="Ada Academic", sector="academic"),
        unverified=make_user(verified=False, display_name="Una Unverified", sector="policy"),
        moderator=make_user(role="moderator", display_name="Mo Moderator", sector="ngo"),
    )


@pytest.fixture
def forum(app, people):
    return Forum(app, people)


@pytest.fixture
def browser_for(app, people, login):
    """``browser_for("author")``: a test client signed in as that person (None: anonymous);
    one client per name, reused within the test."""
    clients = {}

    def get(name):
        if name not in clients:
            client = app.test_client()
            if name is not None:
                login(client, getattr(people, name))
            clients[name] = client
        return clients[name]

    return get
