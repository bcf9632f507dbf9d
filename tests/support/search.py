"""Search as the tests drive it: ``Kx`` writes records through the domain services and
searches through ``kx.search.services`` as a named viewer; saved searches ("themes") and
their Atom feeds are used like a browser.

Every helper pushes an application context of its own and passes ids between contexts, as
the rest of the suite does. Viewers are named: ``None`` (anonymous), ``"unverified"``,
``"le"`` (verified, law enforcement), ``"academic"`` (verified, academic), ``"moderator"``,
plus ``"author"`` (a verified law-enforcement member who writes the items).
"""

import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from kx.accounts.models import User
from kx.database import transaction
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.records import services as records
from kx.research.models import Research
from kx.research.services import save_research
from kx.search import indexing
from kx.search import services as search_services
from kx.search.backend import Query
from kx.search.models import SearchDocument, SearchOutbox, SearchWord
from kx.search.whoosh import suggestions
from tests.support.browser import submit

VIEWERS = (None, "unverified", "le", "academic", "moderator")


def search_document(n: int, rng, visibility: str) -> dict:
    """A random practice example's search document (``practice:<n>``), as a backend indexes it."""
    words = ["kestrel", "osprey", "merlin", "hobby", "helpline", "therapy", "police"]
    return {
        "key": f"practice:{n}",
        "type": "practice",
        "id": n,
        "title": " ".join(rng.sample(words, 2)),
        "text": " ".join(rng.choices(words, k=rng.randint(3, 30))),
        "tags": "",
        "domains": rng.sample(["policing", "education", "treatment"], rng.randint(0, 2)),
        "countries": rng.sample(["GB", "NL", "SE"], rng.randint(1, 2)),
        "stages": [],
        "sectors": ["academic"] if visibility == "restricted" else [],
        "prevention_level": rng.choice(["primary", "secondary"]),
        "visibility": visibility,
        "year": rng.choice([None, 2010, 2015, 2020]),
        "published": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randint(0, 500)),
        "stamp": str(rng.random()),
    }


@dataclass
class Kx:
    """The app plus named users, with helpers that write and search through the services."""

    app: object
    users: dict

    def user(self, name):
        """The ``User`` row for ``name`` in the current context (None stays anonymous)."""
        return None if name is None else db.session.get(User, self.users[name])

    # Writing -------------------------------------------------------------------------

    def practice(self, title, body="", by="moderator", submit=True, **fields) -> int:
        """A practice example saved by ``by``; a moderator's submit publishes it at once."""
        data = {"title": title, "body": body, "domains": fields.pop("domains", ["prevention"])}
        data |= fields
        if submit:
            data |= {"submit": True, "anonymised_confirmed": True}
        with self.app.app_context():
            return save_practice(self.user(by), data).id

    def research(self, title, summary="", by="moderator", submit=True, **fields) -> int:
        data = {"title": title, "summary": summary, "domains": fields.pop("domains", ["treatment"])}
        data |= fields
        if submit:
            data["submit"] = True
        with self.app.app_context():
            return save_research(self.user(by), data).id

    def edit_practice(self, practice_id, by="moderator", **data) -> None:
        with self.app.app_context():
            save_practice(self.user(by), data, db.session.get(Practice, practice_id))

    def edit_research(self, research_id, by="moderator", **data) -> None:
        with self.app.app_context():
            save_research(self.user(by), data, db.session.get(Research, research_id))

    def review(self, kind, item_id, decision, reason="", by="moderator") -> None:
        with self.app.app_context():
            records.review(self._item(kind, item_id), self.user(by), decision, reason)

    def archive(self, kind, item_id, by="moderator") -> None:
        with self.app.app_context():
            records.archive(self._item(kind, item_id), self.user(by))

    def delete(self, kind, item_id, by="moderator") -> None:
        with self.app.app_context():
            records.delete(self._item(kind, item_id), self.user(by))

    @staticmethod
    def _item(kind, item_id):
        return db.session.get(Practice if kind == "practice" else Research, item_id)

    # Reading -------------------------------------------------------------------------

    def search(self, text="", viewer=None, **options):
        """``kx.search.services.search`` as ``viewer``; returns the ``Results``."""
        with self.app.app_context():
            return search_services.search(self.user(viewer), Query(text=text, **options))

    def keys(self, text="", viewer=None, **options) -> set[str]:
        """``type:id`` of every hit (all pages) that ``viewer`` gets for ``text``."""
        results = self.search(text, viewer, per_page=1000, **options)
        return {f"{hit.type}:{hit.id}" for hit in results.hits}

    def related(self, kind, item_id, viewer=None, limit=10) -> set[str]:
        with self.app.app_context():
            item = self._item(kind, item_id)
            hits = search_services.related(item, self.user(viewer), limit=limit)
            return {f"{hit.type}:{hit.id}" for hit in hits}

    def drift(self) -> dict:
        with self.app.app_context():
            return indexing.drift()

    def indexed(self) -> dict[str, str]:
        """What the index holds right now (``key -> stamp``), without healing the outbox."""
        with self.app.app_context():
            return indexing.backend().stamps()

    def lose_index(self) -> None:
        """Delete the whole index as an operator might (Whoosh: its directory; PostgreSQL:
        every search document)."""
        with self.app.app_context():
            backend = indexing.backend()
            if indexing.in_transaction():
                with transaction():
                    db.session.execute(delete(SearchDocument))
            else:
                shutil.rmtree(backend.path.resolve())
                backend.path.unlink()

    def words(self) -> set[str]:
        """The words "did you mean" may offer (Whoosh: the list beside the index)."""
        with self.app.app_context():
            if indexing.in_transaction():
                return set(db.session.scalars(select(SearchWord.word)))
            return set(suggestions.read_words(indexing.backend().path.resolve()))

    def pending(self) -> int:
        """How many outbox rows wait (a save may write several rows for one item)."""
        with self.app.app_context():
            return indexing.pending()

    def outbox(self) -> set[str]:
        """``type:id`` of the documents the outbox says must be refreshed."""
        with self.app.app_context():
            rows = db.session.execute(select(SearchOutbox.item_type, SearchOutbox.item_id))
            return {f"{kind}:{item_id}" for kind, item_id in rows}


def no_drift(drift: dict) -> bool:
    return not any(drift.values())


ATOM = "{http://www.w3.org/2005/Atom}"
FEED = re.compile(r"http://localhost/feeds/([A-Za-z0-9_-]+)\.atom")


def save_theme(client, name="Helplines", **criteria):
    """Save a search from the search page like a browser; returns (theme id, feed path)."""
    form_page = "/search?" + "&".join(
        f"{key}={value}"
        for key, values in criteria.items()
        for value in (values if isinstance(values, list) else [values])
    )
    response = submit(client, "/themes", {**criteria, "name": name}, form_page=form_page)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    theme_id = int(re.search(r"/themes/(\d+)/manage", response.location).group(1))
    manage = client.get(response.location).get_data(as_text=True)
    token = FEED.search(manage).group(1)
    return theme_id, f"/feeds/{token}.atom"


def feed_entries(client, path) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314  (our own feed, in a test)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text and root.find(f"{ATOM}updated").text
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        entries.append(
            {
                "title": entry.find(f"{ATOM}title").text,
                "link": entry.find(f"{ATOM}link").get("href"),
                "updated": entry.find(f"{ATOM}updated").text,
                "summary": entry.find(f"{ATOM}summary").text,
            }
        )
    return entries
