"""How each record kind (``kx.kinds``) becomes a search document; a new kind adds one
``Mapping`` here.

Only what is out in the world for at least one audience is indexed: published practice
examples and research summaries, and forum threads that are not deleted (with the text of
their visible posts). Who may see a document is carried by ``visibility`` and ``sectors``
and enforced as a filter inside the engine. ``tags`` holds the names of its tags
(``kx.search.vocabulary``), searched like its title, and of the outcomes findings record
on its evidence links, only where the item at the other end of the link is published and
public: otherwise a word of a public document would tell that a members-only or
restricted study (or practice) exists. ``stamp`` is a digest of the
document, so the drift check notices any difference between the index and the database,
not only missing documents (a change to the names of tags included).
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from sqlalchemy import inspect, select
from sqlalchemy.orm.base import NO_VALUE

from kx import taxonomy
from kx.evidence.models import EvidenceLink, Finding
from kx.extensions import db
from kx.forum.models import CategorySetting, Post, Thread
from kx.forum.rules import category_visibilities
from kx.kinds import PRACTICE, RESEARCH, THREAD
from kx.practice.models import Practice
from kx.records.models import PUBLISHED, Record
from kx.research.models import Research
from kx.search import vocabulary


@dataclass(frozen=True)
class Mapping:
    kind: str
    model: type
    to_document: Callable[[object], dict]
    indexable: Callable[[object], bool]
    #: SQL condition selecting the rows that belong in the index
    condition: Callable[[], object]


def _finish(document: dict) -> dict:
    content = json.dumps(document, sort_keys=True, default=str).encode()
    document["stamp"] = hashlib.sha1(content, usedforsecurity=False).hexdigest()
    return document


class _TextOf(HTMLParser):
    """Collects the text of HTML, character references decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str | None) -> str:
    """The words of stored, already sanitised HTML: what ``kx.text.plain_text`` returns,
    ~20 times faster. That one runs bleach's html5lib parser (~3 ms a field); over four
    fields of 20,000 items it made up most of a reindex and of ``search check``."""
    if not html:
        return ""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip()


def _texts(item) -> list[str]:
    """The Markdown fields as plain words (their sanitised HTML without tags)."""
    return [plain_text(getattr(item, f"{name}_html")) for name in item.markdown_fields]


def _record(item, text_parts: list[str], tags: dict[str, list[str]], **extra) -> dict:
    tags = {"domains": item.domains, "countries": item.countries, **tags}
    return _finish(
        {
            "key": f"{item.item_type}:{item.id}",
            "type": item.item_type,
            "id": item.id,
            "title": item.title,
            "text": "\n\n".join(part for part in text_parts if part),
            "tags": vocabulary.tag_text(tags),
            "domains": item.domains,
            "countries": item.countries,
            "visibility": item.visibility,
            "sectors": item.restricted_sectors,
            "published": item.published_at or item.updated_at or datetime(1970, 1, 1),
            **extra,
        }
    )


#: ``(model, id) -> outcomes`` read at once for a batch of a reindex (``all_documents``)
_read_ahead: ContextVar[dict | None] = ContextVar("outcomes_read_ahead", default=None)


def _outcomes(item) -> list[str]:
    """The outcomes that findings record on ``item``'s links to published public items."""
    ahead = _read_ahead.get()
    if ahead is not None and (type(item), item.id) in ahead:
        return ahead[type(item), item.id]
    return _outcomes_of(type(item), [item.id]).get(item.id, [])


def _outcomes_of(model, ids: list[int]) -> dict[int, list[str]]:
    """``_outcomes`` of the ``model`` items ``ids``, in one statement."""
    if model is Practice:
        mine, other, other_model = EvidenceLink.practice_id, EvidenceLink.research_id, Research
    else:
        mine, other, other_model = EvidenceLink.research_id, EvidenceLink.practice_id, Practice
    rows = db.session.execute(
        select(mine, Finding.outcome)
        .distinct()
        .join(EvidenceLink, Finding.link_id == EvidenceLink.id)
        .join(other_model, other_model.id == other)
        .where(
            mine.in_(ids),
            other_model.status == PUBLISHED,
            other_model.visibility == "public",
        )
        .order_by(mine, Finding.outcome)
    )
    found: dict[int, list[str]] = {}
    for item_id, outcome in rows:
        found.setdefault(item_id, []).append(outcome)
    return found


def practice_document(item: Practice) -> dict:
    return _record(
        item,
        [item.summary, *_texts(item), item.organisation, item.target_population],
        {
            "prevention_levels": [item.prevention_level],
            "stages": item.slugs("stages"),
            "outcomes": _outcomes(item),
        },
        prevention_level=item.prevention_level or "",
        stages=item.slugs("stages"),
        year=(item.published_at or item.created_at).year,
    )


def research_document(item: Research) -> dict:
    return _record(
        item,
        [*_texts(item), ", ".join(item.authors), item.venue],
        {"study_designs": [item.study_design], "outcomes": _outcomes(item)},
        study_design=item.study_design,
        year=item.year,
    )


def thread_document(thread: Thread) -> dict:
    posts = [p for p in thread.posts if not p.hidden and p.deleted_at is None and p.body_html]
    domains = [thread.category] if thread.category in taxonomy.DOMAINS else []
    return _finish(
        {
            "key": f"thread:{thread.id}",
            "type": "thread",
            "id": thread.id,
            "title": thread.title,
            "text": "\n\n".join(plain_text(post.body_html) for post in posts),
            "tags": vocabulary.tag_text({"domains": domains}),
            "domains": domains,
            "countries": [],
            "visibility": category_visibilities()[thread.category],
            "sectors": [],
            "published": thread.created_at,
            "year": thread.created_at.year,
        }
    )


MAPPINGS: dict[str, Mapping] = {
    mapping.kind: mapping
    for mapping in (
        Mapping(
            PRACTICE.item_type, PRACTICE.model, practice_document,
            lambda i: i.status == PUBLISHED, lambda: Practice.status == PUBLISHED,
        ),
        Mapping(
            RESEARCH.item_type, RESEARCH.model, research_document,
            lambda i: i.status == PUBLISHED, lambda: Research.status == PUBLISHED,
        ),
        Mapping(
            THREAD.item_type, THREAD.model, thread_document,
            lambda t: t.deleted_at is None, lambda: Thread.deleted_at.is_(None),
        ),
    )
}  # fmt: skip


def touched_keys(session, obj) -> set[tuple[str, int]]:
    """The documents a flushed object affects (for the outbox)."""
    if isinstance(obj, Record) and obj.id is not None:
        if not _published_now_or_before(obj):
            return set()
        # its status or visibility decides whether its links' outcomes are words of the
        # items at their other ends
        return {(obj.item_type, obj.id), *_linked_keys(session, obj)}
    if isinstance(obj, EvidenceLink):
        return _ends(obj.practice_id, obj.research_id)
    if isinstance(obj, Finding):
        if obj.link is not None:
            return _ends(obj.link.practice_id, obj.link.research_id)
        ends = session.connection().execute(
            select(EvidenceLink.practice_id, EvidenceLink.research_id).where(
                EvidenceLink.id == obj.link_id
            )
        )
        return {key for practice_id, research_id in ends for key in _ends(practice_id, research_id)}
    if isinstance(obj, Thread) and obj.id is not None:
        return {("thread", obj.id)}
    if isinstance(obj, Post) and obj.thread_id is not None:
        return {("thread", obj.thread_id)}
    if isinstance(obj, CategorySetting):
        ids = session.connection().scalars(select(Thread.id).where(Thread.category == obj.slug))
        return {("thread", thread_id) for thread_id in ids}
    return set()


def _ends(practice_id, research_id) -> set[tuple[str, int]]:
    return {
        (kind, item_id)
        for kind, item_id in (("practice", practice_id), ("research", research_id))
        if item_id is not None
    }


def _linked_keys(session, record: Record) -> set[tuple[str, int]]:
    """The documents at the other ends of ``record``'s evidence links that have findings."""
    if isinstance(record, Practice):
        mine, other, kind = EvidenceLink.practice_id, EvidenceLink.research_id, "research"
    else:
        mine, other, kind = EvidenceLink.research_id, EvidenceLink.practice_id, "practice"
    ids = session.connection().scalars(
        select(other).distinct().where(mine == record.id, EvidenceLink.findings.any())
    )
    return {(kind, item_id) for item_id in ids}


def _published_now_or_before(record: Record) -> bool:
    """Whether the flush leaves ``record`` published or found it so. Only then can the
    index hold it or need it; drafts and pending items, most of all writes, never reach
    the outbox. (An unknown status, on a deleted row never loaded, counts as published.)"""
    status = inspect(record).attrs.status
    return status.loaded_value is NO_VALUE or PUBLISHED in (
        status.loaded_value,
        *status.history.deleted,
    )


def indexable(item, kind: str) -> bool:
    return item is not None and MAPPINGS[kind].indexable(item)


def all_documents(batch: int = 500) -> Iterator[dict]:
    """Every document the database says should be in the index."""
    for mapping in MAPPINGS.values():
        last_id = 0
        while True:
            items = db.session.scalars(
                select(mapping.model)
                .where(mapping.condition(), mapping.model.id > last_id)
                .order_by(mapping.model.id)
                .limit(batch)
            ).all()
            if not items:
                break
            ahead = None
            if mapping.model in (Practice, Research):  # one statement for the batch
                found = _outcomes_of(mapping.model, [item.id for item in items])
                ahead = {(mapping.model, item.id): found.get(item.id, []) for item in items}
            for item in items:
                token = _read_ahead.set(ahead)
                try:
                    document = mapping.to_document(item)
                finally:
                    _read_ahead.reset(token)
                yield document
                db.session.expunge(item)  # keep memory flat on large reindexes
            last_id = items[-1].id


def expected_stamps() -> dict[str, str]:
    """``key -> stamp`` of every document that should be indexed, from the database."""
    return {document["key"]: document["stamp"] for document in all_documents()}


def expected_count() -> int:
    return sum(
        db.session.scalar(select(db.func.count()).select_from(m.model).where(m.condition()))
        for m in MAPPINGS.values()
    )
