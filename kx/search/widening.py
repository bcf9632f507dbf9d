"""What a search answers when its words as typed find (almost) nothing, for every backend:
when items holding only some of a theme's words follow (``few``), and when the results of
the "did you mean" spelling take the place of those of the words as typed (``respelled``).
"""

from collections.abc import Callable
from dataclasses import replace

from kx.search import thesaurus
from kx.search.backend import Query, Results
from kx.search.words import OPERATORS

#: Below this many items holding every word of a theme (``THEME_WORDS`` or more different
#: words), items holding only some of them follow, those holding most first: a described
#: theme ("community volunteers supporting released men") is rarely worded so by any item.
FEW_RESULTS = 3
THEME_WORDS = 3


def respelled(query: Query, results: Results, search: Callable[[Query], Results]) -> Results:
    """``results``, or those ``search`` finds for their "did you mean" spelling when few
    items hold every word and the spelling finds more, with the words as typed offered."""
    if not _respellable(query, results):
        return results
    other = search(replace(query, text=results.suggestion))
    if other.partial or all_words(other) <= all_words(results):
        return results
    reading = other.interpretation
    reading.respelled = query.text
    reading.as_typed = _as_typed(query.text, results.suggestion)
    other.suggestion = results.suggestion
    other.notices = list(dict.fromkeys(results.notices + other.notices))
    return other


def few(strict: int, reading) -> bool:
    """Whether ``strict`` items holding every word are too few for a theme of plain words
    (no quotes, no AND/OR/NOT: those ask for exactly what they say)."""
    words = reading.searched.split()
    return strict < FEW_RESULTS and len({w.lower() for w in words}) >= THEME_WORDS and plain(words)


def plain(words: list[str]) -> bool:
    """Whether ``words`` hold no quotes, groups or AND/OR/NOT."""
    return not any(w in OPERATORS or '"' in w or "(" in w for w in words)


def all_words(results: Results) -> int:
    """How many of ``results`` hold every word searched."""
    reading = results.interpretation
    return reading.all_words if reading.fallback else results.total


def _respellable(query: Query, results: Results) -> bool:
    """Whether ``results`` should give way to those of their "did you mean" spelling: few
    items hold every word, written plainly (quoted words and operators say exactly what
    they mean) and none of them the thesaurus's ("SOTP" is no slip for "stop")."""
    return bool(
        query.widen
        and results.suggestion
        and not results.partial
        and plain(query.text.split())
        and not any(m.group != "spelling" for m in thesaurus.expand(query.text.split()).matches)
        and all_words(results) < FEW_RESULTS
    )


def _as_typed(text: str, respelling: str) -> str:
    """``text`` with the words "did you mean" respelt quoted, so that searching it finds the
    words as typed instead of their respelling."""
    typed, respelt = text.split(), respelling.split()
    if len(typed) != len(respelt):
        return f'"{text}"'
    return " ".join(
        f'"{word}"' if word != other else word for word, other in zip(typed, respelt, strict=True)
    )
