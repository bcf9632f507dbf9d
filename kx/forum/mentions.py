"""@mentions: ``@`` and a member's name as shown on their posts, found in a post's
sanitised HTML and shown there in bold.

A mention starts with ``@`` that follows no letter, digit or ``@`` (so an e-mail address
mentions nobody) and goes on with one to four words that are, ignoring case, the name of
a verified member; the longest such name wins ("@Ann Lee Smith" is Ann Lee Smith when she
exists, else Ann Lee). Words inside code, links and quotations (``>``) mention nobody, and
a name that several members share mentions none of them. Work per post is bounded: the
first ``MAX_CANDIDATES`` ``@`` are looked up, all in one query, and a post mentions at most
``MAX_MENTIONS`` members; later names stay plain text.

Marking a mention only wraps text the sanitiser already escaped in ``<strong>``, and the
result goes through the sanitiser's allow-list again (``kx.text.sanitise_html``).
"""

import re
from dataclasses import dataclass, field
from html import unescape

from sqlalchemy import func, select

from kx.accounts.models import User
from kx.extensions import db
from kx.text import sanitise_html

MAX_CANDIDATES = 50
MAX_MENTIONS = 10
MAX_WORDS = 4
#: a display name's length at most (``User.display_name``), and as escaped HTML
MAX_NAME = 80
_ESCAPED_NAME = MAX_NAME * len("&#x10ffff;")

# Sanitised HTML quotes every attribute value with double quotes and escapes ``<`` in text,
# so a tag runs from ``<`` to the first ``>`` outside quotes.
_TAG = re.compile(r'<(/?)([a-zA-Z0-9]+)(?:[^>"]|"[^"]*")*>')
_SKIPPED = frozenset({"a", "code", "pre", "blockquote"})
_AT = re.compile(r"(?<![\w@])@(?=\w)")
_WORDS = re.compile(r"\S+")
_TRAILING = re.compile(r"[.,;:!?)\]}'\"…]+$")
_ENTITY_CUT = re.compile(r"&[#\w]*$")


@dataclass
class Mentions:
    """A post's HTML with its mentions marked, and the members it mentions, in order."""

    html: str
    user_ids: list[int] = field(default_factory=list)


@dataclass
class _Window:
    segment: int
    start: int
    #: (end offset in the segment, name as written) per candidate, longest first
    names: list[tuple[int, str]]


def _spaced(name: str) -> str:
    return " ".join(name.split())


def _ascii_lower(name: str) -> str:
    """What SQLite's ``lower()`` makes of ``name``: only ASCII letters change."""
    return "".join(c.lower() if c.isascii() else c for c in name)


def _windows(text: str, segment: int, limit: int) -> list[_Window]:
    windows = []
    for at in _AT.finditer(text):
        if len(windows) == limit:
            break
        words = []
        for word in _WORDS.finditer(text, at.end()):
            if len(words) == MAX_WORDS or (words and "@" in word.group()):
                break
            if word.end() - at.end() > _ESCAPED_NAME:
                break
            words.append(word)
        names = []
        for count in range(len(words), 0, -1):
            end = words[count - 1].end()
            raw = text[at.end() : end]
            stripped = _TRAILING.sub("", raw)
            for candidate in (raw, stripped):
                name = _spaced(unescape(candidate))
                if name and len(name) <= MAX_NAME and not _ENTITY_CUT.search(candidate):
                    names.append((at.end() + len(candidate), name))
        windows.append(_Window(segment, at.start(), names))
    return windows


def _split(html: str) -> tuple[list[str], list[int]]:
    """``html`` as alternating text and tags, and the indexes of the text that may mention."""
    parts, scanned, depth, position = [], [], 0, 0
    for tag in _TAG.finditer(html):
        if tag.start() > position:
            if depth == 0:
                scanned.append(len(parts))
            parts.append(html[position : tag.start()])
        parts.append(tag.group())
        name = tag.group(2).lower()
        if name in _SKIPPED:
            depth = max(0, depth + (-1 if tag.group(1) else 1))
        position = tag.end()
    if position < len(html):
        if depth == 0:
            scanned.append(len(parts))
        parts.append(html[position:])
    return parts, scanned


def _members(names: set[str]) -> dict[str, int | None]:
    """Lower-cased name -> the one verified member who has it (None when several do)."""
    if not names:
        return {}
    # SQLite's lower() changes only ASCII letters, PostgreSQL's every letter: ask for both
    keys = {name.lower() for name in names} | {_ascii_lower(name) for name in names}
    rows = db.session.execute(
        select(User.id, User.display_name).where(
            func.lower(User.display_name).in_(keys),
            User.verified_at.is_not(None),
            User.active.is_(True),
            User.deleted_at.is_(None),
        )
    )
    found: dict[str, int | None] = {}
    for user_id, display_name in rows:
        name = _spaced(display_name).lower()
        found[name] = user_id if name not in found else None
    return found


def find(html: str) -> Mentions:
    """The members ``html`` (a post's sanitised HTML) mentions, and the HTML with each
    mention in bold; one query at most."""
    if "@" not in html:
        return Mentions(html)
    parts, scanned = _split(html)
    windows: list[_Window] = []
    for index in scanned:
        windows += _windows(parts[index], index, MAX_CANDIDATES - len(windows))
        if len(windows) == MAX_CANDIDATES:
            break
    members = _members({name for window in windows for _end, name in window.names})
    user_ids: list[int] = []
    marks: dict[int, list[tuple[int, int]]] = {}
    for window in windows:
        for end, name in window.names:
            user_id = members.get(name.lower())
            if user_id is None:
                continue
            if user_id not in user_ids:
                if len(user_ids) == MAX_MENTIONS:
                    break
                user_ids.append(user_id)
            marks.setdefault(window.segment, []).append((window.start, end))
            break
    if not marks:
        return Mentions(html)
    for index, spans in marks.items():
        text, pieces, position = parts[index], [], 0
        for start, end in spans:  # in order, never overlapping: a name ends before an @
            pieces += [text[position:start], "<strong>", text[start:end], "</strong>"]
            position = end
        parts[index] = "".join(pieces) + text[position:]
    return Mentions(sanitise_html("".join(parts)), user_ids)
