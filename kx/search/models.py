"""The search outbox, the PostgreSQL backend's documents, texts and words, and the searches
members save as themes."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kx.accounts.models import User
from kx.database import utcnow
from kx.extensions import db


class SearchOutbox(db.Model):
    """Written in the same transaction as the change; deleted after the index commit."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedSearch(db.Model):
    """A member's saved query and filters ("my themes"), with a private Atom feed.

    ``query`` holds the criteria in the shape of ``kx.search.saved.clean_criteria``. Only the
    SHA-256 digest of the feed token is stored: the feed address is shown once, and issuing
    a new one (revoking) makes the old address answer 404. The address also stops working
    when the owner's ``session_version`` moves on (sign out everywhere, password, role or
    sector change, deactivation), like their sessions and API tokens.
    """

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[dict] = mapped_column(JSON)
    feed_token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: the owner's session_version when the feed address was issued
    feed_session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the feed token is derived from this and the secret key, so the page can show the
    #: address again (None: issued before addresses were derived; renew to see it)
    feed_nonce: Mapped[str | None] = mapped_column(String(64))
    #: theme digests (kx.digests): "off", "daily" or "weekly"
    digest: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    #: the next digest covers items published after this (None: since ``created_at``)
    digest_from: Mapped[datetime | None]
    #: when the last digest went out (None: none yet, the next run sends one)
    digest_sent_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def feed_revoked(self) -> bool:
        """Whether the feed address ended with the owner's sessions (sign out everywhere, a
        new password, a role or sector change, deactivation): a new one must be issued."""
        return self.feed_session_version != self.user.session_version


#: Lists (tags, sectors) as arrays on PostgreSQL; JSON elsewhere, where the table stays unused.
_LIST = ARRAY(Text).with_variant(JSON(), "sqlite")


class SearchDocument(db.Model):
    """A search document of the PostgreSQL backend (``kx.search.postgres``), written in the
    same transaction as the change it reflects. Unused with the Whoosh backend.

    What a search filters, counts and ranks by, and no more: a broad query reads the row of
    every match, so the row is kept narrow (about 240 bytes); what a hit shows is in its
    ``SearchText``."""

    __tablename__ = "search_documents"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    domains: Mapped[list] = mapped_column(_LIST)
    countries: Mapped[list] = mapped_column(_LIST)
    sectors: Mapped[list] = mapped_column(_LIST)
    visibility: Mapped[str] = mapped_column(String(16))
    prevention_level: Mapped[str] = mapped_column(String(40))
    study_design: Mapped[str] = mapped_column(String(40))
    year: Mapped[int | None]
    published: Mapped[datetime]
    #: title A, tags B, text C (``kx.search.postgres.store.HEAD`` and ``_INSERT``)
    vector: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    #: type, prevention level and study design in one text, domains in one and countries
    #: in one (``kx.search.postgres.store.facet_columns``): what a search groups its
    #: matches by to count each facet value
    facet_kind: Mapped[str] = mapped_column(Text)
    facet_domains: Mapped[str] = mapped_column(Text)
    facet_countries: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_search_documents_vector",
            "vector",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        Index("ix_search_documents_published", "published"),
    )


class SearchText(db.Model):
    """What a hit of a ``SearchDocument`` shows (title, snippet), and the title-and-tags
    vector that puts matches in their title first: read for a page of hits, not for every
    match."""

    __tablename__ = "search_texts"

    key: Mapped[str] = mapped_column(
        String(40), ForeignKey("search_documents.key", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    stamp: Mapped[str] = mapped_column(String(40))
    #: title A and tags B alone (``kx.search.postgres.store.HEAD``)
    head: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))

    __table_args__ = (
        Index(
            "ix_search_texts_head",
            "head",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )


class SearchWord(db.Model):
    """A word "did you mean" may offer (PostgreSQL backend): folded, letters only."""

    __tablename__ = "search_words"

    #: In code point order, so the words of one first letter are one range of the key
    word: Mapped[str] = mapped_column(
        String(30).with_variant(String(30, collation="C"), "postgresql"), primary_key=True
    )
