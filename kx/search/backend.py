"""The search backend interface; Whoosh implements it (the ``kx.search.whoosh`` package)."""

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
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    #: What the engine changed in the query or left out, for the viewer to read.
    notices: list[str] = field(default_factory=list)
    #: The time budget ran out: ``hits``, ``total`` and ``facets`` are incomplete.
    partial: bool = False


class SearchBackend(Protocol):
    def index(self, documents: list[dict], deleted_keys: list[str]) -> None:
        """Add or replace ``documents`` and remove ``deleted_keys`` in one commit."""

    def search(self, query: Query, audience: Audience, deadline: float | None = None) -> Results:
        """``deadline`` (``time.monotonic()``) ends the work early with partial results."""

    def related(self, key: str, audience: Audience, limit: int = 5) -> list[Hit]: ...

    def stamps(self) -> dict[str, str]:
        """``key -> stamp`` of every indexed document (for the drift check)."""

    def rebuild(self, documents, total: int, progress=None) -> int:
        """Build a fresh index from ``documents`` and swap it in; returns the count."""
