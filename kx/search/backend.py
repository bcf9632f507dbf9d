"""The search backend interface; Whoosh (``kx.search.whoosh``) and PostgreSQL
(``kx.search.postgres``) implement it."""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Audience:
    """Who is searching, reduced to what the visibility filter needs."""

    everything: bool = False  # moderators
    members: bool = False  # verified members
    sector: str | None = None


@dataclass
class Query:
    text: str = ""
    types: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    prevention_levels: list[str] = field(default_factory=list)
    study_designs: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    # False for exports: thousands of hits, and nobody reads a CSV's highlighted excerpts
    snippets: bool = True
    #: When no item holds every word, answer with the items holding most of them
    #: (``Interpretation.fallback``); False for a theme, so that its feed never fills with
    #: items that match only part of it.
    widen: bool = True


@dataclass
class Hit:
    type: str
    id: int
    title: str
    snippet: str
    score: float
    domains: list[str]
    countries: list[str]
    year: int | None


@dataclass
class Recognised:
    """Words of a query that name a tag (``vocabulary``'s ``slug``)."""

    text: str
    vocabulary: str
    slug: str


@dataclass
class Interpretation:
    """How the engine read a query's words."""

    recognised: list[Recognised] = field(default_factory=list)
    #: Question and small words left out of the search.
    ignored: list[str] = field(default_factory=list)
    #: The query's words and phrases (folded) that also matched their synonyms.
    expanded: dict[str, list[str]] = field(default_factory=dict)
    #: ``"any-words"``: the results include items holding only some of the words, those
    #: holding most first (no item holds them all, or the query is a question).
    fallback: str | None = None
    #: Filter name -> recognised slugs that some of the viewer's results carry.
    suggested_filters: dict[str, list[str]] = field(default_factory=dict)
    #: The query is a question: its words were searched as any words even when some
    #: items hold them all (those first).
    question: bool = False
    #: How many results hold every word (when ``fallback``).
    all_words: int = 0
    #: The words searched for, as typed (the ignored ones left out).
    searched: str = ""
    #: The query written so that it is searched as typed (None: it already is).
    literal: str | None = None
    #: The query as typed, when the results are those of its respelling ("did you mean"),
    #: because the words as typed found (almost) nothing.
    respelled: str | None = None
    #: The respelled words quoted, so that a link searches them exactly as typed.
    as_typed: str | None = None

    def as_dict(self) -> dict:
        """The interpretation as ``GET /api/v1/search`` reports it."""
        return {
            "recognised": [
                {"text": t.text, "vocabulary": t.vocabulary, "slug": t.slug}
                for t in self.recognised
            ],
            "ignored": self.ignored,
            "expanded": self.expanded,
            "fallback": self.fallback,
            "suggested_filters": self.suggested_filters,
            "respelled": (
                {"typed": self.respelled, "as_typed": self.as_typed} if self.respelled else None
            ),
        }


#: The facets a search counts (``Results.facets``), by the document field holding each
#: (``kx.search.documents``; domains and countries hold several values).
FACETS = {
    "type": "type",
    "domain": "domains",
    "country": "countries",
    "prevention_level": "prevention_level",
    "study_design": "study_design",
}


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    #: What the engine changed in the query or left out, for the viewer to read.
    notices: list[str] = field(default_factory=list)
    #: The time budget ran out: ``hits``, ``total`` and ``facets`` are incomplete.
    partial: bool = False
    interpretation: Interpretation = field(default_factory=Interpretation)


class SearchBackend(Protocol):
    #: True: the backend writes documents in the transaction of the change
    #: (``write_in_transaction``); False: ``kx.search.indexing`` feeds it from the outbox.
    in_transaction: bool

    def write_in_transaction(self, session, touched: set[tuple[str, int]]) -> None:
        """Write the touched ``(type, id)`` documents on ``session`` before it commits."""

    def index(self, documents: list[dict], deleted_keys: list[str]) -> None:
        """Add or replace ``documents`` and remove ``deleted_keys`` in one commit."""

    def search(self, query: Query, audience: Audience, deadline: float | None = None) -> Results:
        """``deadline`` (``time.monotonic()``) ends the work early with partial results."""

    def related(self, key: str, audience: Audience, limit: int = 5) -> list[Hit]: ...

    def ping(self) -> None:
        """Raise when the index cannot be read."""

    def stamps(self) -> dict[str, str]:
        """``key -> stamp`` of every indexed document (for the drift check)."""

    def rebuild(self, documents, total: int, progress=None) -> int:
        """Build a fresh index from ``documents`` and swap it in; returns the count."""
