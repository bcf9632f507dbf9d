"""The record kinds, each declared once: practice examples, research summaries and forum
threads. The review queue, the API, search, forum links and templates read a kind from
here instead of switching on ``item_type``.

This module sits above the domain packages: it imports them, they never import it.

A new kind provides, in its own package: a model with a class attribute ``item_type``
(the slug) and an integer ``id``; ``get(id, viewer)`` that raises ``NotFound`` for what
the viewer may not see; ``query(viewer, filters=None)``, the ``select`` of what the viewer
may see; a page, an edit form if it has one, and an API endpoint reading it, all taking
the id; and a personal-data export registered with ``accounts.register_export``. Then one
``Kind`` below names them and joins ``KINDS``; a reviewed kind also sets ``reviewed`` and
``segment`` (its revision pages), and search maps it in ``kx.search.documents``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from kx.accounts import services as accounts
from kx.forum import services as forum_services
from kx.forum.models import Thread
from kx.practice import services as practice_services
from kx.practice.models import Practice
from kx.research import services as research_services
from kx.research.models import Research


@dataclass(frozen=True)
class Kind:
    model: type
    #: ``get(id, viewer)``: the item, or ``NotFound`` when the viewer may not see it
    get: Callable
    #: ``query(viewer, filters=None)``: ``select`` of the items the viewer may see
    query: Callable
    #: the HTML page's endpoint and the name of its id argument; the kind's other pages
    #: (``edit``, ``archive``, ``delete``) are routes of the same blueprint
    endpoint: str
    id_arg: str
    #: the name of the id argument of its API endpoints (``api.get_<item_type>``...)
    api_id_arg: str
    singular: str
    plural: str
    #: the section of the personal-data export holding what a member wrote of this kind
    export_key: str
    #: whether items go through the review queue and keep revisions
    reviewed: bool = False
    #: the URL segment of its pages (``/<segment>/<id>/revisions``)
    segment: str = ""
    #: ``clashes(item, proposed)``: other items a moderator must weigh against ``item``
    #: with its ``proposed`` changes (summaries of the same study)
    clashes: Callable | None = None

    @property
    def item_type(self) -> str:
        return self.model.item_type

    @property
    def blueprint(self) -> str:
        """The blueprint of its pages."""
        return self.endpoint.partition(".")[0]

    @property
    def api_endpoint(self) -> str:
        """The API's endpoint reading one item."""
        return f"api.get_{self.item_type}"

    def url(self, item, _external: bool = False) -> str:
        """The HTML page of ``item`` (an object or an id)."""
        item_id = getattr(item, "id", item)
        return url_for(self.endpoint, _external=_external, **{self.id_arg: item_id})

    def edit_url(self, item) -> str:
        """The edit form of ``item`` (an object or an id)."""
        return self.action_url("edit", item)

    def action_url(self, action: str, item) -> str:
        """The route ``action`` (``archive``, ``delete``...) of ``item`` in its page's
        blueprint."""
        return url_for(f"{self.blueprint}.{action}", **{self.id_arg: getattr(item, "id", item)})

    def api_url(self, item, _external: bool = False) -> str:
        """``item`` (an object or an id) in the API."""
        item_id = getattr(item, "id", item)
        return url_for(self.api_endpoint, _external=_external, **{self.api_id_arg: item_id})

    @property
    def export(self) -> Callable:
        """``export(user)``: the member's items of this kind in the personal-data export."""
        return accounts.EXPORTERS[self.export_key]


PRACTICE = Kind(
    model=Practice,
    get=practice_services.get_practice,
    query=practice_services.practice_query,
    endpoint="practice.detail",
    id_arg="practice_id",
    api_id_arg="practice_id",
    singular="Practice example",
    plural="Practice examples",
    export_key="practice_examples",
    reviewed=True,
    segment="practices",
)
RESEARCH = Kind(
    model=Research,
    get=research_services.get_research,
    query=research_services.research_query,
    endpoint="research.detail",
    id_arg="item_id",
    api_id_arg="research_id",
    singular="Research summary",
    plural="Research summaries",
    export_key="research",
    reviewed=True,
    segment="research",
    clashes=lambda item, proposed: research_services.doi_clashes(
        item, proposed.get("doi", item.doi)
    ),
)
THREAD = Kind(
    model=Thread,
    get=forum_services.get_thread,
    query=lambda viewer, filters=None: forum_services.thread_query(viewer, **(filters or {})),
    endpoint="forum.thread",
    id_arg="thread_id",
    api_id_arg="thread_id",
    singular="Thread",
    plural="Forum threads",
    export_key="forum",
)

KINDS: dict[str, Kind] = {kind.item_type: kind for kind in (PRACTICE, RESEARCH, THREAD)}
#: the kinds moderators review, by slug
REVIEWED: dict[str, Kind] = {slug: kind for slug, kind in KINDS.items() if kind.reviewed}
#: ``any(...)`` converter argument matching the reviewed kinds' slugs in a URL rule
REVIEWED_SLUGS = ", ".join(REVIEWED)
#: the same for the URL segments of their pages
REVIEWED_SEGMENTS = ", ".join(kind.segment for kind in REVIEWED.values())
BY_SEGMENT: dict[str, Kind] = {kind.segment: kind for kind in REVIEWED.values()}


def kind_of(item) -> Kind:
    return KINDS[item.item_type]


def url_of(item, _external: bool = False) -> str:
    """The HTML page of ``item``, whatever its kind."""
    return kind_of(item).url(item, _external=_external)
