"""Citation exports: BibTeX, RIS and CSL-JSON of one citation or a list (each with a key
of its own, such as ``babchishin2015online``), and an APA-7-like reference as plain text
or HTML. Pure, as ``kx.research.citations`` is."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from . import latex
from .citations import (
    EN_DASH,
    ENTRY_TYPES,
    Citation,
    citation_key,
    doi_url,
    normalise_doi,
    page_bounds,
    split_author,
)

__all__ = ["format_reference", "to_bibtex", "to_csl_json", "to_ris"]

# APA 7: list up to 20 authors; with 21 or more, the first 19, an ellipsis, the last.
APA_MAX_AUTHORS = 20


# --------------------------------------------------------------------------- keys

_UNSAFE_KEY = re.compile(r"[\s,{}()=\"#%'\\~]")


def _keys(citations: list[Citation]) -> list[str]:
    """A unique key per citation: its own key, else a generated one; repeats get a, b, …"""
    keys = [_UNSAFE_KEY.sub("", c.key or "") or citation_key(c) for c in citations]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key.lower()] = counts.get(key.lower(), 0) + 1
    used = {key.lower() for key in keys if counts[key.lower()] == 1}
    result = []
    for key in keys:
        unique, n = key, 0
        if counts[key.lower()] > 1:
            while (unique := key + _letters(n)).lower() in used:
                n += 1
            used.add(unique.lower())
        result.append(unique)
    return result


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa …"""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _as_list(citations: Citation | Iterable[Citation]) -> list[Citation]:
    if isinstance(citations, Citation):
        return [citations]
    return list(citations)


# --------------------------------------------------------------------------- BibTeX

_BIBTEX_TYPE = {
    "article": "article",
    "book": "book",
    "incollection": "incollection",
    "report": "techreport",
    "misc": "misc",
}
_BIBTEX_VENUE = {
    "article": "journal",
    "book": "publisher",
    "incollection": "booktitle",
    "report": "institution",
    "misc": "howpublished",
}


def _is_particle_name(words: list[str]) -> bool:
    """``van der Berg``: lower-case particles, then capitalised words (BibTeX's von Last)."""
    lower = [w[:1].islower() for w in words]
    count = lower.index(False) if False in lower else len(words)
    return 0 < count < len(words) and not any(lower[count:])


def _bibtex_name_part(part: str, *, family: bool = False) -> str:
    """One part of a name, braced when BibTeX would otherwise split or reorder it.

    A family name stays bare only as one word starting with a letter (``Müller``) or as
    particles and a name (``van der Berg``), so that styles can still sort on it.
    """
    tex = latex.encode(part)
    words = part.split()
    if any(w.lower() == "and" for w in words):
        return "{" + tex + "}"
    if family:
        bare = (len(words) == 1 and part[:1].isalpha()) or _is_particle_name(words)
        return tex if bare else "{" + tex + "}"
    return tex


def _bibtex_name(author: str) -> str:
    family, given, suffix = split_author(author)
    if not given and not suffix:
        return "{" + latex.encode(family) + "}"
    parts = [_bibtex_name_part(family, family=True)]
    if suffix:
        parts.append(_bibtex_name_part(suffix))
    parts.append(_bibtex_name_part(given))
    return ", ".join(parts)


def _verbatim_value(value: str) -> str:
    # DOIs and URLs are written as they are; braces would unbalance the entry.
    return value.replace("{", "%7B").replace("}", "%7D")


def to_bibtex(citations: Citation | Iterable[Citation]) -> str:
    """BibTeX for one citation or a list, one entry each.

    Special characters are escaped and the letters of European names written as braced
    TeX commands (``{\\aa}``, ``{\\"u}``) that bibtexparser 1 and 2 and pybtex read back
    alike; other characters stay UTF-8. Keys are the citations' own or
    :func:`citation_key`, made unique.
    """
    items = _as_list(citations)
    entries = []
    for citation, key in zip(items, _keys(items), strict=True):
        entry_type = citation.entry_type if citation.entry_type in ENTRY_TYPES else "misc"
        fields: list[tuple[str, str]] = []
        if citation.authors:
            names = " and ".join(_bibtex_name(a) for a in citation.authors)
            fields.append(("author", names))
        fields.append(("title", latex.encode(citation.title, protect_case=True)))
        if citation.venue:
            fields.append((_BIBTEX_VENUE[entry_type], latex.encode(citation.venue)))
        if citation.year is not None:
            fields.append(("year", str(citation.year)))
        if citation.volume:
            fields.append(("volume", latex.encode(citation.volume)))
        if citation.issue:
            fields.append(("number", latex.encode(citation.issue)))
        if citation.pages:
            first, last = page_bounds(citation.pages)
            pages = latex.encode(first or "")
            if last:
                # "--" is the en dash; braces keep a hyphen beside it out of the ligature.
                dash = ("{}" if pages.endswith("-") else "") + "--"
                last_tex = latex.encode(last)
                pages += dash + ("{}" if last_tex.startswith("-") else "") + last_tex
            fields.append(("pages", pages))
        if citation.doi:
            fields.append(("doi", _verbatim_value(normalise_doi(citation.doi))))
        if citation.url:
            fields.append(("url", _verbatim_value(citation.url.strip())))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{_BIBTEX_TYPE[entry_type]}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


# --------------------------------------------------------------------------- RIS

_RIS_TYPE = {
    "article": "JOUR",
    "book": "BOOK",
    "incollection": "CHAP",
    "report": "RPRT",
    "misc": "GEN",
}
_RIS_VENUE = {"article": "T2", "book": "PB", "incollection": "T2", "report": "PB", "misc": "T2"}


def _one_line(value: str) -> str:
    return " ".join(value.split())


def to_ris(citations: Citation | Iterable[Citation]) -> str:
    """RIS for one citation or a list: ``TY`` … ``ER`` records separated by a blank line."""
    records = []
    for citation in _as_list(citations):
        entry_type = citation.entry_type if citation.entry_type in ENTRY_TYPES else "misc"
        lines = [("TY", _RIS_TYPE[entry_type])]
        lines += [("AU", author) for author in citation.authors]
        lines.append(("TI", citation.title))
        if citation.venue:
            lines.append((_RIS_VENUE[entry_type], citation.venue))
        if citation.year is not None:
            lines.append(("PY", str(citation.year)))
        if citation.volume:
            lines.append(("VL", citation.volume))
        if citation.issue:
            lines.append(("IS", citation.issue))
        first, last = page_bounds(citation.pages)
        if first:
            lines.append(("SP", first))
        if last:
            lines.append(("EP", last))
        if citation.doi:
            lines.append(("DO", normalise_doi(citation.doi)))
        if citation.url:
            lines.append(("UR", citation.url.strip()))
        lines.append(("ER", ""))
        records.append("\n".join(f"{tag}  - {_one_line(value)}" for tag, value in lines))
    return "\n\n".join(records) + ("\n" if records else "")


# --------------------------------------------------------------------------- CSL-JSON

_CSL_TYPE = {
    "article": "article-journal",
    "book": "book",
    "incollection": "chapter",
    "report": "report",
    "misc": "document",
}
_CSL_VENUE = {
    "article": "container-title",
    "book": "publisher",
    "incollection": "container-title",
    "report": "publisher",
    "misc": "container-title",
}


def _csl_name(author: str) -> dict[str, str]:
    family, given, suffix = split_author(author)
    if not given and not suffix:
        return {"literal": family}
    name = {"family": family, "given": given}
    if suffix:
        name["suffix"] = suffix
    return name


def to_csl_json(citations: Citation | Iterable[Citation]) -> list[dict]:
    """CSL-JSON items (a list, also for one citation), ready for ``json.dumps``."""
    items = _as_list(citations)
    result = []
    for citation, key in zip(items, _keys(items), strict=True):
        entry_type = citation.entry_type if citation.entry_type in ENTRY_TYPES else "misc"
        item: dict = {"id": key, "type": _CSL_TYPE[entry_type], "title": citation.title}
        if citation.authors:
            item["author"] = [_csl_name(a) for a in citation.authors]
        if citation.year is not None:
            item["issued"] = {"date-parts": [[citation.year]]}
        if citation.venue:
            item[_CSL_VENUE[entry_type]] = citation.venue
        if citation.volume:
            item["volume"] = citation.volume
        if citation.issue:
            item["issue"] = citation.issue
        first, last = page_bounds(citation.pages)
        if first:
            item["page"] = f"{first}-{last}" if last else first
        if citation.doi:
            item["DOI"] = normalise_doi(citation.doi)
        if citation.url:
            item["URL"] = citation.url.strip()
        result.append(item)
    return result


# --------------------------------------------------------------------------- APA


def _initials(given: str) -> str:
    """``"Kelly M."`` -> ``"K. M."``; ``"Jean-Paul"`` -> ``"J.-P."``."""
    out = []
    for word in re.split(r"[\s.]+", given):
        pieces = [p for p in word.split("-") if p]
        letters = [next((ch for ch in p if ch.isalpha()), "") for p in pieces]
        letters = [ch.upper() for ch in letters if ch]
        if letters:
            out.append("-".join(f"{ch}." for ch in letters))
    return " ".join(out)


def _apa_name(author: str) -> str:
    family, given, suffix = split_author(author)
    parts = [family]
    if given:
        parts.append(_initials(given))
    if suffix:
        parts.append(suffix)
    return ", ".join(p for p in parts if p)


def _apa_authors(authors: list[str]) -> str:
    names = [_apa_name(a) for a in authors if a.strip()]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, & {names[1]}"
    if len(names) <= APA_MAX_AUTHORS:
        return ", ".join(names[:-1]) + f", & {names[-1]}"
    return ", ".join(names[: APA_MAX_AUTHORS - 1]) + f", . . . {names[-1]}"


# e12, e0153442, CD004380 or 102345: an article number, not a page.
_ARTICLE_NUMBER = re.compile(r"^(?:[eE]|[A-Za-z]{2,})\d+$|^\d{5,}$")


def _is_article_number(locator: str) -> bool:
    return bool(_ARTICLE_NUMBER.match(locator))


def _sentence(text: str) -> str:
    """``text`` ending with one full stop (or its own ``?``/``!``)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def format_reference(citation: Citation, *, as_html: bool = False) -> str:
    """An APA-7-like reference.

    ``Babchishin, K. M., Hanson, R. K., & VanZuylen, H. (2015). Title. Journal, 44(1),
    45\u201366. https://doi.org/…``. Up to 20 authors are listed, ``&`` before the last; with
    21 or more, the first 19, ``. . .`` and the last. Without authors the title leads.
    With ``as_html`` every part is escaped, the journal and volume (or the book or
    report title) are in ``<i>`` and the DOI or http(s) URL is a link; the caller may
    mark the result safe.
    """

    def esc(text: str) -> str:
        return html.escape(text, quote=True) if as_html else text

    def ital(text: str) -> str:
        return f"<i>{esc(text)}</i>" if as_html else text

    entry_type = citation.entry_type if citation.entry_type in ENTRY_TYPES else "misc"
    year = f"({citation.year})." if citation.year is not None else "(n.d.)."
    standalone = entry_type in ("book", "report")
    title = _sentence(citation.title)
    title_html = ital(title) if standalone else esc(title)

    authors = _apa_authors(citation.authors)
    # Without authors the title takes their place.
    parts = [esc(_sentence(authors)), year, title_html] if authors else [title_html, year]

    venue = (citation.venue or "").strip()
    first, last = page_bounds(citation.pages)
    pages = f"{first}{EN_DASH}{last}" if last else first
    if entry_type == "article" and (venue or citation.volume or citation.issue or pages):
        # Journal, volume(issue), pages; without a volume "Journal, (4), …".
        run = ", ".join(b for b in (venue, citation.volume) if b)
        source = ital(run) if run else ""
        if citation.issue:
            issue = f"({citation.issue})"
            source += esc(issue if citation.volume or not source else f", {issue}")
        if pages:
            locator = f"Article {first}" if not last and _is_article_number(first) else pages
            source += esc(f", {locator}" if source else locator)
        parts.append(source + ".")
    elif entry_type == "incollection" and venue:
        pp = f" ({'pp.' if last else 'p.'} {pages})" if pages else ""
        parts.append(f"In {ital(venue)}{esc(pp)}.")
    elif venue:
        parts.append(esc(_sentence(venue)))

    link = None
    if citation.doi:
        link = doi_url(citation.doi)
    elif citation.url and citation.url.strip():
        link = citation.url.strip()
    if link:
        if as_html and re.match(r"^https?://", link, re.IGNORECASE):
            parts.append(f'<a href="{esc(link)}">{esc(link)}</a>')
        else:
            parts.append(esc(link))
    return " ".join(parts)
