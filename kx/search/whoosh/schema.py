"""The index's fields and the analyzer that turns text into terms, for documents and
queries alike.

An index is always opened with the schema declared here (``open_index``), never with the
one Whoosh pickled into it: that copy names the analyzer's class by its module, so moving
the class would leave every existing index unreadable.
"""

import functools
import re
from pathlib import Path

from whoosh import index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.index import EmptyIndexError
from whoosh.lang import stemmer_for_language

from kx.search.words import STOP_WORDS, TEXT_FIELDS, fold, normal

LIST_FIELDS = ("domains", "countries", "sectors", "stages")
# Empty lists are indexed as this placeholder (Whoosh fails reading a vectored field that
# no document of a segment has a value for; indexes built before vectors were dropped).
EMPTY = "_"

_english = stemmer_for_language("en")


@functools.lru_cache(maxsize=200_000)
def _english_stem(word: str) -> str:
    """Snowball's English stemmer, cached (Whoosh's own cache costs ~12 µs a lookup)."""
    return _english(word)


# Accents are folded *before* stemming, so "évaluation" and "evaluation" share a stem (the
# stemmer treats "é" as a foreign letter and would otherwise stem the two differently).
# Snowball's English stemmer (Porter2) also gives "evaluated" and "evaluation" one stem,
# which the original Porter stemmer (Whoosh's default) does not.
_WORD_PATTERN = re.compile(r"\w+(\.?\w+)*", re.UNICODE)  # RegexTokenizer's default


def _stopped(word: str) -> bool:
    """Whether ``word`` (folded) is a stop word to the analyzer: too short or too common."""
    return len(word) < 2 or word in STOP_WORDS


class _Words(Tokenizer):
    """The analyzer in one pass: words as ``RegexTokenizer`` finds them, case-folded and
    accents folded away ("é" -> "e"), stop words dropped or marked and positions renumbered
    as ``StopFilter`` does, stems from ``_english_stem``. The same tokens as the five-stage
    chain it replaced (the tests hold them equal in every mode) in about a fifth less time;
    analysis is a third of indexing."""

    is_morph = True

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if tokenize:
            matches = ((m.group(0), m.start(), m.end()) for m in _WORD_PATTERN.finditer(value))
        else:
            matches = iter([(value, 0, len(value))])
        pos = None
        for number, (word, start, end) in enumerate(matches):
            text = fold(word)
            stopped = _stopped(text)
            if stopped and removestops:
                continue
            token.boost = 1.0
            token.stopped = stopped
            if keeporiginal:
                token.original = word
            if stopped:
                token.text = text
                if positions:
                    token.pos = start_pos + number
            else:
                token.text = _english_stem(text)
                if positions:
                    pos = start_pos + number if pos is None else pos + 1
                    token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


ANALYZER = _Words()


def index_terms(text: str) -> set[str]:
    """The distinct terms ``ANALYZER`` indexes for ``text``, found without building its
    tokens."""
    words = (fold(match.group(0)) for match in _WORD_PATTERN.finditer(text))
    return {_english_stem(word) for word in words if not _stopped(word)}


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str | None:
    """The term the analyzer indexes for ``word`` (None for a stop word)."""
    terms = [token.text for token in ANALYZER(word)]
    return terms[0] if len(terms) == 1 else None


def schema() -> Schema:
    # No term vectors: facets are counted from postings (see ``kx.search.whoosh.facets``),
    # which is far faster than Whoosh's grouping even with vectors, and vectors cost
    # indexing time.
    keyword = {"commas": True, "scorable": False, "stored": True}
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True, sortable=True),
        id=NUMERIC(stored=True),
        # No ``spelling=True``: Whoosh would index every word a second time, unstemmed, as
        # postings (half of all postings, ~40% of indexing time); "did you mean" reads its
        # candidates from a word list beside the index instead (``suggestions.words_of``).
        title=TEXT(analyzer=ANALYZER, stored=True, field_boost=3.0),
        text=TEXT(analyzer=ANALYZER, stored=True),
        # the names of the item's tags, weighed like its title; stored for "did you mean",
        # which offers a word only when a visible document shows it
        tags=TEXT(analyzer=ANALYZER, stored=True, field_boost=3.0),
        domains=KEYWORD(**keyword),
        countries=KEYWORD(**keyword),
        stages=KEYWORD(**keyword),
        sectors=KEYWORD(**keyword),
        prevention_level=ID(stored=True, sortable=True),
        study_design=ID(stored=True, sortable=True),
        visibility=ID(stored=True),
        year=NUMERIC(stored=True, sortable=True),
        published=DATETIME(stored=True, sortable=True),
        stamp=ID(stored=True),
    )


def open_index(directory: Path):
    """The index in ``directory``, read with the schema declared here."""
    return index.open_dir(str(directory), schema=schema())


def index_exists(directory: Path) -> bool:
    """Whether ``directory`` holds an index (``index.exists_in`` without the pickle)."""
    if not Path(directory).exists():
        return False
    try:
        return open_index(directory).latest_generation() > -1
    except EmptyIndexError:
        return False


def fields(document: dict) -> dict:
    """A search document as Whoosh fields: lists joined, text normalised, None left out."""
    result = {}
    for name, value in document.items():
        if value is None:
            continue
        if name in LIST_FIELDS:
            value = ",".join(value) or EMPTY
        elif name in TEXT_FIELDS:
            value = normal(value)
        result[name] = value
    return result
