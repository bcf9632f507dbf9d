"""The snippet shown under a hit: the part of its text with the most matching words, the
words marked with ``<mark>`` and everything else escaped for HTML."""

import html
import re

from whoosh.query import AndNot, Not, Phrase, Prefix, Term

from kx.search.whoosh.schema import TEXT_FIELDS, stem

SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the words the analyzer's tokenizer finds


class Marks:
    """Which words of a text match a parsed query, and the snippet that shows them.

    Whoosh's highlighter runs the whole analyzer chain over the stored text of each hit
    (~4 ms a hit here, 80 ms a page); this scans the words once with a cached stemmer.
    Negated words are not marked."""

    def __init__(self, parsed):
        self.terms: set[str] = set()
        self.prefixes: list[str] = []
        self._collect(parsed)

    def _collect(self, query) -> None:
        if isinstance(query, Not):
            return
        if isinstance(query, AndNot):
            self._collect(query.a)
            return
        if isinstance(query, Prefix):
            if query.fieldname in TEXT_FIELDS:
                self.prefixes.append(query.text)
            return
        if isinstance(query, Term):
            if query.fieldname in TEXT_FIELDS:
                self.terms.add(query.text)
            return
        if isinstance(query, Phrase):
            if query.fieldname in TEXT_FIELDS:
                self.terms.update(query.words)
            return
        for child in query.children():
            self._collect(child)

    def _matches(self, word: str) -> bool:
        term = stem(word)
        if term is None:
            return False
        return term in self.terms or any(term.startswith(p) for p in self.prefixes)

    def snippet(self, text: str) -> str:
        spans = [m.span() for m in _WORD.finditer(text) if self._matches(m.group())]
        if not spans:
            return excerpt(text, 0, SNIPPET_CHARS, [])
        # the window of SNIPPET_CHARS holding the most matches, starting a little before
        best, most, j = 0, 0, 0
        for i, (first, _end) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= first + SNIPPET_CHARS - 60:
                j += 1
            if j - i > most:
                best, most = i, j - i
        begin = max(0, spans[best][0] - 60)
        space = text.rfind(" ", 0, begin + 1)
        begin = space + 1 if space > begin - 20 else begin
        return excerpt(text, begin, begin + SNIPPET_CHARS, spans)


def _escape(text: str) -> str:
    """Text content escaped for HTML (quotes stay: a snippet is never an attribute)."""
    return html.escape(text, quote=False)


def excerpt(text: str, begin: int, end: int, spans: list[tuple[int, int]]) -> str:
    """``text[begin:end]`` escaped, the ``spans`` inside wrapped in ``<mark>``."""
    end = min(end, len(text))
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    parts, at = [], begin
    for first, last in spans:
        if first < begin or last > end:
            continue
        parts += [_escape(text[at:first]), "<mark>", _escape(text[first:last]), "</mark>"]
        at = last
    parts.append(_escape(text[at:end]))
    snippet = "".join(parts).strip()
    return ("… " if begin > 0 else "") + snippet + (" …" if end < len(text) else "")
