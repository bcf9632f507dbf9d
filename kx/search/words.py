"""Text rules both search backends share: the Unicode form and folding of words, the
stop words, how much of a query is read, and the words and spelling distances "did you
mean" works with. Each backend analyses text its own way; these are where the two must
agree."""

import re
import unicodedata

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.analysis.filters import STOP_WORDS
from whoosh.support.charset import accent_map

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "OPERATORS",
    "STOP_WORDS",
    "TEXT_FIELDS",
    "by_edits",
    "ends",
    "fold",
    "normal",
    "query_text",
    "words_of",
]

#: A search document's text fields, in the order they weigh.
TEXT_FIELDS = ("title", "text", "tags")

#: Longer queries are cut here (a page) or refused (the API): parsing costs grow with the
#: words (5,000 took 2 s).
MAX_QUERY_CHARS = 400
#: Words (terms, phrase words, prefix*) a query may hold; later ones are left out.
MAX_TERMS = 20
#: Query syntax, not words: never counted, looked up or respelled.
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_QUERY_WORD = re.compile(r"\w+(?:\.?\w+)*\**")
_SPELLING_WORD = re.compile(r"[^\W\d_]{3,30}")


def normal(text: str) -> str:
    """Composed Unicode (NFKC), so "e" + combining acute is one letter the tokenizer keeps
    (it would split the word there) and the accent filter folds; applied to documents and
    queries alike."""
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """``text`` case-folded and its accents folded away, as the analyzer folds a word."""
    return text.casefold().translate(accent_map)


def query_text(text: str, notices: list[str]) -> str:
    """``text`` normalised and cut after ``MAX_QUERY_CHARS`` characters and ``MAX_TERMS`` words
    (operators do not count); a cut is told in ``notices``."""
    text = normal((text or "")[:MAX_QUERY_CHARS]).strip()
    words = [m for m in _QUERY_WORD.finditer(text) if m.group() not in OPERATORS]
    if len(words) > MAX_TERMS:
        text = text[: words[MAX_TERMS - 1].end()].rstrip()
        notices.append(
            f"A search may hold {MAX_TERMS} words: only the first {MAX_TERMS} were searched."
        )
    return text


def words_of(documents) -> set[str]:
    """The words "did you mean" may offer from ``documents``: folded like the analyzer
    folds them, letters only, 3 to 30 of them."""
    words: set[str] = set()
    for document in documents:
        for field in TEXT_FIELDS:
            words.update(_SPELLING_WORD.findall(fold(normal(document.get(field) or ""))))
    return words


def ends(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` share at their start plus at their end."""
    start = _shared(a, b)
    return start + _shared(a[start:][::-1], b[start:][::-1])


def _shared(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` share at their start."""
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def by_edits(word: str, candidates, limit: int = 2) -> dict[int, list[str]]:
    """``candidates`` 1 to ``limit`` edits away from ``word``, by their number of edits (an
    adjacent swap counts once: optimal string alignment); compared in rapidfuzz's C loop,
    as a first letter's words run to thousands."""
    found: dict[int, list[str]] = {distance: [] for distance in range(1, limit + 1)}
    near = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
    for candidate, distance, _index in near:
        if distance:
            found[distance].append(candidate)
    return found
