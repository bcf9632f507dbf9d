"""Full dates and dates of birth, in English, German, Dutch and French."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

from .base import span_before

MONTHS = {
    # English
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    # German
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    # Dutch
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mei": 5,
    "augustus": 8,
    # French
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th|er|e)?"

_DATE_DMY_WORDS = re.compile(
    rf"(?<![\w.])(?P<d>[0-3]?\d){_ORD}\.?(?:\s+of)?\s+(?P<m>{MONTH}),?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_MDY_WORDS = re.compile(
    rf"(?<![\w.])(?P<m>{MONTH})\s+(?P<d>[0-3]?\d){_ORD},?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_NUMERIC = re.compile(
    r"(?<![\w./-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})"
    r"(?![\w]|[./-]\d)"
)
# Year first; with full stops only as 2019.05.12 (2019.5.7 is a calendar version number).
_DATE_ISO = re.compile(
    r"(?<![\w./-])(?P<y>(?:19|20)\d{2})(?:(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"|\.(?P<m2>\d{2})\.(?P<d2>\d{2}))(?![\w]|[./-]\d)"
)
_MONTH_YEAR = re.compile(rf"(?<![\w.])(?P<m>{MONTH}),?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE)

_BIRTH_CUE = re.compile(
    r"(?:\bborn\b|\bdob\b|\bd\.\s?o\.\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s?date\b|"
    r"\bbirthday\b|\bgeboren\b|\bgeb\.|\bgeboortedatum\b|\bdate\s+de\s+naissance\b|"
    r"\bnée?\s+le\b|\(b\.)",
    re.IGNORECASE,
)
_NON_PERSON_DATE_CUE = re.compile(
    r"\b(?:accessed|retrieved|published|updated|last\s+modified|revised|in\s+force|"
    r"into\s+force|enacted|commenced|commencement|adopted|ratified|as\s+(?:of|at)|"
    r"effective(?:\s+from)?|consulted|viewed|announced|launched|introduced|amended|"
    r"repealed|took\s+effect|came\s+into\s+effect|royal\s+assent|deadline)\b",
    re.IGNORECASE,
)


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _full_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 1900 if year > 30 else 2000
    return year


def _date_kind(text: str, start: int) -> str | None:
    """ "date-of-birth" after a birth cue, None after a bibliographic/legal cue, else "date"."""
    before = span_before(text, start, 40)
    birth = list(_BIRTH_CUE.finditer(before))
    if birth and len(before) - birth[-1].end() <= 25:
        return "date-of-birth"
    if re.search(r"(?<![\w.])b\.\s?$", before):
        return "date-of-birth"  # "(b. 12/12/2009)"
    if _NON_PERSON_DATE_CUE.search(before):
        return None
    return "date"


def dates(text: str) -> Iterator[tuple[str, int, int]]:
    """Full dates; after a birth cue, also a month and year."""
    spans: list[tuple[int, int]] = []
    for pattern in (_DATE_DMY_WORDS, _DATE_MDY_WORDS):
        for m in pattern.finditer(text):
            month = MONTHS[m.group("m").lower().rstrip(".")]
            if _valid_date(int(m.group("y")), month, int(m.group("d"))):
                spans.append((m.start(), m.end()))
    for m in _DATE_NUMERIC.finditer(text):
        a, b, raw_year = int(m.group("a")), int(m.group("b")), m.group("y")
        if m.group("sep") == "." and len(raw_year) == 2:
            continue  # version numbers such as 2.10.11
        year = _full_year(raw_year)
        if _valid_date(year, b, a) or _valid_date(year, a, b):
            spans.append((m.start(), m.end()))
    for m in _DATE_ISO.finditer(text):
        month, day = m.group("m") or m.group("m2"), m.group("d") or m.group("d2")
        if _valid_date(int(m.group("y")), int(month), int(day)):
            spans.append((m.start(), m.end()))
    for start, end in spans:
        kind = _date_kind(text, start)
        if kind:
            yield kind, start, end
    # "born in March 1985": not a full date, but a birth month is worth a warning.
    for m in _MONTH_YEAR.finditer(text):
        before = span_before(text, m.start(), 30)
        if re.search(r"\bborn(?:\s+in)?\s*$", before, re.IGNORECASE) and not any(
            s <= m.start() < e for s, e in spans
        ):
            yield "date-of-birth", m.start(), m.end()
