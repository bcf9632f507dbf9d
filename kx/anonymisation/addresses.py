"""Street addresses and postcodes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import LOWER, UPPER, word_set

_GB_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
)
_NL_POSTCODE = re.compile(r"(?<![\w.,-])(?P<n>[1-9]\d{3})(?P<sp>\s?)(?P<l>[A-Z]{2})(?![\w-])")
# Letter pairs that cannot be Dutch postcodes, or that follow a number as a unit or an
# abbreviation far more often than as a postcode.
_NL_NOT_LETTERS = word_set(
    "SA SD SS UK US EU UN NL DE GB IE CA AU NZ FR BE IT ES SE DK NO FI AT CH PL AD BC AM PM "
    "MB GB KB TB PB MG KG KM CM MM ML HZ CE OR ID IQ CI HR TV PC DC DI DS OK AI IT VR AR QA "
    "RR UX IP CJ MP NA NB VS VM GP SO RQ NS BA MA MS MD"
)
_DE_POSTCODE = re.compile(
    rf"(?<![\w.,/-])(?P<n>(?:0[1-9]|[1-9]\d)\d{{3}})\s+"
    rf"(?P<city>[{UPPER}][{LOWER}]+"
    rf"(?:[ -](?:am|an|der|im|bei|sur|sous|[{UPPER}][{LOWER}]+)){{0,3}})"
)
_DE_NOT_CITY = word_set(
    "The This That These In On At Of For And But Or With By From To As Men Women Boys Girls "
    "People Participants Offenders Users Cases Children Adults Images Files Reports Euro Euros "
    "Dollars Pounds Records Survey Respondents Victims Referrals Downloads Accounts"
)
# Four digits and a place: BE, AT, CH, DK, NO, LU ("3000 Leuven", "1010 Wien"). Years are not.
_FOUR_DIGIT_POSTCODE = re.compile(
    rf"(?<![\w.,/-])(?P<n>[1-9]\d{{3}})\s+(?P<city>[{UPPER}][{LOWER}]{{2,}})(?![\w-])"
)
_IE_EIRCODE = re.compile(
    r"(?<![\w-])(?P<rk>[AC-FHKNPRTV-Y]\d{2}|D6W)(?P<sp>\s?)(?P<u>[0-9AC-FHKNPRTV-Y]{4})(?![\w-])"
)
_CA_POSTCODE = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])"
)
_US_STATES = word_set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
)
_US_ZIP_STATE = re.compile(
    rf"\b(?:{'|'.join(sorted(_US_STATES))}),?\s+\d{{5}}(?:-\d{{4}})?(?![\w-])"
)
_US_ZIP4 = re.compile(r"(?<![\w/-])\d{5}-\d{4}(?![\w-])")
_AU_POSTCODE = re.compile(
    r"\b(?P<st>NSW|VIC|Vic|QLD|Qld|SA|WA|TAS|Tas|NT|ACT),?\s+(?P<n>\d{4})(?![\w-])"
)
_AU_RANGES = {
    "NSW": ((1000, 2599), (2619, 2899), (2921, 2999)),
    "ACT": ((200, 299), (2600, 2618), (2900, 2920)),
    "VIC": ((3000, 3999), (8000, 8999)),
    "QLD": ((4000, 4999), (9000, 9999)),
    "SA": ((5000, 5999),),
    "WA": ((6000, 6999),),
    "TAS": ((7000, 7999),),
    "NT": ((800, 999),),
}
_NOT_PLACES = word_set("The In At On Of For By From And An Across Between Within")
_STREET_SUFFIX = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Place|Pl|Way|Close|"
    r"Crescent|Cres|Terrace|Tce|Square|Sq|Gardens|Gdns|Grove|Mews|Parkway|Pkwy|Highway|Hwy"
)
_STREET_EN = re.compile(
    rf"(?<![\w.,/§-])\d{{1,5}}[A-Za-z]?,?\s+(?:[{UPPER}][{LOWER}'\u2019-]+\s+){{1,3}}"
    rf"(?:{_STREET_SUFFIX})\b\.?"
)
_STREET_CONTINENTAL = re.compile(
    rf"(?<![\w-])[{UPPER}][{LOWER}-]*(?:straat|weg|laan|plein|gracht|kade|dijk|singel|steeg|"
    rf"straße|strasse|str\.|gasse|allee|platz|damm)\s+\d{{1,4}}[a-z]?(?![\w-])"
)
_STREET_FR = re.compile(
    rf"(?<![\w.,/-])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:rue|boulevard|impasse|allée|chemin|quai)"
    rf"\s+(?:(?:de|du|des|la|le|les|l'|d')\s*){{0,2}}[{UPPER}{LOWER}'\u2019-]+"
)
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s?Box|Postbus|Postfach)\s+\d{1,6}\b", re.IGNORECASE)
_POSTCODE_CUE = re.compile(r"(?:post\s?code|postal\s+code|zip(?:\s+code)?|postcode)\W*$", re.I)


def addresses(text: str) -> Iterator[tuple[str, int, int]]:
    """Street addresses, PO boxes and postcodes of the countries kx serves."""
    for pattern in (_GB_POSTCODE, _CA_POSTCODE, _US_ZIP_STATE, _US_ZIP4, _PO_BOX):
        for m in pattern.finditer(text):
            yield "address", m.start(), m.end()
    for pattern in (_STREET_EN, _STREET_CONTINENTAL, _STREET_FR):
        for m in pattern.finditer(text):
            yield "address", m.start(), m.end()
    for m in _NL_POSTCODE.finditer(text):
        number, letters = int(m.group("n")), m.group("l")
        if letters in {"SA", "SD", "SS"}:
            continue
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 30]
        city_follows = re.match(rf"\s+[{UPPER}][{LOWER}]{{2,}}", after) is not None
        after_street = re.search(r"\d[a-z]?,\s*$", before) is not None
        if (
            _POSTCODE_CUE.search(before)
            or after_street
            or (letters not in _NL_NOT_LETTERS and (not m.group("sp") or city_follows))
            or (letters not in _NL_NOT_LETTERS and not 1900 <= number <= 2099)
        ):
            yield "address", m.start(), m.end()
    for m in _DE_POSTCODE.finditer(text):
        city = m.group("city").split()[0].split("-")[0]
        if city not in _DE_NOT_CITY:
            yield "address", m.start(), m.end()
    for m in _FOUR_DIGIT_POSTCODE.finditer(text):
        if not 1800 <= int(m.group("n")) <= 2099 and m.group("city") not in _DE_NOT_CITY:
            yield "address", m.start(), m.end()
    for m in _IE_EIRCODE.finditer(text):
        if m.group("sp") or re.search(r"[A-Z]", m.group("u")):
            yield "address", m.start(), m.end()
    for m in _AU_POSTCODE.finditer(text):
        state, number = m.group("st").upper(), int(m.group("n"))
        if not any(lo <= number <= hi for lo, hi in _AU_RANGES[state]):
            continue
        if state == "NSW" and 2001 <= number <= 2030:
            # "NSW 2019 data": a year after the state, unless a place name comes first.
            before = text[max(0, m.start() - 30) : m.start()]
            place = re.search(rf"\b([{UPPER}][{LOWER}]+),?\s*$", before)
            if not place or place.group(1) in _NOT_PLACES:
                continue
        yield "address", m.start(), m.end()
