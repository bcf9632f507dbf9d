"""Bibliographic metadata for research summaries: the ``Citation`` record, DOIs, years,
author names, the BibTeX import and the keys that identify a work.

A pure module, with its siblings ``latex`` (LaTeX in the text) and ``references`` (the
exports): it works on plain
:class:`Citation` records and knows nothing of Flask or the database. The research
services map their rows to and from ``Citation``; checking an imported DOI against the
database is the caller's job (``Citation.doi`` is already normalised, so an equality
lookup is enough).

- :func:`normalise_doi`, :func:`is_valid_doi`, :func:`clean_doi` -- DOIs are stored
  lower-case without a resolver prefix and must match ``^10\\.\\d{4,9}/\\S+$``.
- :func:`parse_bibtex` -- BibTeX (bibtexparser v2) to citations plus a list of skipped
  entries, each with its key and a reason; good entries survive bad neighbours.
- :func:`citation_key`, :func:`match_key` -- a stable key such as
  ``babchishin2015online``, and what makes two references without a DOI the same work.

Authors are strings ``"Family, Given"`` (``"Family, Given, Suffix"`` for a "Jr."); a name
without a comma is a single-part or corporate name (``"World Health Organization"``) and
is never split.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
import urllib.parse
from typing import TypedDict

import bibtexparser
from bibtexparser import model as bib
from bibtexparser.middlewares import NormalizeFieldKeys
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from . import latex  # a sibling, as pure as this module

__all__ = [
    "ENTRY_TYPES",
    "MIN_YEAR",
    "Citation",
    "CitationError",
    "Skipped",
    "citation_key",
    "clean_doi",
    "clean_year",
    "doi_url",
    "is_valid_doi",
    "match_key",
    "max_year",
    "normalise_author",
    "normalise_doi",
    "page_bounds",
    "parse_bibtex",
    "split_author",
]

ENTRY_TYPES = ("article", "book", "incollection", "report", "misc")
MIN_YEAR = 1900


class CitationError(ValueError):
    """A bibliographic value that cannot be accepted; ``str(error)`` is the reason."""


@dataclasses.dataclass
class Citation:
    """The bibliographic fields of one work.

    ``venue`` is the journal (article), the book title (incollection), the publisher
    (book), the institution (report) or how it was published (misc). ``pages`` uses an
    en dash (U+2013) for ranges. ``key`` is the BibTeX key an import came with; it is
    not compared, so citations equal on their bibliographic fields compare equal.
    """

    title: str
    authors: list[str] = dataclasses.field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    url: str | None = None
    entry_type: str = "article"
    key: str | None = dataclasses.field(default=None, compare=False)
    #: what an import changed to keep the entry: a year or DOI left empty, a repeated
    #: field, LaTeX it could not read (kept as written)
    notes: list[str] = dataclasses.field(default_factory=list, compare=False)


class Skipped(TypedDict):
    """An entry that :func:`parse_bibtex` did not import.

    ``key`` is the entry's key, or ``"line N"`` when it has none; ``line`` is 1-based.
    """

    key: str
    line: int | None
    reason: str


# --------------------------------------------------------------------------- DOIs

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL_PREFIX = re.compile(r"^(?:https?://)?(?:(?:dx|www)\.)?doi\.org/", re.IGNORECASE)
_DOI_SCHEME_PREFIX = re.compile(r"^doi:\s*", re.IGNORECASE)


def normalise_doi(value: str) -> str:
    """Return ``value`` trimmed, without a resolver prefix and lower-cased.

    Removes ``https://doi.org/``, ``http://dx.doi.org/``, ``doi.org/`` (any scheme,
    ``dx.`` or ``www.``, any case) and ``doi:``. A DOI taken from a resolver URL is
    percent-decoded. Never raises; use :func:`is_valid_doi` or :func:`clean_doi` to check.
    """
    doi = value.strip()
    stripped = _DOI_URL_PREFIX.sub("", doi, count=1)
    if stripped != doi:
        doi = urllib.parse.unquote(stripped)
    doi = _DOI_SCHEME_PREFIX.sub("", doi, count=1)
    return doi.strip().lower()


def is_valid_doi(doi: str | None) -> bool:
    """True if ``doi``, once normalised, matches ``^10\\.\\d{4,9}/\\S+$``."""
    if not doi:
        return False
    return bool(_DOI_RE.match(normalise_doi(doi)))


#: what reference managers write for "no DOI"
_NO_DOI = frozenset({"null", "none", "n/a", "na", "nil", "-", "--", "unknown"})


def clean_doi(value: str | None) -> str | None:
    """Normalise an optional DOI: ``None`` for blank input or a stand-in for none
    (``null``, ``none``, ``n/a``...), else the normalised DOI.

    Raises :class:`CitationError` (``invalid DOI '…'``) when it is not a DOI.
    """
    if value is None or not value.strip() or value.strip().lower() in _NO_DOI:
        return None
    doi = normalise_doi(value)
    if not _DOI_RE.match(doi):
        raise CitationError(f"invalid DOI '{value.strip()}'")
    return doi


# The DOI Handbook's characters to encode in a resolver URL; "/" and the other
# delimiters that DOIs use (";", ":", "(", ")") stay as they are.
_DOI_URL_SAFE = "/:;()!$&'*,=@"


def doi_url(doi: str) -> str:
    """The ``https://doi.org/`` link of ``doi``, normalised and percent-encoded
    (``<``, ``>``, ``#``, ``?``, spaces, ``%`` and non-ASCII characters)."""
    return "https://doi.org/" + urllib.parse.quote(normalise_doi(doi), safe=_DOI_URL_SAFE)


def _doi_from_url(url: str | None) -> str | None:
    if url and _DOI_URL_PREFIX.match(url.strip()):
        doi = normalise_doi(url)
        if _DOI_RE.match(doi):
            return doi
    return None


# --------------------------------------------------------------------------- years


def max_year(today: datetime.date | None = None) -> int:
    """The latest acceptable year: next year (work in press)."""
    return (today or datetime.date.today()).year + 1


def clean_year(value: object, *, today: datetime.date | None = None) -> int | None:
    """Return ``value`` as a year in ``MIN_YEAR..max_year()``, or ``None`` when blank.

    Accepts an int or a string of four digits (BibTeX's ``year = {2015}``). Raises
    :class:`CitationError` with a reason such as ``year 3020 is out of range``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CitationError(f"year '{value}' is not a number")
    if isinstance(value, int):
        year = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise CitationError(f"year '{text}' is not a four-digit number")
        year = int(text)
    if not MIN_YEAR <= year <= max_year(today):
        raise CitationError(f"year {year} is out of range ({MIN_YEAR}-{max_year(today)})")
    return year


# --------------------------------------------------------------------------- names


def split_author(name: str) -> tuple[str, str, str]:
    """Split ``"Family, Given[, Suffix]"`` into ``(family, given, suffix)``.

    A name without a comma is returned whole as the family part (corporate authors).
    """
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 1:
        return parts[0], "", ""
    family, given, *rest = parts
    return family, given, ", ".join(p for p in rest if p)


def normalise_author(name: str) -> str:
    """One BibTeX name (``"Given Family"``, ``"von Family, Given"``, ``"Family, Jr, Given"``
    or ``"{Corporate Name}"``, LaTeX allowed) as ``"Family, Given[, Suffix]"`` in Unicode.
    """
    parts = parse_single_name_into_parts(name, strict=False)
    family = latex.decode(" ".join(parts.von + parts.last))
    given = latex.decode(" ".join(parts.first))
    suffix = latex.decode(" ".join(parts.jr))
    if not family:
        family, given = given, ""
    if not given:
        return " ".join(part for part in (family, suffix) if part)
    return ", ".join(part for part in (family, given, suffix) if part)


# --------------------------------------------------------------------------- pages

EN_DASH = "\u2013"
_PAGE_RANGE = re.compile(r"^\s*(\S+?)\s*(?:-+|\u2013|\u2014)\s*(\S+)\s*$")


def _normalise_pages(value: str) -> str:
    match = _PAGE_RANGE.match(value)
    if match:
        return f"{match.group(1)}{EN_DASH}{match.group(2)}"
    return value.strip()


def page_bounds(pages: str | None) -> tuple[str | None, str | None]:
    """``"12-34"`` (en dash or hyphens) -> ``("12", "34")``; one page -> ``("12", None)``."""
    if not pages:
        return None, None
    match = _PAGE_RANGE.match(pages)
    if match:
        return match.group(1), match.group(2)
    return pages.strip(), None


# --------------------------------------------------------------------------- import

_TYPE_FROM_BIBTEX = {
    "article": "article",
    "book": "book",
    "booklet": "book",
    "incollection": "incollection",
    "inbook": "incollection",
    "inproceedings": "incollection",
    "conference": "incollection",
    "techreport": "report",
    "report": "report",
}
# Where each kind of entry keeps its venue, most specific first; misc takes any.
_VENUE_FIELDS = {
    "article": ("journal", "journaltitle"),
    "book": ("publisher",),
    "incollection": ("booktitle", "publisher"),
    "report": ("institution", "organization", "school", "publisher"),
    "misc": (
        "howpublished",
        "journal",
        "journaltitle",
        "booktitle",
        "publisher",
        "institution",
        "organization",
        "school",
    ),
}
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
_ENTRY_HEAD = re.compile(r"@\s*\w+\s*[{(]\s*([^\s,{}()=]+)\s*,")


def _line(block: bib.Block) -> int | None:
    return None if block.start_line is None else block.start_line + 1


def _label(key: str | None, line: int | None) -> str:
    if key:
        return key
    return f"line {line}" if line is not None else "unknown entry"


def _key_from_raw(raw: str | None) -> str | None:
    match = _ENTRY_HEAD.search(raw or "")
    return match.group(1) if match else None


def _parse_failure(error: Exception) -> str:
    detail = getattr(error, "abort_reason", "")
    detail = " ".join(str(detail).split()).rstrip(".")
    return f"could not parse entry ({detail})" if detail else "could not parse entry"


def _field(entry: bib.Entry, *names: str) -> str | None:
    for name in names:
        field = entry.fields_dict.get(name)
        if field is not None and isinstance(field.value, str) and field.value.strip():
            return field.value
    return None


def _text(entry: bib.Entry, *names: str) -> str | None:
    raw = _field(entry, *names)
    if raw is None:
        return None
    return latex.decode(raw) or None


def _verbatim(entry: bib.Entry, name: str) -> str | None:
    raw = _field(entry, name)
    if raw is None:
        return None
    # DOIs and URLs are verbatim; \url{…} and stray braces are unwrapped, not decoded.
    value = re.sub(r"^\\url\s*\{(.*)\}$", r"\1", raw.strip(), flags=re.DOTALL)
    return "".join(value.replace("{", "").replace("}", "").split()) or None


#: "2019a": the year with the letter that tells two works of one author and year apart
_LETTERED_YEAR = re.compile(r"(\d{4})[a-z]")
#: fields read as text, whose LaTeX an import decodes (the rest are verbatim or numbers)
_TEXT_FIELDS = ("title", "author", *{name for names in _VENUE_FIELDS.values() for name in names})


def _entry_to_citation(
    entry: bib.Entry, *, require_year: bool, today: datetime.date | None
) -> Citation:
    """Build one citation or raise :class:`CitationError` with the reason.

    Only a missing title (or, with ``require_year``, a missing year) refuses the entry: a
    year, DOI or URL that cannot be used is left empty with a note on the citation.
    """
    entry_type = _TYPE_FROM_BIBTEX.get(entry.entry_type.lower(), "misc")
    notes: list[str] = []

    title = _text(entry, "title")
    if not title:
        raise CitationError("missing title")

    raw_year = _field(entry, "year")
    if raw_year is None and (date := _field(entry, "date")):
        raw_year = date.strip()[:4]
    raw_year = latex.decode(raw_year) if raw_year else None
    if raw_year and (lettered := _LETTERED_YEAR.fullmatch(raw_year.strip())):
        notes.append(f"year '{raw_year.strip()}' was read as {lettered.group(1)}")
        raw_year = lettered.group(1)
    try:
        year = clean_year(raw_year, today=today)
    except CitationError as error:
        if require_year:
            raise
        year = None
        notes.append(f"{error}: the year was left empty")
    if year is None and require_year:
        raise CitationError("missing year")

    url = _verbatim(entry, "url")
    if url and not _HTTP_URL.match(url):
        notes.append(f"URL '{url}' is not an http or https link: it was left out")
        url = None
    raw_doi = _verbatim(entry, "doi")
    try:
        doi = clean_doi(raw_doi) if raw_doi else _doi_from_url(url)
    except CitationError as error:
        doi = _doi_from_url(url)
        notes.append(f"{error}: the DOI was left empty")

    authors = []
    raw_authors = _field(entry, "author")
    if raw_authors:
        raw_authors = latex.CONTROL_SYMBOL.sub(r"{\\\1}", raw_authors)
        authors = [normalise_author(name) for name in split_multiple_persons_names(raw_authors)]
        authors = [name for name in authors if name]

    for name in _TEXT_FIELDS:
        unknown = latex.unknown_macros(_field(entry, name) or "")
        if unknown:
            commands = ", ".join("\\" + command for command in unknown)
            notes.append(f"LaTeX {commands} in the {name} kept as written")

    pages = _text(entry, "pages")
    return Citation(
        title=title,
        authors=authors,
        year=year,
        venue=_text(entry, *_VENUE_FIELDS[entry_type]),
        volume=_text(entry, "volume"),
        issue=_text(entry, "number", "issue"),
        pages=_normalise_pages(pages) if pages else None,
        doi=doi,
        url=url,
        entry_type=entry_type,
        key=entry.key or None,
        notes=notes,
    )


def _first_values(block: bib.DuplicateFieldKeyBlock) -> bib.Entry:
    """The entry of a block with a repeated field, keeping each field's first value."""
    entry = block.ignore_error_block
    fields: dict[str, bib.Field] = {}
    for field in entry.fields:
        name = field.key.lower()
        if name not in fields:
            value = field.value.strip() if isinstance(field.value, str) else field.value
            if isinstance(value, str) and value[:1] in '{"' and len(value) > 1:
                value = value[1:-1]
            fields[name] = bib.Field(name, value)
    return bib.Entry(entry.entry_type, entry.key, list(fields.values()))


_ENTRY_START = re.compile(r"@\s*(?!(?:comment|preamble|string)\b)[A-Za-z]+\s*[{(]", re.I)


def count_entries(text: str) -> int:
    """How many entries ``text`` seems to hold (``@type{`` openings, macros and comments
    aside), cheaply: an import over its cap is refused before the costly parse."""
    return len(_ENTRY_START.findall(text))


def parse_bibtex(
    text: str, *, require_year: bool = False, today: datetime.date | None = None
) -> tuple[list[Citation], list[Skipped]]:
    """Parse BibTeX into citations and the entries that were skipped, with reasons.

    Forgiving: an entry is skipped (``{"key", "line", "reason"}``) only when it cannot be
    parsed, has no title (or, with ``require_year``, no usable year) or repeats an entry
    before it in the file (the same DOI, or else the same ``match_key``). A year, DOI or
    URL that cannot be used is left empty, a repeated field keeps its first value and a
    repeated key is only noted; each such change is in the citation's ``notes``.
    ``@string`` macros are resolved; ``@comment``, ``@preamble`` and text between entries
    are ignored. LaTeX accents, escapes and text symbols are decoded to Unicode (a
    command with no text is kept as written); authors become ``"Family, Given"``.
    """
    library = bibtexparser.parse_string(text, append_middleware=[NormalizeFieldKeys()])

    citations: list[Citation] = []
    skipped: list[Skipped] = []
    keys: dict[str, str] = {}
    seen: dict[str, str] = {}  # DOI or match key -> the label of the entry that had it

    def skip(key: str | None, line: int | None, reason: str) -> None:
        skipped.append({"key": _label(key, line), "line": line, "reason": reason})

    for block in library.blocks:
        line = _line(block)
        entry: bib.Block | None = block
        notes = []
        if isinstance(block, bib.DuplicateFieldKeyBlock):
            entry = _first_values(block)
            fields = ", ".join(sorted(block.duplicate_keys))
            notes.append(f"field repeated in the entry ({fields}): the first value was kept")
        elif isinstance(block, bib.DuplicateBlockKeyBlock):
            # Judged below against the entries actually imported, not merely parsed.
            entry = block.ignore_error_block
        elif isinstance(block, bib.ParsingFailedBlock):
            skip(_key_from_raw(block.raw), line, _parse_failure(block.error))
            continue
        if not isinstance(entry, bib.Entry):
            continue

        key = entry.key.strip() or None
        try:
            citation = _entry_to_citation(entry, require_year=require_year, today=today)
        except CitationError as error:
            skip(key, line, str(error))
            continue
        except Exception:  # a LaTeX or name oddity the libraries could not handle
            skip(key, line, "could not parse entry")
            continue
        citation.notes[:0] = notes

        identity = citation.doi or match_key(citation)
        if identity in seen:
            what = f"DOI {citation.doi}" if citation.doi else "title, year and first author"
            skip(key, line, f"duplicate: the same {what} as '{seen[identity]}'")
            continue
        if key and key.lower() in keys:
            citation.notes.append(f"key '{key}' is used twice in the file")
        label = _label(key, line)
        if key:
            keys.setdefault(key.lower(), key)
        seen[identity] = label
        citations.append(citation)

    return citations, skipped


def _normal_words(text: str) -> str:
    return " ".join(_ascii_word(word) for word in text.split() if _ascii_word(word))


def match_key(citation: Citation) -> str:
    """What makes two references the same work when neither has a DOI: the title in
    lower-case ASCII words (accents, case, punctuation and LaTeX aside), the year and the
    first author's family name."""
    family = split_author(citation.authors[0])[0] if citation.authors else ""
    year = str(citation.year) if citation.year else ""
    return f"{_normal_words(citation.title)}|{year}|{_normal_words(family)}"


# --------------------------------------------------------------------------- keys

_STOPWORD_TEXT = (
    "a an the and or but nor of on in into onto at by for from to with without within "
    "as about after against among between during over under via is are was were be been "
    "do does did how what when where which who whom why whether than that this these "
    "those its it their our your not no "
    "de der die das den dem des het een le la les un une el los las il lo del du van von"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_ASCII_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",
    }
)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return re.sub(r"[^a-z0-9]", "", folded.encode("ascii", "ignore").decode().lower())


def citation_key(citation: Citation) -> str:
    """``babchishin2015online``: the first author's family name, the year and the first
    significant title word, in lower-case ASCII letters and digits (accents folded,
    spaces and punctuation dropped; ``anon`` and ``nd`` stand in for missing parts)."""
    family = split_author(citation.authors[0])[0] if citation.authors else ""
    name = _ascii_word(family) or "anon"
    year = str(citation.year) if citation.year else "nd"
    title_words = [_ascii_word(w) for w in re.split(r"[\s\-\u2013\u2014/:]+", citation.title)]
    significant = [w for w in title_words if w and w not in _STOPWORDS]
    return name + year + (significant[0] if significant else "")
