""" "Did you mean" on PostgreSQL: respellings drawn from ``search_words``, offered only when a
document the viewer may see holds them, as the Whoosh backend's ``suggestions`` does (and
with its choice among candidates: fewest edits, ends kept, most documents).

A word counts as known, and a spelling as a candidate, only when a visible document holds
its stem and, among the first ``MAX_SPELLING_CHECKS`` of those, one holds it as written:
suggestions and silences never tell of words in documents the viewer may not read.
"""

import re

from sqlalchemy import text

from kx.search.postgres import query as tsq
from kx.search.words import OPERATORS, by_edits, ends, fold

MAX_SPELLING_CHECKS = 50
_WORD = re.compile(r'"[^"]*"?|[^\s()"]+')
_LETTERS = re.compile(r"[^\W\d_]+")


def _evidence(connection, words: list[str], allowed: str, params: dict) -> dict:
    """``word -> (documents, shown)`` in one statement: how many visible documents hold
    each word's stem (up to ``MAX_SPELLING_CHECKS``; a stop word counts as held), and
    whether one of those holds the word as written."""
    if not words:
        return {}

    holding = (
        f"SELECT key FROM search_documents WHERE {allowed} AND vector @@ q"
        f" LIMIT {MAX_SPELLING_CHECKS}"
    )
    written = (
        "unaccent(lower(t.title || ' ' || t.tags || ' ' || t.text))"
        " ~ ('(^|[^[:alpha:]])' || w || '($|[^[:alpha:]])')"
    )
    # counted from the index alone; the texts read only until one holds the word as written
    rows = connection.execute(
        text(
            f"SELECT w, numnode(q), (SELECT count(*) FROM ({holding}) d),"
            f" EXISTS (SELECT 1 FROM ({holding}) d JOIN search_texts t USING (key)"
            f" WHERE {written})"
            f" FROM unnest(CAST(:words AS text[])) w, websearch_to_tsquery('{tsq.CONFIG}', w) q"
        ),
        {**params, "words": words},
    ).all()
    return {w: (1, True) if not nodes else (count, bool(shown)) for w, nodes, count, shown in rows}


def suggest(connection, typed: str, allowed: str, params: dict, found: int) -> str | None:
    """A respelling of ``typed`` that finds more of what the viewer may see, or None."""
    typed = tsq.query_text(typed, [])
    spans = {}
    for match in _WORD.finditer(typed):
        word = match.group()
        if word.startswith('"') or word in OPERATORS or not word.isalpha():
            continue
        folded = fold(word)
        if _LETTERS.fullmatch(folded):
            spans[match.span()] = folded
    # every word of the query looked up at once; only the unknown ones are respelt
    evidence = _evidence(connection, sorted(set(spans.values())), allowed, params)
    changes = []
    for span, folded in spans.items():
        count, shown = evidence[folded]
        if count and shown:
            continue
        respelling = _respell(connection, folded, allowed, params)
        if respelling:
            changes.append((span, respelling))
    if not changes:
        return None
    corrected = typed
    for (start, end), new in reversed(changes):
        corrected = corrected[:start] + new + corrected[end:]
    node = tsq.parse(corrected)
    if node is None:
        return None
    params = {**params, "enough": found + 1}
    # a respelling of only small words has no lexemes: it matches nothing
    better = connection.execute(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM search_documents"
            f" WHERE {allowed} AND vector @@ {tsq.sql(node, params)} LIMIT :enough) hits"
        ),
        params,
    ).scalar()
    return corrected if better > found else None


def _respell(connection, word: str, allowed: str, params: dict) -> str | None:
    """The visible spelling nearest ``word``: same first letter, at most two letters longer
    or shorter and two edits away (the words of one first letter are one range of the
    ``search_words`` key, in code point order)."""
    first = word[0]
    candidates = connection.scalars(
        text(
            "SELECT word FROM search_words WHERE word >= :low AND word < :high"
            " AND length(word) BETWEEN :shortest AND :longest"
        ),
        {
            "low": first,
            "high": chr(ord(first) + 1),
            "shortest": len(word) - 2,
            "longest": len(word) + 2,
        },
    ).all()
    by_distance = by_edits(word, candidates)
    for distance in (1, 2):
        evidence = _evidence(connection, by_distance[distance], allowed, params)
        ranked = sorted(
            ((ends(word, c), evidence[c][0], c) for c in by_distance[distance]), reverse=True
        )
        for _ends_kept, count, candidate in ranked:
            if not count:
                break
            if evidence[candidate][1]:
                return candidate
    return None
