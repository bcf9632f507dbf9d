"""Case and reference numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

_CASE_STRONG_CUE = (
    r"(?:(?:crime|incident|case|file|docket|claim|court|police|custody|occurrence|log|cad|"
    r"referral|cybertip(?:line)?(?:\s+report)?|report|matter|complaint|warrant|"
    r"prosecution|job|tip|ticket)\s*(?:reference|ref\b\.?|number|no\b\.?|nr\b\.?|"
    r"num\b\.?|#|id\b)|crime\s+ref(?:erence)?\b|ref\b\.?|urn\b|crn\b|ucr\b|pnc\b|cro\b|"
    r"reference\s+(?:number|no\b\.?)|aktenzeichen\b|az\.|parketnummer\b|zaaknummer\b|"
    r"dossiernummer\b|numéro\s+de\s+dossier\b)"
)
_CASE_WEAK_CUE = r"(?:case|reference|file|report|incident|log|docket|matter|referral)\b"
# A reference-shaped token with at least one digit.
_CASE_REF = (
    r"(?P<tok>(?=[A-Za-z0-9/.-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[/\-.](?=[A-Za-z0-9])){2,30})"
    r"(?![\w])"
)
_CASE_CUED = re.compile(
    rf"\b(?:(?P<strong>{_CASE_STRONG_CUE})|(?P<weak>{_CASE_WEAK_CUE}))\s*[:#.]?\s*{_CASE_REF}",
    re.IGNORECASE,
)
_CASE_BARE = (
    re.compile(r"(?<![\w/-])[A-Z]{1,5}-(?:19|20)\d{2}-\d{3,}(?![\w-])"),  # CR-2021-00931
    re.compile(r"(?<![\w/.-])\d{1,3}/\d{4,7}/\d{2,4}(?![\w/]|\.\d)"),  # 45/12345/21
    re.compile(r"(?<![\w-])\d{2}[A-Z]{2}\d{7,9}(?![\w-])"),  # URN 01YE1234519
)
_PUBLIC_CODE = re.compile(r"(?:CVE|ISO|EN|RFC|BS|DIN|NEN|IEC|WHO|ECLI)-")  # standards, advisories
_CJEU_CASE = re.compile(r"^[CT]-\d+/\d{2}$")  # "Case C-203/15": a published judgment
_YEAR_RANGE = re.compile(r"^(?:19|20)\d{2}(?:[-/](?:19|20)?\d{2})?$")


def case_numbers(text: str) -> Iterator[tuple[str, int, int]]:
    """Numbers after a case or reference cue, and reference-shaped codes."""
    for m in _CASE_CUED.finditer(text):
        token = m.group("tok")
        if _CJEU_CASE.match(token):
            continue
        if _YEAR_RANGE.match(token):
            continue  # "report 2019", "case 2019-20"
        digits = sum(ch.isdigit() for ch in token)
        if m.group("strong"):
            if len(token) < 4 and digits < 3:
                continue  # "ref. 12" (a bibliography reference)
        else:
            has_separator = any(ch in "/-." for ch in token)
            mixed = any(ch.isalpha() for ch in token) and len(token) >= 5
            if not (has_separator and digits >= 4) and not mixed and digits < 5:
                continue  # "case 3", "report 12"
            if re.fullmatch(r"\d+\.\d+", token):
                continue  # "file 1.2"
        yield "case-number", m.start(), m.end()
    for pattern in _CASE_BARE:
        for m in pattern.finditer(text):
            if not _PUBLIC_CODE.match(m.group()):
                yield "case-number", m.start(), m.end()
