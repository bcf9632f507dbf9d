"""Markdown -> sanitised HTML, done once when text is saved; the only user of the sanitiser.

markdown-it-py's ``js-default`` preset (CommonMark with tables and strikethrough, raw HTML
off) renders; bleach then keeps only an explicit allow-list, so even a renderer bug cannot
emit a script, a style, an event handler, an image or a ``javascript:``/``data:`` link.
Images are never rendered (text-only platform): their alt text stands in their place.

Rendering is bounded, because it runs for every save and a save must never hold a worker
(or, once it ran inside the write transaction, the database) for seconds. Three bounds:
a nesting depth, the amount of markup handed to the sanitiser (html5lib spends a Python
loop on every tag and entity), and a time budget checked as the parser and the sanitiser
go. Past any of them the text is refused with ``TooComplex``, never cut short. Upstream
markdown-it-py (4.3.0, the newest) rescans to the end of the paragraph for every ``[``
that does not close (``"[\n" * 50_000`` took 10 s); ``_parse_link_label`` below resolves
every opener one walk crosses, so each position is walked once.
"""

import gc
import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from html import unescape
from types import SimpleNamespace

import bleach
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt, helpers
from markupsafe import escape

from kx.database import in_write_transaction
from kx.errors import Invalid

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

# One save renders all its Markdown fields within this much CPU time (the thread's own, so
# that a busy machine does not refuse ordinary text). Ordinary text takes a few
# milliseconds per kilobyte (100 KB of prose: about 0.3 s, most of it in the sanitiser), so
# only text built to be slow meets the budget.
RENDER_BUDGET_SECONDS = 0.5
# Blocks nested deeper than this (a quote in a list item counts two or three levels) are
# refused rather than silently cut off, as markdown-it would past its ``maxNesting``.
MAX_NESTING = 16
# Tags and character entities the sanitiser may meet in one field's HTML. html5lib takes
# some 10-20 microseconds for each and cannot be interrupted, so this bounds its time before
# it starts; 100 KB of ordinary prose carries under 5,000.
MAX_MARKUP = 20_000
TOO_COMPLEX = (
    "This text is too complex to display: it nests too deeply or carries too much "
    "formatting or too many special characters for its length. Simplify or shorten it."
)


class TooComplex(ValueError):
    """Rendering the text would pass one of the bounds above."""


_deadline: ContextVar[float | None] = ContextVar("kx_render_deadline", default=None)
# Reading the thread's CPU clock costs about a microsecond: look at it every 32nd check.
_ticks = itertools.count()


@contextmanager
def render_budget(seconds: float | None = None) -> Iterator[None]:
    """Share one time budget among the renders inside the block (default: one save's)."""
    if _deadline.get() is not None:
        yield
        return
    token = _deadline.set(time.thread_time() + (seconds or RENDER_BUDGET_SECONDS))
    # No garbage collection while rendering: a full one costs in proportion to all the
    # process holds (half a second in a big one), not to the text, and a short text
    # rendered across one was refused. What a render allocates is bounded by the limits
    # above, and the collector runs again as soon as the budget ends.
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
        _deadline.reset(token)


def _check_deadline(every: int = 32) -> None:
    if next(_ticks) % every:
        return
    deadline = _deadline.get()
    if deadline is not None and time.thread_time() > deadline:
        raise TooComplex(TOO_COMPLEX)


def _image_as_alt_text(self, tokens, idx, options, env):
    return str(escape(self.renderInlineAsText(tokens[idx].children or [], options, env)))


def _demote_headings(state):
    """Shift headings down one level so user text never competes with the page's h1."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _block_bounds(state, _start_line, _end_line, _silent) -> bool:
    """First block rule (and paragraph terminator): check depth and time, match nothing."""
    if state.level >= MAX_NESTING:
        raise TooComplex(TOO_COMPLEX)
    _check_deadline()
    return False


def _inline_bounds(state, _silent=False) -> bool:
    """First inline rule, and last post-processing step: check the time, match nothing."""
    _check_deadline()
    return False


# The cache of inline positions belongs to one paragraph's parse; the label walks share
# it under this key (it never collides with the positions, which are ints).
_LABELS = object()


def _parse_link_label(state, start: int, disableNested: bool = False) -> int:
    """markdown-it's ``parseLinkLabel``, with the ends of every opener the walk crosses kept.

    The walk from one ``[`` passes each later ``[`` that is plain text; a walk started at
    that one would follow the same positions (skipToken is cached by position) and end at
    the ``]`` that brings the outer walk back to that ``[``'s depth, or fail where the outer
    one fails. So one walk answers for all of them, and each position is walked once.
    """
    labels = state.cache.setdefault(_LABELS, {})
    key = (start, disableNested, state.posMax)
    if key in labels:
        return labels[key]
    old_pos = state.pos
    state.pos = start + 1
    openers = [start]
    found = -1
    while state.pos < state.posMax:
        marker = state.src[state.pos]
        if marker == "]":
            opener = openers.pop()
            labels[(opener, disableNested, state.posMax)] = state.pos
            if not openers:
                found = state.pos
                break
        previous = state.pos
        state.md.inline.skipToken(state)
        if marker == "[":
            if previous == state.pos - 1:
                openers.append(previous)
            elif disableNested:
                break
    for opener in openers:
        labels[(opener, disableNested, state.posMax)] = -1
    state.pos = old_pos
    return found


_markdown = MarkdownIt("js-default", {"html": False, "maxNesting": MAX_NESTING + 4})
_markdown.helpers = SimpleNamespace(
    parseLinkLabel=_parse_link_label,
    parseLinkDestination=helpers.parseLinkDestination,
    parseLinkTitle=helpers.parseLinkTitle,
)
_markdown.block.ruler.before(
    "table", "kx_bounds", _block_bounds, {"alt": ["paragraph", "reference", "blockquote", "list"]}
)
_markdown.inline.ruler.before("text", "kx_bounds", _inline_bounds)
_markdown.inline.ruler2.push("kx_bounds", _inline_bounds)
_markdown.add_render_rule("image", _image_as_alt_text)
_markdown.core.ruler.push("demote_headings", _demote_headings)


class _DeadlineFilter(Filter):
    """Pass the sanitiser's tokens through, checking the render budget as they go."""

    def __iter__(self):
        for token in super().__iter__():
            _check_deadline()
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], parse_email=False), _DeadlineFilter],
)


_TABLE_DELIMITER = re.compile(r"^[ \t|:]*-[ \t|:-]*$")
# A run of one emphasis character is one delimiter the inline parser pairs and post-processes
# as a token; text made of nothing else ("*_*_…") keeps it busy for its whole budget.
_DELIMITER_RUN = re.compile(r"\*+|_+|~+")


def _table_cells(source: str) -> int:
    """How many cells the tables of ``source`` will have at least: a table's rule pads every
    row to the delimiter row's columns in one uninterruptible step, so count them first."""
    lines = source.splitlines()
    next_blank, blank_from = [0] * (len(lines) + 1), len(lines)
    for number in range(len(lines) - 1, -1, -1):
        if not lines[number].strip():
            blank_from = number
        next_blank[number] = blank_from
    next_blank[len(lines)] = len(lines)
    cells = 0
    for number, line in enumerate(lines):
        if "|" in line and _TABLE_DELIMITER.match(line):
            cells += len(re.findall(r"-+", line)) * (next_blank[number + 1] - number)
    return cells


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for Markdown ``source`` (empty string for empty input).

    Raises ``TooComplex`` past a bound; inside ``render_budget`` the time is shared.
    """
    if not source:
        return ""
    if in_write_transaction():
        # even bounded, rendering under the write lock would stall every other writer
        raise RuntimeError("Render Markdown before the write transaction opens.")
    if 2 * _table_cells(source) > MAX_MARKUP:  # each cell is two tags
        raise TooComplex(TOO_COMPLEX)
    if sum(1 for _ in _DELIMITER_RUN.finditer(source)) > MAX_MARKUP:
        raise TooComplex(TOO_COMPLEX)
    with render_budget():
        html = _markdown.render(source)
        if html.count("<") + html.count("&") > MAX_MARKUP:
            raise TooComplex(TOO_COMPLEX)
        _check_deadline(every=1)
        return _cleaner.clean(html)


def render_fields(values: dict[str, str | None]) -> dict[str, str]:
    """``render_markdown`` of each value, within one budget; ``Invalid`` names the field
    whose text is too complex."""
    rendered = {}
    with render_budget():
        for name, source in values.items():
            try:
                rendered[name] = render_markdown(source)
            except TooComplex as exc:
                raise Invalid(TOO_COMPLEX, {name: [str(exc)]}) from exc
    return rendered


def sanitise_html(html: str) -> str:
    """Apply the allow-list to HTML from elsewhere (never trust stored HTML blindly)."""
    return _cleaner.clean(html)


def plain_text(html: str | None) -> str:
    """The words of sanitised HTML without markup (for search and excerpts)."""
    if not html:
        return ""
    return unescape(bleach.clean(html, tags=set(), strip=True)).strip()
