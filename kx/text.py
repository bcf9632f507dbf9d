"""Markdown -> sanitised HTML, done once when text is saved; the only user of the sanitiser.

markdown-it-py's ``js-default`` preset (CommonMark with tables and strikethrough, raw HTML
off) renders; bleach then keeps only an explicit allow-list, so even a renderer bug cannot
emit a script, a style, an event handler, an image or a ``javascript:``/``data:`` link.
Images are never rendered (text-only platform): their alt text stands in their place.
"""

from functools import partial
from html import unescape

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import escape

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


_markdown = MarkdownIt("js-default", {"html": False})
_markdown.add_render_rule("image", _image_as_alt_text)
_markdown.core.ruler.push("demote_headings", _demote_headings)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], parse_email=False)],
)


def render_markdown(source: str | None) -> str:
    """Sanitised HTML for Markdown ``source`` (empty string for empty input)."""
    if not source:
        return ""
    return _cleaner.clean(_markdown.render(source))


def sanitise_html(html: str) -> str:
    """Apply the allow-list to HTML from elsewhere (never trust stored HTML blindly)."""
    return _cleaner.clean(html)


def plain_text(html: str | None) -> str:
    """The words of sanitised HTML without markup (for search and excerpts)."""
    if not html:
        return ""
    return unescape(bleach.clean(html, tags=set(), strip=True)).strip()
