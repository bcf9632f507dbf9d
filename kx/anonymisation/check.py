"""The check itself: run every detector, drop what overlaps, make the findings."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from .addresses import addresses
from .base import PRIORITY, Finding, Spans, excerpt
from .contact import emails, ips, phones, socials
from .dates import dates
from .identifiers import id_numbers, vehicles
from .institutions import institutions
from .names import names
from .quasi import combinations
from .references import case_numbers

# Spans that are never identifiers and whose digits would fool the other detectors.
_IGNORE = (
    re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+"),  # DOI
    re.compile(r"\bdoi:\s*\S+", re.IGNORECASE),
    re.compile(r"\bISBN(?:-1[03])?:?\s*[\dX](?:[\d\s-]{8,16})[\dX]\b", re.IGNORECASE),
    re.compile(r"\b(?:ISSN|eISSN):?\s*\d{4}-?\d{3}[\dX]\b", re.IGNORECASE),
    re.compile(r"\barXiv:\s*\d{4}\.\d{4,5}(?:v\d+)?", re.IGNORECASE),
    re.compile(r"\b(?:PMID|PMCID):?\s*(?:PMC)?\d+", re.IGNORECASE),
    re.compile(r"(?<![\w.@-])(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE),  # other links
)
_IGNORED_KINDS_EXEMPT = frozenset({"email", "social"})

_DETECTORS = (
    emails,
    socials,
    ips,
    case_numbers,
    dates,
    id_numbers,
    vehicles,
    addresses,
    institutions,
    phones,
    combinations,
)


def find_identifiers(
    text: str, field: str = "body", authors: Collection[str] = ()
) -> list[Finding]:
    """Possible identifiers in ``text``, in order of position, at most one per span.

    ``authors`` are the cited authors of linked research ("Seto" or "Seto, Michael C."):
    their names are citations, not people."""
    if not text or not text.strip():
        return []
    ignored = Spans((m.start(), m.end()) for pattern in _IGNORE for m in pattern.finditer(text))
    candidates: list[tuple[str, int, int]] = []
    found = [detector(text) for detector in _DETECTORS]
    found.append(names(text, authors))
    for detections in found:
        for kind, start, end in detections:
            if end <= start:
                continue
            if kind not in _IGNORED_KINDS_EXEMPT and ignored.overlaps(start, end):
                continue
            candidates.append((kind, start, end))
    # Higher-priority kinds first, then longer matches, then earlier ones.
    candidates.sort(key=lambda c: (PRIORITY[c[0]], c[1] - c[2], c[1]))
    kept: list[tuple[str, int, int]] = []
    taken = Spans()
    for kind, start, end in candidates:
        if not taken.overlaps(start, end):
            taken.add(start, end)
            kept.append((kind, start, end))
    kept.sort(key=lambda c: (c[1], c[2]))
    return [
        Finding(
            kind=kind,
            field=field,
            start=start,
            end=end,
            text=text[start:end],
            excerpt=excerpt(text, start, end),
        )
        for kind, start, end in kept
    ]


def check_fields(fields: Mapping[str, str | None], authors: Collection[str] = ()) -> list[Finding]:
    """Findings over several named fields (title, summary, body...), field by field."""
    findings: list[Finding] = []
    for name, value in fields.items():
        if value:
            findings.extend(find_identifiers(value, field=name, authors=authors))
    return findings


def identifier_warnings(
    values: Mapping[str, str | None], fields: Iterable[str], authors: Collection[str] = ()
) -> list[dict]:
    """The findings in ``fields`` of ``values``, as stored with an item."""
    return [
        {"kind": f.kind, "field": f.field, "excerpt": f.excerpt}
        for f in check_fields({name: values.get(name) or "" for name in fields}, authors)
    ]
