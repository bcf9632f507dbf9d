"""Vehicle registrations and national numbers: passport, national insurance, BSN, tax.

Registrations: the current UK format ("LJ19 XKT"), Irish ("191-D-48213", with a county
code), Dutch side codes ("12-GBK-3", "GV-281-T") and German ("M-KR 4821"); older UK
formats and anything else only after a cue ("registration", "number plate", "kenteken",
"Kennzeichen"). Numbers: UK National Insurance numbers by their format; Irish PPS
numbers and Dutch BSNs (dotted, or after a cue) by their checksums; German tax IDs after
a cue, with their checksum; passport, identity-card, tax, social-security and NHS numbers
after a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import word_set

# --------------------------------------------------------------------------- vehicles

_UK_PLATE = re.compile(
    r"(?<![\w-])[A-HJ-PR-Y][A-HJ-PR-Y](?:0[2-9]|[12]\d|30|5[1-9]|[67]\d|80) ?[A-HJ-PR-Z]{3}"
    r"(?![\w-])"
)
_IE_COUNTIES = "C|CE|CN|CW|D|DL|G|KE|KK|KY|L|LD|LH|LK|LM|LS|MH|MN|MO|OY|RN|SO|T|TN|TS|W|WD|WH|WW|WX"
_IE_PLATE = re.compile(rf"(?<![\w/-])(?P<y>\d{{2,3}})-(?:{_IE_COUNTIES})-\d{{1,6}}(?![\w-])")
_NL_PLATE = re.compile(
    r"(?<![\w/-])(?P<a>[A-Z]{1,3}|\d{1,3})-(?P<b>[A-Z]{1,3}|\d{1,3})-(?P<c>[A-Z]{1,3}|\d{1,3})"
    r"(?![\w-])"
)
# The Dutch side codes since 1951, as letter (L) and digit (D) groups.
_NL_SIDE_CODES = word_set(
    "LL-DD-DD DD-DD-LL DD-LL-DD LL-DD-LL LL-LL-DD DD-LL-LL DD-LLL-D D-LLL-DD LL-DDD-L "
    "L-DDD-LL LLL-DD-L L-DD-LLL D-LL-DDD DDD-LL-D"
)
_DE_PLATE = re.compile(r"(?<![\w-])[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} ?(?P<n>[1-9]\d{0,3})[EH]?(?![\w-])")
_PLATE_CUE = re.compile(
    r"\b(?i:registration(?:\s+(?:number|no\.?|mark|plate))?|reg\.?(?:\s+(?:no\.?|number))?|"
    r"(?:number|licen[cs]e|registration)\s+plates?|plates?|kenteken(?:plaat)?|nummerplaat|"
    r"(?:Auto|Kfz-)?Kennzeichen|Nummernschild)"
    r"\s*(?:is|was|war|ist|:)?\s*(?P<v>[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){3,9})(?![\w-])"
)


def _shape(group: str) -> str:
    return ("D" if group.isdigit() else "L") * len(group)


def vehicles(text: str) -> Iterator[tuple[str, int, int]]:
    """Vehicle registrations of the UK, Ireland, the Netherlands and Germany."""
    for m in _UK_PLATE.finditer(text):
        yield "vehicle", m.start(), m.end()
    for m in _IE_PLATE.finditer(text):
        year = m.group("y")
        if len(year) == 2 or year[2] in "12":
            yield "vehicle", m.start(), m.end()
    for m in _NL_PLATE.finditer(text):
        groups = (m.group("a"), m.group("b"), m.group("c"))
        if "-".join(map(_shape, groups)) in _NL_SIDE_CODES:
            yield "vehicle", m.start(), m.end()
    for m in _DE_PLATE.finditer(text):
        if not 1900 <= int(m.group("n")) <= 2099:  # "WHO-EU 2020" is a year
            yield "vehicle", m.start(), m.end()
    for m in _PLATE_CUE.finditer(text):
        value = m.group("v")
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            yield "vehicle", m.start("v"), m.end("v")


# --------------------------------------------------------------------------- numbers

_NI_NUMBER = re.compile(
    r"(?<![\w-])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?: ?\d{2}){3} ?[A-D](?![\w-])"
)
_PPS_NUMBER = re.compile(r"(?<![\w-])(?P<d>\d{7})(?P<c>[A-W])(?P<x>[A-IW]?)(?![\w-])")
_BSN_DOTTED = re.compile(r"(?<![\w.-])\d{4}\.\d{2}\.\d{3}(?![\w]|\.\d)")
_BSN_CUE = re.compile(
    r"\b(?:BSN|burgerservicenummer|sofi-?nummer|citizen\s+service\s+number)"
    r"\s*(?:is|was|:)?\s*(?P<v>\d{3,4}[ .]?\d{2,3}[ .]?\d{3})(?![\w]|[.-]\d)",
    re.IGNORECASE,
)
_STEUER_ID_CUE = re.compile(
    r"\b(?:Steuer-?ID|Steuer-?Identifikationsnummer|Steueridentifikationsnummer|IdNr\.?|"
    r"Identifikationsnummer)\s*(?:ist|war|lautet|:)?\s*(?P<v>\d{2}\s?\d{3}\s?\d{3}\s?\d{3})"
    r"(?![\w-])",
    re.IGNORECASE,
)
_ID_CUE = re.compile(
    r"\b(?:(?i:passport|Reisepass|Personalausweis|Ausweis|paspoort|identiteitskaart|"
    r"ID-kaart|identity\s+card|ID\s+card|driving\s+licen[cs]e|driver's\s+license|"
    r"F\u00fchrerschein|rijbewijs)|Pass)"
    r"(?i:-?nummer|\s*(?:number|no\.?|nr\.?|nummer))?"
    r"\s*(?:is|was|war|ist|lautet|:)?\s*(?P<v>[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){5,11})"
    r"(?![\w-])",
)
_TAX_CUE = re.compile(
    r"\b(?:UTR|TIN|RSIN|SSN|NINO|(?i:unique\s+taxpayer\s+reference|tax\s+(?:reference|ID|"
    r"identification|number|file\s+number)(?:\s+(?:number|no\.?))?|Steuernummer|"
    r"fiscaal\s+nummer|social\s+security\s+number|NHS\s+(?:number|no\.?)|"
    r"national\s+insurance(?:\s+(?:number|no\.?))?)|NI\s+(?i:number|no\.?))"
    r"\s*(?:is|was|:)?\s*(?P<v>[A-Z0-9](?:[A-Z0-9]|[ /-](?=[A-Z0-9])){6,15})(?![\w-])",
)


def _bsn_valid(digits: str) -> bool:
    """The Dutch eleven test: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11."""
    digits = digits.zfill(9)
    if len(digits) != 9 or digits == "000000000":
        return False
    total = sum((9 - i) * int(d) for i, d in enumerate(digits[:8])) - int(digits[8])
    return total % 11 == 0


def _steuer_id_valid(digits: str) -> bool:
    """ISO 7064 MOD 11,10 over the first ten digits gives the eleventh."""
    if len(digits) != 11 or digits[0] == "0":
        return False
    product = 10
    for d in digits[:10]:
        total = (int(d) + product) % 10 or 10
        product = (total * 2) % 11
    return (11 - product) % 10 == int(digits[10])


def _pps_valid(digits: str, check: str, extra: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    if extra and extra != "W":
        total += (ord(extra) - 64) * 9
    return "WABCDEFGHIJKLMNOPQRSTUV"[total % 23] == check


def id_numbers(text: str) -> Iterator[tuple[str, int, int]]:
    """Passport, national insurance, citizen service (BSN), PPS and tax numbers."""
    for m in _NI_NUMBER.finditer(text):
        yield "id-number", m.start(), m.end()
    for m in _PPS_NUMBER.finditer(text):
        if _pps_valid(m.group("d"), m.group("c"), m.group("x")):
            yield "id-number", m.start(), m.end()
    for m in _BSN_DOTTED.finditer(text):
        if _bsn_valid(m.group().replace(".", "")):
            yield "id-number", m.start(), m.end()
    for m in _BSN_CUE.finditer(text):
        if _bsn_valid(re.sub(r"\D", "", m.group("v"))):
            yield "id-number", m.start("v"), m.end("v")
    for m in _STEUER_ID_CUE.finditer(text):
        if _steuer_id_valid(re.sub(r"\D", "", m.group("v"))):
            yield "id-number", m.start("v"), m.end("v")
    for pattern in (_ID_CUE, _TAX_CUE):
        for m in pattern.finditer(text):
            value = m.group("v")
            if sum(c.isdigit() for c in value) >= 4 and not re.fullmatch(r"(?:19|20)\d{2}", value):
                yield "id-number", m.start("v"), m.end("v")
