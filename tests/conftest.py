"""Fixtures on the real stack: the app factory, a real database file (or the PostgreSQL
database named by ``KX_DATABASE_URL``), migrations applied once, rows cleared after each test.

No application context is pushed around tests: every request gets its own, as in
production, so nothing (``g``, the logged-in user, the ORM session) leaks between a test's
requests. Helpers that touch the database push a context of their own.
"""

import os
from types import SimpleNamespace

import pytest
from argon2 import PasswordHasher
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from werkzeug.routing import Rule

from kx import create_app
from kx.accounts import passwords
from kx.accounts import services as accounts
from kx.extensions import db
from tests.support.accounts import PASSWORD
from tests.support.browser import submit
from tests.support.database import clear_tables, driver_url, fresh_worker_database
from tests.support.smtp import SmtpServer

# argon2id at its smallest cost: the production parameters take 0.2-0.5 s per hash on a
# busy two-core machine and the suite signs in thousands of times. Tests that ask for
# ``real_argon2`` keep the production hasher.
_CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_CHEAP_DUMMY = _CHEAP_HASHER.hash("not a real password")


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process and shared by every test's app (keyed by
    name and source): compiling them afresh for each test's app took a third of the run."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


@pytest.fixture(scope="session", autouse=True)
def _route_builders_compiled_once():
    """Werkzeug compiles two URL-building functions for every route of every app (a fifth
    of a second per app); they depend only on the route's pattern and defaults, so every
    test's app shares those of the first."""
    compile_builder, builders = Rule._compile_builder, {}

    def compiled_once(rule, append_unknown=True):
        defaults = repr(sorted((rule.defaults or {}).items()))
        key = (rule.rule, tuple(rule._trace), defaults, append_unknown)
        if key not in builders:
            builders[key] = compile_builder(rule, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", compiled_once)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A migrated, empty database for the whole run (one per pytest-xdist worker)."""
    url = os.environ.get("KX_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        url = fresh_worker_database(url, worker)
    url = url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'kx-test.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": driver_url(url), "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        for table in db.metadata.sorted_tables:
            if db.session.execute(db.select(db.func.count()).select_from(table)).scalar():
                pytest.exit(f"{url} is not empty: point KX_DATABASE_URL at a fresh database.")
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture
def search_backend():
    """The search backend of the test's app: ``KX_SEARCH_BACKEND`` (Whoosh by default);
    the search tests run once per backend (``tests/search/conftest.py``)."""
    return os.environ.get("KX_SEARCH_BACKEND", "whoosh")


@pytest.fixture
def app(database_url, tmp_path, search_backend):
    app = create_app(
        {
            "TESTING": True,
            "SEARCH_BACKEND": search_backend,
            "SECRET_KEY": "test secret key",
            "SQLALCHEMY_DATABASE_URI": driver_url(database_url),
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
            "MAIL_DIR": str(tmp_path / "mail"),
            # A loaded test machine can take longer than the production budget; a search
            # cut short by time would make assertions on its hits flaky (the budget has
            # tests of its own, which set it).
            "SEARCH_TIME_BUDGET": 30.0,
        }
    )
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    yield app
    with app.app_context():
        clear_tables(db)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port (aiosmtpd); ``.stop()``/``.start()``."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """``app`` sending its mail to ``smtp``, looking for waiting mail on every request and
    retrying at once (no backoff) so that an outage test need not wait."""
    from kx import mail

    app.config.update(MAIL_URL=smtp.url, MAIL_POLL_SECONDS=0, MAIL_RETRY_SECONDS=0)
    mail.configure(app)
    yield app
    state = app.extensions["kx-mail"]
    if state.running.acquire(timeout=30):  # let a sending thread finish before rows go
        state.running.release()


@pytest.fixture(autouse=True)
def _cheap_argon2(request, monkeypatch):
    if "real_argon2" not in request.fixturenames:
        monkeypatch.setattr(passwords, "_hasher", _CHEAP_HASHER)
        monkeypatch.setattr(passwords, "_DUMMY_HASH", _CHEAP_DUMMY)


@pytest.fixture
def real_argon2():
    """Hash with the production argon2id parameters in this test."""
    return passwords._hasher


@pytest.fixture
def _push_request_context():
    """Replace pytest-flask's: a test-wide context would share ``g`` across requests."""


@pytest.fixture
def client(app):
    """A browser. Replaces pytest-flask's, which is opened with ``with`` and so keeps each
    request's app context pushed until its next request: another client's request would
    then reuse that context and its ``g``, and be taken for the user signed in there."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create an account through the service; returns id, email, password and role."""
    counter = iter(range(1, 10_000))

    def make(role="member", verified=True, sector="law-enforcement", country="GB", **fields):
        n = next(counter)
        email = fields.pop("email", f"user{n}@example.org")
        with app.app_context():
            user = accounts.register_user(
                email=email,
                display_name=fields.pop("display_name", f"Test User {n}"),
                password=PASSWORD,
                sector=sector,
                country=country,
                role=role,
                verified=verified,
                **fields,
            )
            return SimpleNamespace(id=user.id, email=user.email, password=PASSWORD, role=role)

    return make


@pytest.fixture
def login():
    """Sign ``user`` in on ``client`` through the real form."""

    def do_login(client, user, remember=False):
        data = {"email": user.email, "password": user.password}
        if remember:
            data["remember"] = "y"
        response = submit(client, "/login", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def api_token(client):
    """A bearer token for ``user`` from ``POST /api/v1/tokens``."""

    def issue(user) -> dict:
        response = client.post(
            "/api/v1/tokens", json={"email": user.email, "password": user.password}
        )
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return issue
