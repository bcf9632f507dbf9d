"""The field's thesaurus (``thesaurus.toml`` beside this module): which words and phrases of a
query name the same thing as others, so a search can look for those too.

Pure: no Flask, no search engine. ``load`` reads and checks the file (once per change of
the file); ``expand`` answers, for a query's words and phrases, each one's synonyms. Work
is bounded: ``MAX_QUERY_TERMS`` terms are read, a term stands for at most
``MAX_PER_TERM`` synonyms and a query for ``MAX_PER_QUERY`` in all.
"""

import dataclasses
import functools
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from pathlib import Path

PATH = Path(__file__).with_name("thesaurus.toml")

#: Terms of a query that are read (the search box keeps 20 words); later ones are not.
MAX_QUERY_TERMS = 20
#: Synonyms one word or phrase of a query may stand for; a group holds one term more.
MAX_PER_TERM = 8
#: Synonyms one query may gain in all; the terms read first keep theirs.
MAX_PER_QUERY = 24
#: Words a thesaurus term may hold.
MAX_TERM_WORDS = 8

# Small words a phrase may hold or drop ("circles of support and accountability" is also
# "circles support accountability", as the search box reads it without its stop words).
_SMALL_WORDS = frozenset({"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to"})
_WORD = re.compile(r"[^\W_]+")
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ð": "d"})
_GROUP_FIELDS = {"key", "source", "note", "terms", "outdated"}
_SPELLING_FIELDS = {"source", "note", "words"}


class ThesaurusError(ValueError):
    """The thesaurus file is malformed; the message names the file and the group."""


@dataclasses.dataclass(frozen=True, slots=True)
class Synonym:
    """A term of a group as the search should look for it: one word, or a phrase."""

    text: str
    words: tuple[str, ...]
    outdated: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    key: str
    source: str
    note: str
    forms: tuple[Synonym, ...]  # its terms and the spellings they gain, outdated ones last


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    """Terms ``start`` to ``end`` (exclusive) of the query, read as one ``group``'s term."""

    start: int
    end: int
    text: str  # the query's words, folded, joined by spaces
    group: str  # a group's key, or "spelling"
    outdated: bool  # the query used a term the field advises against
    synonyms: tuple[Synonym, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Expansions:
    matches: tuple[Match, ...]
    cut: bool  # ``MAX_PER_QUERY`` left some synonyms out

    def as_dict(self) -> dict[str, list[str]]:
        """The query's expanded terms and their synonyms, as the API reports them."""
        return {match.text: [s.text for s in match.synonyms] for match in self.matches}


def fold(text: str) -> str:
    """``text`` case-folded with its accents dropped ("Pædophile" -> "paedophile")."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c))


def words_of(text: str) -> tuple[str, ...]:
    """The folded words of ``text``; hyphens, slashes and spaces all separate words."""
    return tuple(_WORD.findall(fold(text)))


def _singular(words: tuple[str, ...]) -> tuple[str, ...] | None:
    last = words[-1] if words else ""
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        return (*words[:-1], last[:-1])
    return None


class Thesaurus:
    """Checked groups and spellings, indexed for ``expand``."""

    def __init__(self, groups: dict[str, Group], spellings: list[tuple[str, ...]]):
        self.groups = groups
        self._spellings = {word: variants for variants in spellings for word in variants}
        self._canonical = {word: variants[0] for variants in spellings for word in variants}
        self._index: dict[tuple[str, ...], tuple[str, bool]] = {}
        self.longest = 1
        for group in groups.values():
            for form in group.forms:
                self.longest = max(self.longest, len(form.words))
                for key in self._keys(form.words):
                    self._index.setdefault(key, (group.key, form.outdated))
        # The words a run of several query words can start with: a term's first word, or
        # the start of a one-word term written apart ("help line" for "helpline").
        self._starts = {key[0] for key in self._index if len(key) > 1}
        self._starts |= {key[0][:n] for key in self._index for n in range(1, len(key[0]))}

    def _keys(self, words: tuple[str, ...]) -> list[tuple[str, ...]]:
        """How ``words`` are looked up: without small words and in one spelling, and joined
        into one word ("rm 2000" is "rm2000")."""
        key = _key(words, self._canonical)
        return [key, ("".join(key),)] if len(key) > 1 else [key]

    def _find(self, words: tuple[str, ...]) -> tuple[str, bool] | None:
        for candidate in (words, _singular(words)):
            for key in self._keys(candidate) if candidate else ():
                if key in self._index:
                    return self._index[key]
        return None

    def _others(self, word: str) -> tuple[str, ...]:
        """The other spellings of ``word`` (of its singular, for a plural)."""
        base = word
        if word not in self._spellings and (singular := _singular((word,))):
            base = singular[0]
        return tuple(v for v in self._spellings.get(base, ()) if v != base)

    def _variants(self, words: tuple[str, ...]) -> tuple[Synonym, ...]:
        """``words`` in the other spellings of each of its words (at most ``MAX_PER_TERM``)."""
        choices = [(word, *self._others(word)) for word in words]
        combinations = itertools.islice(itertools.product(*choices), 1, MAX_PER_TERM + 1)
        return tuple(Synonym(" ".join(c), c) for c in combinations)

    def _match(self, start: int, end: int, words: tuple[str, ...]) -> Match | None:
        found = self._find(words)
        text = " ".join(words)
        if found is None:
            variants = self._variants(words)
            return Match(start, end, text, "spelling", False, variants) if variants else None
        own = {words, _singular(words)}
        group, outdated = found
        synonyms = tuple(f for f in self.groups[group].forms if f.words not in own)
        return Match(start, end, text, group, outdated, synonyms[:MAX_PER_TERM])

    def expand(self, terms: Sequence[str]) -> Expansions:
        """For a query's ``terms`` in order (a word, or a phrase the user quoted, as typed),
        each one's synonyms. Consecutive words that form a term are read as one ("child
        pornography"), the longest first; a phrase is read whole."""
        items = [words_of(term) for term in terms[:MAX_QUERY_TERMS]]
        matches: list[Match] = []
        left = MAX_PER_QUERY
        cut = False
        i = 0
        while i < len(items):
            match = None
            if len(items[i]) > 1:
                match = self._match(i, i + 1, items[i])
            elif items[i]:
                match = self._longest(items, i)
            i = match.end if match else i + 1
            if match is None:
                continue
            if len(match.synonyms) > left:
                cut = True
                match = dataclasses.replace(match, synonyms=match.synonyms[:left])
            left -= len(match.synonyms)
            if match.synonyms:
                matches.append(match)
        return Expansions(tuple(matches), cut)

    def _longest(self, items: list[tuple[str, ...]], start: int) -> Match | None:
        """The longest run of single words from ``start`` that is a term, else the word's
        spellings."""
        if self._canonical.get(items[start][0], items[start][0]) not in self._starts:
            return self._match(start, start + 1, items[start])
        end = start
        while end < min(len(items), start + self.longest) and len(items[end]) == 1:
            end += 1
        for stop in range(end, start + 1, -1):
            words = tuple(item[0] for item in items[start:stop])
            if words[0] in _SMALL_WORDS or words[-1] in _SMALL_WORDS:
                continue
            if self._find(words) is not None:
                return self._match(start, stop, words)
        return self._match(start, start + 1, items[start])


# Loading and checking -------------------------------------------------------------------


def load(path: Path = PATH) -> Thesaurus:
    """The thesaurus in ``path``, parsed once for each version of the file."""
    try:
        status = path.stat()
    except OSError as error:
        raise ThesaurusError(f"{path.name}: cannot be read ({error.strerror})") from error
    return _load(path, status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, size: int) -> Thesaurus:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThesaurusError(f"{path.name}: cannot be read ({error})") from error
    return parse(text, path.name)


def expand(terms: Sequence[str], thesaurus: Thesaurus | None = None) -> Expansions:
    """``Thesaurus.expand`` with the thesaurus of the repository unless one is given."""
    return (thesaurus or load()).expand(terms)


def parse(text: str, name: str = "thesaurus.toml") -> Thesaurus:
    """The thesaurus written in ``text``, checked; ``ThesaurusError`` names what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThesaurusError(f"{name}: not valid TOML ({error})") from error
    unknown = set(data) - {"group", "spellings"}
    if unknown:
        raise ThesaurusError(f"{name}: unknown table {sorted(unknown)[0]!r}")
    spellings = _spellings(data.get("spellings", {}), name)
    canonical = {word: variants[0] for variants in spellings for word in variants}
    groups: dict[str, Group] = {}
    owners: dict[tuple[str, ...], str] = {}
    for raw in _list(data.get("group", []), f"{name}: [[group]]"):
        group = _group(raw, name, spellings)
        where = f'{name}, group "{group.key}"'
        if group.key in groups:
            raise ThesaurusError(f"{where}: the key is used by an earlier group")
        groups[group.key] = group
        for form in group.forms:
            key = _key(form.words, canonical)
            for candidate in (key, ("".join(key),)):
                other = owners.setdefault(candidate, group.key)
                if other != group.key:
                    raise ThesaurusError(
                        f'{where}: {form.text!r} is already a term of group "{other}"; '
                        "a term belongs to one group (one meaning)"
                    )
    return Thesaurus(groups, spellings)


def _group(raw, name: str, spellings: list[tuple[str, ...]]) -> Group:
    if not isinstance(raw, dict):
        raise ThesaurusError(f"{name}: a [[group]] is not a table")
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        shown = f'"{key}"' if isinstance(key, str) else "without a key"
        raise ThesaurusError(
            f"{name}, group {shown}: the key must be lowercase letters, digits and hyphens"
        )
    where = f'{name}, group "{key}"'
    unknown = set(raw) - _GROUP_FIELDS
    if unknown:
        raise ThesaurusError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    source = _text(raw.get("source"), f"{where}: source")
    note = _text(raw.get("note", ""), f"{where}: note", empty=True)
    current = [_term(t, where) for t in _list(raw.get("terms"), f"{where}: terms")]
    outdated = [_term(t, where) for t in _list(raw.get("outdated", []), f"{where}: outdated")]
    if not current:
        raise ThesaurusError(f"{where}: needs at least one term in current use")
    if len(current) + len(outdated) < 2:
        raise ThesaurusError(f"{where}: needs at least two terms")
    by_word = {word: variants for variants in spellings for word in variants}
    canonical = {word: variants[0] for variants in spellings for word in variants}
    listed: set[tuple[str, ...]] = set()
    for text, words in current + outdated:
        if len(words) == 1 and words[0] in by_word:
            raise ThesaurusError(
                f"{where}: {text!r} is also listed under [spellings]; a word has one "
                "meaning (list its spellings in the group instead)"
            )
        if _key(words, canonical) in listed:
            raise ThesaurusError(f"{where}: {text!r} is listed twice")
        listed.add(_key(words, canonical))
    forms: dict[tuple[str, ...], Synonym] = {}
    for (text, words), old in [(t, False) for t in current] + [(t, True) for t in outdated]:
        forms.setdefault(words, Synonym(text, words, old))
        for combination in itertools.product(*(by_word.get(w, (w,)) for w in words)):
            forms.setdefault(combination, Synonym(" ".join(combination), combination, old))
    if len(forms) > MAX_PER_TERM + 1:
        raise ThesaurusError(
            f"{where}: {len(forms)} terms counting spellings; at most {MAX_PER_TERM + 1}, "
            f"so that a term stands for at most {MAX_PER_TERM} others"
        )
    return Group(key, source, note, tuple(forms.values()))


def _key(words: tuple[str, ...], canonical: dict[str, str]) -> tuple[str, ...]:
    return tuple(canonical.get(w, w) for w in words if w not in _SMALL_WORDS)


def _spellings(raw, name: str) -> list[tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise ThesaurusError(f"{name}: [spellings] is not a table")
    unknown = set(raw) - _SPELLING_FIELDS
    if unknown:
        raise ThesaurusError(f"{name}, [spellings]: unknown field {sorted(unknown)[0]!r}")
    if not raw:
        return []
    _text(raw.get("source"), f"{name}, [spellings]: source")
    result: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for entry in _list(raw.get("words"), f"{name}, [spellings]: words"):
        first = entry[0] if isinstance(entry, list) and entry else entry
        where = f'{name}, spelling group "{first}"'
        words = [_term(w, where) for w in _list(entry, where)]
        if len(words) < 2:
            raise ThesaurusError(f"{where}: needs at least two spellings")
        if any(len(w) != 1 for _, w in words):
            raise ThesaurusError(f"{where}: a spelling is one word")
        variants = tuple(dict.fromkeys(w[0] for _, w in words))
        if len(variants) < len(words):
            raise ThesaurusError(f"{where}: a spelling is listed twice")
        for word in variants:
            if word in seen:
                raise ThesaurusError(f"{where}: {word!r} is in another spelling group")
            seen.add(word)
        result.append(variants)
    return result


def _term(raw, where: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(raw, str) or not words_of(raw):
        raise ThesaurusError(f"{where}: an empty term ({raw!r})")
    words = words_of(raw)
    if all(w in _SMALL_WORDS for w in words):
        raise ThesaurusError(f"{where}: {raw!r} holds only small words")
    if len(words) > MAX_TERM_WORDS:
        raise ThesaurusError(f"{where}: {raw!r} is longer than {MAX_TERM_WORDS} words")
    return raw.strip(), words


def _list(raw, where: str) -> list:
    if not isinstance(raw, list):
        raise ThesaurusError(f"{where}: must be a list")
    return raw


def _text(raw, where: str, empty: bool = False) -> str:
    if not isinstance(raw, str) or not (empty or raw.strip()):
        raise ThesaurusError(f"{where}: must be written (some text)")
    return raw.strip()
