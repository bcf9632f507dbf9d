"""What practice examples and research summaries share: workflow states, visibility,
multi-valued vocabulary terms and revisions.

Visibility is one SQL expression (``visible_to``) used by every list, count, detail, link
list and export, with ``can_view`` its per-object twin for objects already loaded; tests
hold the two to the same answers.

Multi-valued vocabulary fields (domains, countries, stages, restricted sectors) live in one
``item_terms`` table keyed by item type and id, so a filter is an indexed ``EXISTS`` on
SQLite and PostgreSQL alike, and forum threads can reuse it.
"""

import difflib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, and_, false, or_, select, true
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from kx.database import utcnow
from kx.extensions import db

PUBLISHED = "published"
#: states of a revision: in force (or superseded), an edit waiting for review, refused
APPLIED, PROPOSED, REFUSED = "applied", "pending", "rejected"
MULTI_VALUED = {
    "domains": "domain",
    "countries": "country",
    "stages": "stage",
    "restricted_sectors": "sector",
}


class ItemTerm(db.Model):
    """One vocabulary slug attached to one record (e.g. practice 7 has domain ``treatment``)."""

    __tablename__ = "item_terms"
    __table_args__ = (Index("ix_item_terms_lookup", "item_type", "vocabulary", "slug", "item_id"),)

    item_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(16), primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), primary_key=True)


class Revision(db.Model):
    """A record's state after one change: who, when, which fields, and a full snapshot.

    An author's edit of a published item is a ``pending`` revision until a moderator
    decides: the item's columns keep the approved version meanwhile.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_item", "item_type", "item_id"),
        Index("ix_revisions_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fields_changed: Mapped[list] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=APPLIED, server_default=APPLIED)
    #: a moderator's reason for refusing a proposed edit
    review_note: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    #: anonymisation findings in a proposed edit (an applied one's are on the item)
    identifier_warnings: Mapped[list | None] = mapped_column(JSON, default=list)

    author = relationship("User")

    def proposed_changes(self) -> dict[str, Any]:
        """The values a pending edit would set."""
        return {name: self.snapshot.get(name) for name in self.fields_changed}

    def changes_from(self, earlier: "Revision | None") -> dict[str, tuple[Any, Any]]:
        """``field -> (old, new)`` between ``earlier`` and this revision."""
        before = earlier.snapshot if earlier else {}
        return {
            name: (before.get(name), value)
            for name, value in self.snapshot.items()
            if before.get(name) != value
        }


def text_diff(old: Any, new: Any) -> list[str]:
    """A readable line diff of two field values (lists are shown one item a line)."""

    def lines(value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v) for v in value]
        return str(value).splitlines()

    return list(difflib.unified_diff(lines(old), lines(new), "before", "after", lineterm="", n=2))


class Record:
    """Columns and behaviour of a publishable record; subclasses set ``item_type``."""

    item_type: str
    #: fields whose changes are stored in revisions (the subclass lists its own)
    revised_fields: tuple[str, ...] = ()

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    # active_history: a flush must know the status an item had before (kx.search indexes
    # only what is or was published), even when the old value was never loaded.
    status: Mapped[str] = mapped_column(
        String(16), default="draft", index=True, active_history=True
    )
    review_note: Mapped[str] = mapped_column(String(2000), default="")
    identifier_warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        # Lists show published items newest first: walked in this order, a page stops
        # after 20. The visibility and author columns make it cover ``visible_to``, so a
        # list's total is counted in the index, never by reading rows and their long texts
        # (62 ms -> 3.5 ms for a member at 12,000 practices). "My items": an author's items
        # of one status, most recently changed first.
        table = cls.__tablename__
        return (
            Index(
                f"ix_{table}_status_published",
                *("status", "published_at", "created_at", "id", "visibility", "author_id"),
            ),
            Index(f"ix_{table}_author_status", "author_id", "status", "updated_at"),
        )

    @declared_attr
    def author_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def author(cls):
        return relationship("User", foreign_keys=[cls.author_id])

    @declared_attr
    def terms(cls):
        return relationship(
            ItemTerm,
            primaryjoin=lambda: and_(
                ItemTerm.item_type == cls.item_type, foreign(ItemTerm.item_id) == cls.id
            ),
            cascade="all, delete-orphan",
            lazy="selectin",
            overlaps="terms",
        )

    def slugs(self, field: str) -> list[str]:
        vocabulary = MULTI_VALUED[field]
        return sorted(t.slug for t in self.terms if t.vocabulary == vocabulary)

    def set_slugs(self, field: str, slugs: list[str]) -> None:
        vocabulary = MULTI_VALUED[field]
        wanted = dict.fromkeys(slugs)
        self.terms = [t for t in self.terms if t.vocabulary != vocabulary] + [
            ItemTerm(item_type=self.item_type, vocabulary=vocabulary, slug=slug) for slug in wanted
        ]

    domains = property(lambda self: self.slugs("domains"))
    countries = property(lambda self: self.slugs("countries"))
    restricted_sectors = property(lambda self: self.slugs("restricted_sectors"))

    def fill_defaults(self) -> None:
        """Give a new item its column defaults now, so its first revision records them."""
        for column in self.__table__.columns:
            default = column.default
            if default is None or getattr(self, column.key) is not None:
                continue
            if default.is_scalar:
                setattr(self, column.key, default.arg)
            elif default.is_callable and column.key != "id":
                setattr(self, column.key, default.arg(None))

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def snapshot(self) -> dict[str, Any]:
        """The revised fields' current values, JSON-ready."""
        data = {}
        for name in self.revised_fields:
            data[name] = self.slugs(name) if name in MULTI_VALUED else getattr(self, name)
        return data


def has_term(model, field: str, slugs) -> Any:
    """SQL: ``model`` rows carrying any of ``slugs`` in multi-valued ``field``."""
    slugs = [slugs] if isinstance(slugs, str) else list(slugs)
    # Never correlated, whatever the enclosing query reads (the gap map's counts by domain
    # read item_terms too). Not a new alias per call: building one cost every member's
    # list or search page about 1 ms.
    carrying = (
        select(ItemTerm.item_id)
        .where(
            ItemTerm.item_type == model.item_type,
            ItemTerm.vocabulary == MULTI_VALUED[field],
            ItemTerm.slug.in_(slugs),
        )
        .correlate(None)
    )
    # ``id + 0`` keeps SQLite from fetching each carrying row by its id, which reads its
    # long texts: a list is walked in its own index and each id looked up among the
    # carrying ones (a domain's total at 20,000 items: 4.9 -> 1.8 ms).
    return (model.id + 0).in_(carrying)


def viewer_kind(viewer) -> str:
    """Who ``viewer`` is to the visibility rule: anonymous, unverified, member or moderator;
    the search filter's audience derives from it too."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return "anonymous"
    if viewer.is_moderator:
        return "moderator"
    return "member" if viewer.is_verified else "unverified"


def visible_to(model, viewer) -> Any:
    """SQL condition: rows of ``model`` that ``viewer`` (a User, or None) may see.

    Anonymous and unverified viewers: published public items. Verified members: published
    public and members items, and restricted items listing their sector. Authors always see
    their own items (drafts, pending, rejected, archived); moderators see everything.
    """
    if viewer_kind(viewer) == "moderator":
        return true()
    published = model.status == PUBLISHED
    if sees_only_published(viewer):
        return and_(published, audience_sees(model, viewer))
    return or_(model.author_id == viewer.id, and_(published, audience_sees(model, viewer)))


def sees_only_published(viewer) -> bool:
    """Whether ``visible_to`` gives ``viewer`` published rows only: a signed-out viewer has
    no items of their own."""
    return viewer_kind(viewer) == "anonymous"


def audience_sees(model, viewer) -> Any:
    """SQL: published rows of ``model`` that ``viewer`` may see whoever wrote them, i.e.
    what every viewer of the same kind and sector sees (``visible_to`` less the author's
    own items)."""
    kind = viewer_kind(viewer)
    if kind == "moderator":
        return true()
    if kind in ("anonymous", "unverified"):
        return model.visibility == "public"
    return or_(
        model.visibility.in_(("public", "members")),
        and_(
            model.visibility == "restricted",
            has_term(model, "restricted_sectors", viewer.sector),
        ),
    )


def owned_by(model: type[Record], viewer):
    """SQL for "``viewer`` wrote it"; false for a signed-out viewer, who owns nothing
    (``author_id IS NULL`` would match the items of erased accounts)."""
    if viewer is None or not viewer.is_authenticated:
        return false()
    return model.author_id == viewer.id


def can_view(item: Record, viewer) -> bool:
    """Whether ``viewer`` may see ``item``; the per-object twin of ``visible_to``."""
    kind = viewer_kind(viewer)
    if kind == "moderator":
        return True
    if kind != "anonymous" and item.author_id == viewer.id:
        return True
    if item.status != PUBLISHED:
        return False
    if item.visibility == "public":
        return True
    if kind != "member":
        return False
    return item.visibility == "members" or viewer.sector in item.restricted_sectors


def visible_query(model, viewer):
    """``select(model)`` limited to what ``viewer`` may see."""
    return select(model).where(visible_to(model, viewer))


__all__ = [
    "APPLIED",
    "PROPOSED",
    "PUBLISHED",
    "REFUSED",
    "ItemTerm",
    "Record",
    "Revision",
    "can_view",
    "has_term",
    "sees_only_published",
    "text_diff",
    "viewer_kind",
    "visible_query",
    "visible_to",
]
