"""Search criteria as the page, the API and saved searches share them, and the saved-search
services ("my themes" and their private Atom feeds): the only code that writes
``SavedSearch`` rows.

A saved search is always run *as its owner, now*: its count of new matches and its feed
show only what the owner may see at the moment they are read, and a deactivated or
deleted owner's feed is gone. A feed address ends with the owner's sessions and API tokens
(the ``session_version`` it was issued under).
"""

import base64
import hashlib
import hmac
import html
import re
import secrets
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from kx import taxonomy
from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.database import transaction, utcnow
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.kinds import KINDS
from kx.search import documents, services
from kx.search.backend import Hit, Query
from kx.search.models import SavedSearch
from kx.search.words import MAX_QUERY_CHARS
from kx.text import plain_text

# Criteria --------------------------------------------------------------------------------

TYPES = {slug: kind.plural for slug, kind in KINDS.items()}
#: One label per hit, for badges.
TYPE_LABELS = {slug: kind.singular for slug, kind in KINDS.items()}
SORTS = {"relevance": "Best match", "newest": "Newest first"}
#: Query parameter -> (its vocabulary, the ``Query`` attribute it fills)
FILTERS = {
    "type": ("types", "types"),
    "domain": ("domains", "domains"),
    "country": ("countries", "countries"),
    "prevention_level": ("prevention_levels", "prevention_levels"),
    "study_design": ("study_designs", "study_designs"),
}
FILTER_LABELS = {
    "type": "Type",
    "domain": "Domain",
    "country": "Country",
    "prevention_level": "Prevention level",
    "study_design": "Study design",
    "year_from": "From year",
    "year_to": "To year",
}
YEAR_MIN, YEAR_MAX = 1900, 2100


def vocabulary(name: str) -> dict[str, str]:
    return TYPES if name == "types" else taxonomy.vocabulary(name)


def _values(values, key: str) -> list[str]:
    """Every value of ``key`` as text (years are stored as numbers in saved searches)."""
    if hasattr(values, "getlist"):
        items = values.getlist(key)
    else:
        value = values.get(key)
        items = [] if value is None else value if isinstance(value, list) else [value]
    return [str(v) for v in items if isinstance(v, str | int) and not isinstance(v, bool)]


def _year(values, key: str) -> int | None:
    raw = (_values(values, key) or [""])[-1].strip()
    if not raw.isdigit() or not (YEAR_MIN <= int(raw) <= YEAR_MAX):
        return None
    return int(raw)


def clean_criteria(values: Mapping) -> dict:
    """The search criteria in ``values`` (a MultiDict or a dict of lists), leniently: values
    outside the vocabularies and impossible years are dropped, not refused (links and old
    saved searches keep working). The API validates strictly before it gets here."""
    criteria: dict = {"q": (_values(values, "q") or [""])[-1].strip()[:MAX_QUERY_CHARS]}
    for name, (vocab, _attribute) in FILTERS.items():
        chosen = {v.strip() for v in _values(values, name)}
        if name == "country":
            chosen = {v.upper() for v in chosen}
        criteria[name] = [slug for slug in vocabulary(vocab) if slug in chosen]
    year_from, year_to = _year(values, "year_from"), _year(values, "year_to")
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    criteria["year_from"], criteria["year_to"] = year_from, year_to
    sort = (_values(values, "sort") or ["relevance"])[-1]
    criteria["sort"] = sort if sort in SORTS else "relevance"
    return criteria


def has_criteria(criteria: dict) -> bool:
    """Whether anything narrows the search (a query, a filter or a year)."""
    return (
        bool(criteria["q"])
        or any(criteria[name] for name in FILTERS)
        or any(criteria[name] is not None for name in ("year_from", "year_to"))
    )


def to_query(criteria: dict, page: int = 1, per_page: int = 20, sort: str | None = None) -> Query:
    return Query(
        text=criteria["q"],
        **{attribute: list(criteria[name]) for name, (_v, attribute) in FILTERS.items()},
        year_from=criteria["year_from"],
        year_to=criteria["year_to"],
        sort=sort or criteria["sort"],
        page=page,
        per_page=per_page,
    )


def criteria_args(criteria: dict, **changes) -> dict:
    """``criteria`` (with ``changes``) as URL parameters, leaving out what is empty."""
    merged = {**criteria, **changes}
    args = {}
    for name, value in merged.items():
        if value in (None, "", []) or (name == "sort" and value == "relevance"):
            continue
        args[name] = value
    return args


def describe(criteria: dict) -> list[tuple[str, str]]:
    """``(label, value)`` pairs saying in words what ``criteria`` look for."""
    parts = []
    if criteria["q"]:
        parts.append(("Words", criteria["q"]))
    for name, (vocab, _attribute) in FILTERS.items():
        if criteria[name]:
            labels = [vocabulary(vocab).get(slug, slug) for slug in criteria[name]]
            parts.append((FILTER_LABELS[name], ", ".join(labels)))
    for name in ("year_from", "year_to"):
        if criteria[name] is not None:
            parts.append((FILTER_LABELS[name], str(criteria[name])))
    return parts


# Hits ------------------------------------------------------------------------------------

_TAG = re.compile(r"</?mark>")


def hit_url(hit: Hit) -> str:
    return KINDS[hit.type].url(hit.id)


def plain_snippet(hit: Hit) -> str:
    """The snippet as plain text (the engine escapes it and adds only ``<mark>``)."""
    return html.unescape(_TAG.sub("", hit.snippet))


def dates_of(hits: list[Hit]) -> dict[tuple[str, int], tuple[datetime, datetime]]:
    """``(type, id) -> (published, updated)`` from the database, for hits the viewer has
    already been shown (so nothing here widens what they see). "Published" is the date the
    index sorts "newest" by."""
    found = {}
    for kind in {hit.type for hit in hits}:
        model = documents.MAPPINGS[kind].model
        ids = [hit.id for hit in hits if hit.type == kind]
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(kind, row.id)] = _dates(kind, row)
    return found


def _dates(kind: str, row) -> tuple[datetime, datetime]:
    if kind == "thread":
        return row.created_at, max(row.created_at, row.last_post_at or row.created_at)
    published = row.published_at or row.updated_at
    return published, max(published, row.updated_at)


def _published_since(moment: datetime) -> int:
    """How many indexed items of any audience were published after ``moment`` (cheap; an
    upper bound on anyone's new matches, never shown to anyone)."""
    total = 0
    for kind, mapping in documents.MAPPINGS.items():
        model = mapping.model
        if kind == "thread":
            published = model.created_at
        else:
            published = func.coalesce(model.published_at, model.updated_at)
        total += db.session.scalar(
            select(func.count()).select_from(model).where(mapping.condition(), published > moment)
        )
    return total


# Saved searches ---------------------------------------------------------------------------

MAX_SAVED = 50
NAME_MAX = 80
#: "New since your last visit" counts stop here (shown as "100+").
NEW_CAP = 100
FEED_ENTRIES = 20


#: how often a theme mails its new matches (kx.digests sends them)
DIGESTS = {"off": "No e-mail", "daily": "Daily e-mail", "weekly": "Weekly e-mail"}
SUMMARY_CHARS = 300


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _derived_token(nonce: str) -> str:
    """The feed token of ``nonce``: only the nonce is stored, so the database alone does not
    hold the address, yet the theme's page can show it again."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, f"kx-feed\0{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _new_token() -> tuple[str, str, str]:
    """A new feed token: (raw token, its digest, its nonce)."""
    nonce = secrets.token_urlsafe(24)
    raw = _derived_token(nonce)
    return raw, _digest(raw), nonce


def feed_token(saved: SavedSearch) -> str | None:
    """The working feed token of ``saved``, or None when it must be renewed (revoked with
    the owner's sessions, issued before tokens were derived, or a new secret key)."""
    if not saved.feed_nonce or saved.feed_revoked:
        return None
    raw = _derived_token(saved.feed_nonce)
    return raw if hmac.compare_digest(_digest(raw), saved.feed_token_digest) else None


def _check_digest(digest: str) -> str:
    if digest not in DIGESTS:
        message = f"Choose one of: {', '.join(DIGESTS)}."
        raise Invalid("Please correct the marked fields.", {"digest": [message]})
    return digest


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid("Please correct the marked fields.", {"name": ["Give the theme a name."]})
    if len(name) > NAME_MAX:
        raise Invalid(
            "Please correct the marked fields.",
            {"name": [f"Use at most {NAME_MAX} characters."]},
        )
    return name


def save(user: User, name: str, values: Mapping, digest: str = "off") -> tuple[SavedSearch, str]:
    """Save the criteria in ``values`` under ``name`` for ``user`` (a verified member),
    mailing new matches as ``digest`` says.

    Returns the saved search and the raw feed token (only its digest is stored)."""
    if not (user.is_authenticated and user.is_verified):
        raise Forbidden("Only verified members can save searches.")
    name = _check_name(name)
    digest = _check_digest(digest)
    count = db.session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if count >= MAX_SAVED:
        raise Conflict(
            f"You already have {MAX_SAVED} saved themes: delete one first.",
            {"name": [f"You already have {MAX_SAVED} saved themes: delete one first."]},
        )
    raw, token_digest, nonce = _new_token()
    with transaction():
        saved = SavedSearch(
            user_id=user.id,
            name=name,
            query=clean_criteria(values),
            feed_token_digest=token_digest,
            feed_nonce=nonce,
            feed_session_version=user.session_version,
            digest=digest,
        )
        db.session.add(saved)
    return saved, raw


def themes_of(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == user.id)
            .order_by(func.lower(SavedSearch.name), SavedSearch.id)
        )
    )


def get_theme(user: User, saved_id: int) -> SavedSearch:
    """``user``'s saved search ``saved_id``; anyone else's is simply not found."""
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not user.is_authenticated or saved.user_id != user.id:
        raise NotFound("No such saved search.")
    return saved


def criteria_of(saved: SavedSearch) -> dict:
    """The stored criteria, cleaned again (vocabularies may have changed since)."""
    return clean_criteria(saved.query if isinstance(saved.query, dict) else {})


def rename(user: User, saved_id: int, name: str) -> SavedSearch:
    saved = get_theme(user, saved_id)
    name = _check_name(name)
    with transaction():
        saved.name = name
    return saved


def update(
    user: User,
    saved_id: int,
    name: str | None = None,
    values: Mapping | None = None,
    digest: str | None = None,
) -> SavedSearch:
    """Change what is given of a theme's name, criteria and digest."""
    saved = get_theme(user, saved_id)
    name = _check_name(name) if name is not None else None
    digest = _check_digest(digest) if digest is not None else None
    with transaction():
        if name is not None:
            saved.name = name
        if values is not None:
            saved.query = clean_criteria(values)
        if digest is not None:
            _set_digest(saved, digest)
    return saved


def _set_digest(saved: SavedSearch, digest: str) -> None:
    if saved.digest == "off" and digest != "off":
        # a digest switched on covers what is new from now, not since the theme was made
        saved.digest_from, saved.digest_sent_at = utcnow(), None
    saved.digest = digest


def set_digest(user: User, saved_id: int, digest: str) -> SavedSearch:
    return update(user, saved_id, digest=digest)


def stop_digest(saved: SavedSearch) -> None:
    """Switch ``saved``'s digest off (the one-click unsubscribe of its mail)."""
    with transaction():
        saved.digest = "off"


def delete(user: User, saved_id: int) -> None:
    saved = get_theme(user, saved_id)
    with transaction():
        db.session.delete(saved)


def new_feed_token(user: User, saved_id: int) -> str:
    """Revoke the feed address of ``saved_id`` and issue a new one (returned raw, once)."""
    saved = get_theme(user, saved_id)
    raw, token_digest, nonce = _new_token()
    with transaction():
        saved.feed_token_digest, saved.feed_nonce = token_digest, nonce
        saved.feed_session_version = user.session_version
    return raw


def visit(user: User, saved_id: int) -> tuple[SavedSearch, datetime]:
    """Open a theme: returns it with the previous ``last_seen_at`` and marks it seen now."""
    saved = get_theme(user, saved_id)
    previous = saved.last_seen_at
    with transaction():
        saved.last_seen_at = utcnow()
    return saved, previous


def run(saved: SavedSearch, page: int = 1, per_page: int = 20, sort: str | None = None):
    """The saved search's results as its owner may see them now: every word must match (a
    theme and its feed never widen to partial matches)."""
    query = to_query(criteria_of(saved), page=page, per_page=per_page, sort=sort)
    return services.search(saved.user, replace(query, widen=False))


def new_matches(saved: SavedSearch, since: datetime | None = None) -> int:
    """How many of the owner's matches were published after ``since`` (default: the last
    visit), up to ``NEW_CAP + 1``.

    Every new match is among the items published since then, and sorting newest first puts
    them ahead of older matches, so one page as large as that number holds them all.
    """
    since = saved.last_seen_at if since is None else since
    published = _published_since(since)
    if not published:
        return 0
    results = run(saved, per_page=min(published, NEW_CAP + 1), sort="newest")
    dates = dates_of(results.hits)
    return sum(1 for published, _updated in dates.values() if published > since)


def feed_owner_search(raw_token: str) -> SavedSearch:
    """The saved search whose feed token is ``raw_token``; NotFound for an unknown or
    revoked token, one issued before the owner's sessions last ended, or when the owner's
    account is deactivated or deleted."""
    if not raw_token or len(raw_token) > 128:
        raise NotFound("No such feed.")
    saved = db.session.scalar(
        select(SavedSearch).where(SavedSearch.feed_token_digest == _digest(raw_token))
    )
    if saved is None or saved.user is None or not saved.user.is_active or saved.feed_revoked:
        raise NotFound("No such feed.")
    return saved


def summaries_of(hits: list[Hit]) -> dict[tuple[str, int], str]:
    """``(type, id) -> summary``: each item's own summary as plain text (a thread's: its
    first post), for hits the viewer has already been shown."""
    found = {}
    for kind in {hit.type for hit in hits}:
        model = documents.MAPPINGS[kind].model
        ids = [hit.id for hit in hits if hit.type == kind]
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(kind, row.id)] = _shorten(_summary(kind, row))
    return found


def _summary(kind: str, row) -> str:
    if kind == "thread":
        first = row.posts[0] if row.posts else None
        if first is None or first.hidden or first.deleted_at is not None:
            return ""
        return plain_text(first.body_html)
    # a research summary's summary is Markdown, a practice example's plain text; without
    # one, the item's own opening words stand in (never the words a search matched)
    for name in ("summary_html", "summary", "body_html"):
        value = getattr(row, name, None)
        if value:
            return plain_text(value) if name.endswith("_html") else value
    return ""


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def feed_entries(saved: SavedSearch) -> list[dict]:
    """The newest ``FEED_ENTRIES`` matches the owner may see now, with their dates."""
    results = run(saved, per_page=FEED_ENTRIES, sort="newest")
    dates = dates_of(results.hits)
    summaries = summaries_of(results.hits)
    entries = []
    for hit in results.hits:
        if (hit.type, hit.id) not in dates:  # gone from the database since it was indexed
            continue
        published, updated = dates[(hit.type, hit.id)]
        entries.append(
            {
                "hit": hit,
                "url": hit_url(hit),
                "published": published,
                "updated": updated,
                "summary": summaries.get((hit.type, hit.id), ""),
            }
        )
    return entries


def _export(user: User) -> list[dict]:
    return [
        {
            "id": saved.id,
            "name": saved.name,
            "query": criteria_of(saved),
            "digest": saved.digest,
            "created_at": saved.created_at.isoformat() + "Z",
            "last_seen_at": saved.last_seen_at.isoformat() + "Z",
        }
        for saved in db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    ]


accounts.register_export("saved_searches", _export)


def _erase(user: User) -> None:
    """Saved searches are personal data: they go with the account."""
    db.session.execute(db.delete(SavedSearch).where(SavedSearch.user_id == user.id))


accounts.register_erasure(_erase)
