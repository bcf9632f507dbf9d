"""The words of an item's tags, as search reads them: each vocabulary label, and for a
country its ISO names with the demonyms and other names of ``country_aliases.toml``.

A document's ``tags`` text is indexed like its title, so "Germany", "German" and
"Deutschland" find an item tagged DE whose text never names the country. ``phrases()``
maps the same words back to their tag, for reading a query's words as filters.
"""

import difflib
import re
import tomllib
from functools import cache
from pathlib import Path

import pycountry

from kx import taxonomy
from kx.search.words import STOP_WORDS, fold, normal

ALIASES_FILE = Path(__file__).with_name("country_aliases.toml")

#: The vocabularies whose labels an item's tags contribute, and which a query's words are
#: read back into as filters.
TAG_VOCABULARIES = ("domains", "prevention_levels", "stages", "study_designs", "countries")
#: ... and outcomes, words of the items at both ends of an evidence link that records a
#: finding for one (``kx.search.documents`` says when); search has no outcome filter.
WORD_VOCABULARIES = (*TAG_VOCABULARIES, "outcomes")

#: Labels that say nothing about an item ("Other" study design).
_SILENT = {("study_designs", "other")}

_WORD = re.compile(r"\w+(?:\.?\w+)*")  # the words the analyzer's tokenizer finds


def _stopped(word: str) -> bool:
    """Whether the analyzer drops ``word`` (a folded word)."""
    return len(word) < 2 or word in STOP_WORDS


def normalise(text: str) -> str:
    """``text`` as ``phrases()`` keys it: folded like the index folds words (case and
    accents), punctuation between words reduced to one space."""
    return " ".join(_WORD.findall(fold(normal(text))))


@cache
def _country_file() -> dict:
    with ALIASES_FILE.open("rb") as file:
        data = tomllib.load(file)
    known = {country.alpha_2 for country in pycountry.countries}
    for section in ("aliases", "leave_out"):
        unknown = set(data.get(section, {})) - known
        if unknown:
            raise ValueError(f"{ALIASES_FILE.name}: unknown country codes {sorted(unknown)}")
    return data


@cache
def country_names(code: str) -> tuple[str, ...]:
    """Every name of the country ``code``: its ISO names (``Korea, Republic of`` also
    read as ``Republic of Korea``) and the aliases of ``country_aliases.toml``, less the
    ones that file leaves out; empty for an unknown code."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return ()
    data = _country_file()
    names: list[str] = []
    for attribute in ("common_name", "name", "official_name"):
        name = getattr(country, attribute, None)
        if name:
            names.append(name)
            head, _, tail = name.partition(", ")
            if tail and tail.split()[-1] in ("of", "the"):
                names.append(f"{tail} {head}")
    names += data["aliases"].get(code, [])
    left_out = set(data["leave_out"].get(code, []))
    return tuple(_distinct(name for name in names if name not in left_out))


def _distinct(names) -> list[str]:
    seen: set[str] = set()
    kept = []
    for name in names:
        key = normalise(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


def tag_names(vocabulary: str, slug: str) -> tuple[str, ...]:
    """The names an item tagged ``slug`` in ``vocabulary`` is found by."""
    if vocabulary == "countries":
        return country_names(slug)
    if (vocabulary, slug) in _SILENT:
        return ()
    # "Primary (before any offence)": the explanation in brackets is not the tag's name
    return (taxonomy.label(vocabulary, slug).split(" (")[0],)


def tag_text(tags: dict[str, list[str]]) -> str:
    """The searchable text of an item's tags (``vocabulary -> slugs``), one name a line."""
    lines: list[str] = []
    for vocabulary in WORD_VOCABULARIES:
        for slug in tags.get(vocabulary) or ():
            if slug:
                lines += tag_names(vocabulary, slug)
    return "\n".join(_distinct(lines))


@cache
def phrases() -> dict[str, tuple[str, str]]:
    """``{normalised phrase: (vocabulary, slug)}`` for every label and country name of
    ``TAG_VOCABULARIES`` ("germany", "german", "deutschland" -> ("countries", "DE");
    "primary prevention" -> ("prevention_levels", "primary")). Keys are ``normalise``d.
    A phrase naming two different tags is left out, and so is one made only of stop words
    ("US": the index drops "us" too; a query can only mean the country when written in
    capitals, which these keys no longer tell)."""
    found: dict[str, set[tuple[str, str]]] = {}
    for vocabulary in TAG_VOCABULARIES:
        for slug in taxonomy.vocabulary(vocabulary):
            names = tag_names(vocabulary, slug)
            if vocabulary == "prevention_levels":
                # what the field calls a level; not a word of the item's tags, or every
                # item with a level would answer "prevention" without that domain
                names += tuple(f"{name} prevention" for name in names)
            for name in names:
                found.setdefault(normalise(name), set()).add((vocabulary, slug))
    return {
        phrase: next(iter(tags))
        for phrase, tags in sorted(found.items())
        if len(tags) == 1 and not all(_stopped(word) for word in phrase.split())
    }


@cache
def longest_phrase() -> int:
    """How many words the longest of ``phrases`` has."""
    return max((len(key.split()) for key in phrases()), default=1)


#: How close a word must be to a tag's name to be offered as its theme (difflib's ratio).
THEME_CUTOFF = 0.75


def closest_tags(text: str, limit: int = 3) -> list[tuple[str, str]]:
    """``(vocabulary, slug)`` of the tags whose names come closest to the words of
    ``text`` (at most ``limit``, closest first): themes to offer when nothing matched.
    Bounded: the first 20 words, each compared once with every name."""
    names = phrases()
    words = [w for w in normalise(text).split() if not _stopped(w)][:20]
    scored: dict[tuple[str, str], float] = {}
    for word in words:
        for name in difflib.get_close_matches(word, names, n=limit, cutoff=THEME_CUTOFF):
            tag = names[name]
            score = difflib.SequenceMatcher(None, word, name).ratio()
            scored[tag] = max(scored.get(tag, 0.0), score)
    return sorted(scored, key=lambda tag: -scored[tag])[:limit]
