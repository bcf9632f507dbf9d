""" "Did you mean": respellings drawn from the word list kept beside the index, offered
only when a document the viewer may see holds them.

Whoosh's own ``correct_query`` draws on every document and only respells words that occur
nowhere in the index, so both its suggestions and its silences would reveal words of
documents the viewer may not read ("helpilne OR secrte" would become "helpline OR
secret"). Its spelling fields would also index every word a second time; the word list
(``WORDS_FILE``) costs a set of words per write instead.
"""

import os
import re
from pathlib import Path

from whoosh.query import Term

from kx.search.whoosh.query import parse, past
from kx.search.whoosh.schema import ANALYZER, TEXT_FIELDS
from kx.search.words import by_edits, ends, fold, normal, query_text

#: Documents a candidate spelling is looked for in (its stem's visible documents).
MAX_SPELLING_CHECKS = 50
WORDS_FILE = "kx-words.txt"


def read_words(directory: Path) -> list[str]:
    try:
        return (Path(directory) / WORDS_FILE).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return []


def add_words(directory: Path, words: set[str], held: dict | None = None) -> None:
    """Add ``words`` to the index's word list (call under the lock). Words of deleted
    documents stay: a candidate is only offered when a document the viewer may see has it.

    The list grows with the corpus's vocabulary, and real texts bring a new word or two
    with most documents, so new words are appended, not the list rewritten. ``held`` keeps
    the list between one writer's calls, read again only when another process added to it
    (which changes its size)."""
    path = Path(directory) / WORDS_FILE
    stamp = stamp_of(path)
    known = held["words"] if held and held["stamp"] == stamp else set(read_words(directory))
    new = words - known
    if new:
        with open(path, "a", encoding="utf-8") as listed:
            listed.write("\n" + "\n".join(sorted(new)))
        known |= new
        stamp = stamp_of(path)
    if held is not None:
        held.update(stamp=stamp, words=known)


def stamp_of(path: Path) -> tuple | None:
    """What tells one state of the word list at ``path`` from another (None: missing)."""
    try:
        seen = os.stat(path)
    except OSError:
        return None
    return (str(path), seen.st_ino, seen.st_size, seen.st_mtime_ns)


def vocabulary(directory: Path) -> dict[tuple[str, int], list[str]]:
    """The index's words by first letter and length."""
    buckets: dict[tuple[str, int], list[str]] = {}
    for word in read_words(directory):
        buckets.setdefault((word[0], len(word)), []).append(word)
    return buckets


def suggest(
    searcher,
    parsed,
    text: str,
    allowed,
    found: int,
    words: dict[tuple[str, int], list[str]],
    deadline: float | None = None,
) -> str | None:
    """A respelling of ``text`` that finds more of what *this* viewer may see, or None.

    A word counts as known, and a spelling as a candidate, only when it occurs in a
    document among ``allowed`` (what the viewer may see within the filters; None:
    everything): a candidate's stem must occur there, and the candidate itself as written
    (``_shown``), so that a word form only hidden or deleted documents hold is never
    offered. ``words`` is the index's ``vocabulary``.
    """
    text = query_text(text, [])
    reader = searcher.reader()
    analyzer = searcher.schema["text"].analyzer

    def seen(word: str, enough: int = 50) -> int:
        """How many visible documents contain ``word`` (title or text), up to ``enough``
        (a ranking needs no more, and common words have thousands)."""
        stems = [token.text for token in analyzer(word, mode="query")]
        if not stems:
            return 1  # a stop word is never respelt
        count = 0
        for field in TEXT_FIELDS:
            if (field, stems[0]) in reader:
                for docnum in Term(field, stems[0]).docs(searcher):
                    if allowed is None or docnum in allowed:
                        count += 1
                        if count >= enough:
                            return count
        return count

    replacements = {}
    for token in parsed.all_tokens():
        span = (token.startchar, token.endchar)
        if token.fieldname not in TEXT_FIELDS or None in span or span in replacements:
            continue
        word = text[span[0] : span[1]]
        # prefix* and known words stay; a word is known when a visible document holds it
        # as typed, not only its stem ("deterence" shares its stem with "deter")
        if not word.isalpha() or (seen(word) and _shown(searcher, fold(word), allowed)):
            continue
        if past(deadline):
            return None
        replacements[span] = _respell(searcher, fold(word), seen, allowed, words, deadline)
    changes = sorted((span, new) for span, new in replacements.items() if new)
    if not changes:
        return None
    corrected = text
    for (start, end), new in reversed(changes):
        corrected = corrected[:start] + new + corrected[end:]
    better = searcher.search(parse(searcher, corrected), limit=1, filter=allowed)
    return corrected if len(better) > found else None


def _shown(searcher, word: str, allowed) -> bool:
    """Whether a document among ``allowed`` holds ``word`` as written (folded), looking
    in at most ``MAX_SPELLING_CHECKS`` of the documents that hold its stem."""
    stems = [token.text for token in ANALYZER(word, mode="query")]
    if not stems:
        return False
    reader = searcher.reader()
    docs: set[int] = set()
    for field in TEXT_FIELDS:
        if (field, stems[0]) in reader:
            docs.update(reader.postings(field, stems[0]).all_ids())
    if allowed is not None:
        docs &= allowed
    pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])")
    for docnum in sorted(docs)[:MAX_SPELLING_CHECKS]:
        fields = searcher.stored_fields(docnum)
        for field in TEXT_FIELDS:
            if pattern.search(fold(normal(fields.get(field) or ""))):
                return True
    return False


def _respell(
    searcher, word: str, seen, allowed, words, deadline: float | None = None
) -> str | None:
    """The visible spelling nearest ``word`` (fewest edits, then most documents).

    Candidates share the first letter and are at most two letters longer or shorter,
    as Whoosh's ``prefix=1`` advice has it; Whoosh's own ``terms_within`` compares the
    word with every term of the field here (no word graph), ~300 ms a word."""
    lengths = range(len(word) - 2, len(word) + 3)
    by_distance = by_edits(word, [c for n in lengths for c in words.get((word[0], n), ())])
    for distance in (1, 2):
        # A slip rarely touches a word's first and last letters ("helpine" is "helpline"
        # more likely than "helping"): among equally near spellings, those keeping more of
        # both ends come first, then those more documents hold.
        ranked = sorted(((ends(word, c), seen(c), c) for c in by_distance[distance]), reverse=True)
        for _, count, candidate in ranked:
            if not count or past(deadline):
                break
            if _shown(searcher, candidate, allowed):
                return candidate
    return None
