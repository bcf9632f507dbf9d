"""How the search box reads a query before the engine sees it: the tags its words name
(suggested as filters, never applied), the synonyms the thesaurus adds, and the question
and small words it leaves out ("what works in prevention in Germany?" is searched as
"prevention Germany").

Words in quotes are taken literally (no synonyms, nothing left out), and so are the words
beside AND/OR/NOT; the rest of the query syntax (groups, prefix*) passes through.
"""

import re
from dataclasses import dataclass

from kx.search import thesaurus, vocabulary
from kx.search.backend import Interpretation, Query, Recognised
from kx.search.words import OPERATORS

# Question and small words that say nothing about what is sought (English, with a few
# German and Dutch ones); left out unless quoted, or unless the query holds nothing else.
_IGNORED = """
    a about after against all also an and any anything are as at be been before being
    between but by can could did do does doing during each for from get has have how i
    if in into is it its me my of on or our should so some such than that the their them
    then there these they this those through to under up us was way ways we were what
    whats when where which who why will with within works would you your
    das der die ein eine einer es gibt ist mit sind und von welche wer wie wo
    een het hoe van wat welke
"""
IGNORED = frozenset(_IGNORED.split())
#: Words that open a question: a query starting with one (or ending in "?") is read as a
#: question, whose words are not all required.
_QUESTION_WORDS = """
    are can could did do does how is should what when where which who why would
    gibt ist welche wer wie wo hoe wat welke
"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
#: The search filter (API parameter and facet name) holding each vocabulary's slugs; a
#: vocabulary not listed (stages) is recognised but has no filter to suggest.
FILTER_NAMES = {
    "domains": "domain",
    "countries": "country",
    "prevention_levels": "prevention_level",
    "study_designs": "study_design",
}

_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
_EDGES = "?!.,;:¿¡"


@dataclass
class _Token:
    text: str  # as the engine gets it: a word without its trailing "?", a closed phrase
    kind: str  # "word", "prefix", "phrase", "operator", "group"


def _tokens(text: str) -> tuple[list[_Token], list[str]]:
    """The query's tokens, and the punctuation that stood on its own ("?")."""
    tokens: list[_Token] = []
    punctuation: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw.startswith('"') and (len(raw) == 1 or not raw.endswith('"')):
            # an unclosed quote: its words are read as plain words
            more, stray = _tokens(raw[1:])
            tokens += more
            punctuation += stray
        elif raw.startswith('"'):
            phrase = raw.strip('"').strip()
            if phrase:
                tokens.append(_Token(f'"{phrase}"', "phrase"))
        elif raw in "()":
            tokens.append(_Token(raw, "group"))
        elif raw in OPERATORS:
            tokens.append(_Token(raw, "operator"))
        elif word := raw.strip(_EDGES):
            tokens.append(_Token(word, "prefix" if word.endswith("*") else "word"))
        else:
            punctuation.append(raw)
    return tokens, punctuation


def read(text: str) -> tuple[str, Interpretation]:
    """``text`` (already cut to the search's bounds) as query syntax for the engine, with
    synonyms ORed in and ignored words left out, and how it was read."""
    tokens, punctuation = _tokens(text)
    free = [token.kind == "word" for token in tokens]
    # a word after NOT is no tag to suggest
    wanted = [
        free[i] and not (i and tokens[i - 1].text in ("NOT", "ANDNOT")) for i in range(len(tokens))
    ]
    recognised, named = _recognise(tokens, wanted)
    expansions = thesaurus.expand([t.text if free[i] else "" for i, t in enumerate(tokens)])
    expanded = {i for match in expansions.matches for i in range(match.start, match.end)}
    beside_operator = {
        i + step for i, t in enumerate(tokens) if t.kind == "operator" for step in (-1, 1)
    }
    dropped = {
        i
        for i, token in enumerate(tokens)
        if free[i]
        and i not in expanded | named | beside_operator
        and thesaurus.fold(token.text) in IGNORED
    }
    if len(dropped) == sum(t.kind != "group" for t in tokens):
        dropped = set()  # "how to": nothing else to search for
    parts: list[str] = []
    starts = {match.start: match for match in expansions.matches}
    i = 0
    while i < len(tokens):
        if match := starts.get(i):
            parts.append(_alternatives(tokens[match.start : match.end], match.synonyms))
            i = match.end
            continue
        if i not in dropped:
            parts.append(tokens[i].text)
        i += 1
    literal = None
    if dropped or expanded:
        literal = " ".join(
            f'"{t.text}"' if i in dropped | expanded else t.text for i, t in enumerate(tokens)
        )
    ignored = [tokens[i].text for i in sorted(dropped)] + punctuation
    interpretation = Interpretation(
        recognised=recognised,
        ignored=list(dict.fromkeys(ignored)),
        expanded=expansions.as_dict(),
        searched=" ".join(t.text for i, t in enumerate(tokens) if i not in dropped),
        question=bool(dropped)
        and (text.rstrip().endswith("?") or thesaurus.fold(tokens[0].text) in QUESTION_WORDS),
        literal=literal,
    )
    return " ".join(parts), interpretation


def _recognise(tokens: list[_Token], free: list[bool]) -> tuple[list[Recognised], set[int]]:
    """The vocabulary phrases among the free words, the longest first, and their tokens."""
    phrases, longest = vocabulary.phrases(), vocabulary.longest_phrase()
    recognised: list[Recognised] = []
    named: set[int] = set()
    i = 0
    while i < len(tokens):
        for end in range(min(len(tokens), i + longest), i, -1):
            if not all(free[i:end]):
                continue
            words = " ".join(t.text for t in tokens[i:end])
            found = phrases.get(vocabulary.normalise(words))
            if found:
                recognised.append(Recognised(words, *found))
                named.update(range(i, end))
                i = end
                break
        else:
            i += 1
    return recognised, named


def _alternatives(tokens: list[_Token], synonyms) -> str:
    """The query's words or any of their synonyms, as query syntax."""
    original = " ".join(t.text for t in tokens)
    if len(tokens) > 1:
        original = f"({original})"
    others = [f'"{" ".join(synonym.words)}"' for synonym in synonyms]
    return "(" + " OR ".join([original, *others]) + ")"


def suggested_filters(
    interpretation: Interpretation, query: Query, facets: dict[str, dict[str, int]]
) -> dict[str, list[str]]:
    """The recognised tags worth offering as filters: not applied yet, and held by at least
    one of the results the viewer may see (``facets`` count only those)."""
    suggested: dict[str, list[str]] = {}
    for term in interpretation.recognised:
        name = FILTER_NAMES.get(term.vocabulary)
        if name is None or term.slug in getattr(query, term.vocabulary):
            continue
        if facets.get(name, {}).get(term.slug):
            slugs = suggested.setdefault(name, [])
            if term.slug not in slugs:
                slugs.append(term.slug)
    return suggested
