"""Helpers for the accounts and security tests: read pages like a user, read rows like an
auditor, and build a second app (e.g. configured for HTTPS) on the same test database."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from kx import create_app
from kx.accounts.models import AuditEvent, User
from kx.extensions import db


class _PageParser(HTMLParser):
    """Collects form controls, their values, the error lists beside them and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, dict] = {}  # name -> attributes of the first control
        self.values: dict[str, str] = {}  # name -> value a browser would show
        self.error_lists: dict[str, list[str]] = {}  # ul id -> messages
        self.links: list[str] = []
        self.text: list[str] = []
        self._select = self._textarea = self._errors = None

    def handle_starttag(self, tag, attrs):
        a = {k: ("" if v is None else v) for k, v in attrs}
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name and name not in self.controls:
            self.controls[name] = a
        if tag == "input" and name and a.get("type") not in ("checkbox", "radio"):
            self.values.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "ul" and "errors" in a.get("class", "").split():
            self._errors = a.get("id")
            self.error_lists[self._errors] = []
        elif tag == "li" and self._errors:
            self.error_lists[self._errors].append("")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "ul":
            self._errors = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data
        if self._errors and self.error_lists[self._errors]:
            self.error_lists[self._errors][-1] += data.strip()
        self.text.append(data)


class Page:
    """An HTML response read the way a user (or a screen reader) meets it."""

    def __init__(self, response):
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        parser = _PageParser()
        parser.feed(self.html)
        self._parser = parser
        self.text = re.sub(r"\s+", " ", " ".join(parser.text))

    def value(self, name: str) -> str:
        """What the control ``name`` shows: input value, selected option or textarea text."""
        value = self._parser.values[name]
        return value[1:] if value.startswith("\n") else value.removeprefix("\r\n")

    def has_control(self, name: str) -> bool:
        return name in self._parser.controls

    def errors(self, name: str) -> list[str]:
        """Messages shown beside the field ``name`` (and tied to it for screen readers)."""
        control = self._parser.controls[name]
        messages = self._parser.error_lists.get(f"{control.get('id', name)}-errors", [])
        if messages:
            assert control.get("aria-invalid") == "true", f"{name} is not marked invalid"
            assert f"{control['id']}-errors" in control.get("aria-describedby", "")
        return messages

    def error_text(self, name: str) -> str:
        return " ".join(self.errors(name))

    @property
    def links(self) -> list[str]:
        return self._parser.links


@pytest.fixture
def read():
    """``read(response)`` -> a ``Page``."""
    return Page


def user_row(app, user_id: int) -> SimpleNamespace:
    """A snapshot of the user's row as stored."""
    with app.app_context():
        user = db.session.get(User, user_id)
        columns = {c.key: getattr(user, c.key) for c in User.__table__.columns}
        return SimpleNamespace(**columns, is_verified=user.is_verified)


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def audit_rows(app) -> list[SimpleNamespace]:
    with app.app_context():
        return [
            SimpleNamespace(
                actor_id=e.actor_id,
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                details=e.details,
            )
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def is_signed_in(client) -> bool:
    """True when ``client``'s cookies open the account page (else it is sent to sign in)."""
    response = client.get("/account")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def copy_cookie(source, target, name: str = "session") -> str:
    """Give ``target`` the value of ``source``'s cookie ``name``, as an attacker would."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    target.set_cookie(name, cookie.value)
    return cookie.value


@pytest.fixture
def other_client(app):
    """A second browser for the same app."""
    return app.test_client()


@pytest.fixture
def make_app(app, tmp_path):
    """Another app on the same test database with ``overrides`` (rows are cleared by ``app``)."""
    made = []

    def build(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": str(tmp_path / "search-index-2"),
            **overrides,
        }
        other = create_app(config)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
