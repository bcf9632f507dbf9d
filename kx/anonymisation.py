"""Anonymisation check: find details in free text that could identify a person or a case.

Practice examples must be anonymised before they are published, and research summaries
are checked too. A pure module (no Flask, no database) so that forms, services, the API
and the review queue can all call it, and so that it can be measured on its own against
the labelled sentences in ``tests/anonymisation_cases.py``. One self-contained library:
its detectors share the masking and the overlap rules, so they stay in one module.

The check warns; it never blocks or rewrites. Findings are shown to the author before
submission and to the moderator during review, so it leans towards flagging: a moderator
can dismiss a spurious warning, but a missed name or phone number is published. It stays
quiet on what professional writing is full of: years, statistics, section and article
numbers, ages, durations, money, DOIs and ISBNs, version numbers, times, organisation
names and roles without a name.

Kinds (``KINDS``, labels in ``KIND_LABELS``):

``email``          addresses, also the "name [at] example [dot] org" spelling.
``phone``          international and national formats, found by libphonenumber's matcher:
                   numbers valid in one of ``PHONE_REGIONS``, plus numbers that are merely
                   possible when they look like phone numbers (a leading ``+``, ``(`` or
                   trunk ``0`` with at least nine digits) or follow a word such as "tel",
                   "mobile" or "call" (this catches fictional 555 and Ofcom drama numbers).
``date-of-birth``  a full date, or a month and year, after "born", "DOB", "date of birth"...
``date``           every other full calendar date (day, month and year, in words or in
                   figures), because in a case narrative a full date pins an event (arrest,
                   hearing, first contact) to a person. Dates introduced as bibliographic,
                   legal or institutional ("accessed", "retrieved", "published", "came into
                   force", "enacted", "announced", "launched"...) are not flagged. Years, and
                   months with a year, are never flagged on their own. English, German, Dutch
                   and French month names are known.
``address``        street addresses ("12 Acacia Avenue", "Damstraat 12", "12 rue de la
                   Paix", "PO Box 123") and postcodes: GB, NL, DE/FR (five digits with a
                   city), BE/AT/CH (four digits with a city, not a year), IE Eircode, US ZIP
                   (with a state, or ZIP+4), CA, and AU (with a state, number in that
                   state's range).
``name``           a capitalised name after a title or rank (Mr, Dr, DC, Sgt, Officer,
                   Detective Inspector, Judge...). Placeholder initials ("Mr A", "Ms X") are
                   the usual anonymisation and are not flagged; neither are roles without a
                   name ("the officer", "a Detective Inspector").
``case-number``    case and reference numbers after a cue ("case no.", "Ref:", "crime
                   reference", "URN"...) and reference-shaped codes without one
                   ("CR-2021-00931", "45/12345/21", "01YE1234519").
``ip``             IPv4 and IPv6 addresses (section-like "4.2.1.3" is not flagged).
``social``         profile links on social-media sites, @handles, and "username: ..." cues.

Overlaps are resolved by kind priority (the order of ``KINDS``), so "DOB: 03/04/1985" is one
date-of-birth finding, not also a date and a phone number. DOIs, ISBNs, ISSNs, PMIDs and
ordinary (non-social-media) links are masked before the other detectors run.

Known limits: names without a title ("John Smith said") are not found; nor are years of
birth alone ("born 1989"), bare 7-digit local numbers without a cue ("555-0143"), or
addresses without a house number and postcode. Public numbers (a charity's helpline) and
dates of public events without one of the cues above are flagged and left to the reader.
All patterns are linear or bounded; phone matching runs only on digit runs of at most 64
characters, and on the first 300 of them.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "PHONE_REGIONS",
    "Finding",
    "check_fields",
    "find_identifiers",
]

#: Kinds in priority order: where two findings overlap, the earlier kind wins.
KINDS: tuple[str, ...] = (
    "email",
    "social",
    "ip",
    "case-number",
    "date-of-birth",
    "date",
    "address",
    "name",
    "phone",
)

KIND_LABELS: dict[str, str] = {
    "email": "E-mail address",
    "phone": "Phone number",
    "date-of-birth": "Date of birth",
    "date": "Full date",
    "address": "Street address or postcode",
    "name": "Name with a title or rank",
    "case-number": "Case or reference number",
    "ip": "IP address",
    "social": "Social-media profile or handle",
}

#: Regions whose national formats are tried (numbers with a leading + work everywhere).
PHONE_REGIONS: tuple[str, ...] = ("GB", "US", "NL", "DE", "IE", "AU", "FR", "BE", "NZ")
_PHONE_POSSIBLE_REGIONS: tuple[str, ...] = ("GB", "US", "DE")

CONTEXT = 30  # characters of context either side of a match in the excerpt

_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    """One possible identifier: what kind, where (field and offsets) and its context."""

    kind: str
    field: str
    start: int
    end: int
    text: str
    excerpt: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_dict(self) -> dict[str, object]:
        """The JSON shape used for ``identifier_warnings``."""
        return {
            "kind": self.kind,
            "label": self.label,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "excerpt": self.excerpt,
        }


# --------------------------------------------------------------------------- helpers

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# A sentence ends at . ! ? ; before a space, but not after a single letter ("d.o.b. ").
_SENTENCE_BREAK = re.compile(r"(?<!\b[a-zA-Z])[.!?;]\s|\n")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _span_before(text: str, start: int, width: int) -> str:
    """The text just before ``start``, cut at the last sentence break."""
    window = text[max(0, start - width) : start]
    breaks = list(_SENTENCE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def _excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT)
    right = min(len(text), end + CONTEXT)
    # Do not cut a word in half at either edge when a space is near.
    if left > 0:
        space = text.find(" ", left, start)
        if space != -1 and space < start:
            left = space + 1
    if right < len(text):
        space = text.rfind(" ", end, right)
        if space != -1:
            right = space
    snippet = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


# --------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
_EMAIL_OBFUSCATED = re.compile(
    r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\s*[\[({]\s*at\s*[\])}]\s*"
    r"[A-Za-z0-9-]{1,63}(?:\s*[\[({]\s*dot\s*[\])}]\s*[A-Za-z0-9-]{1,63}){1,4}",
    re.IGNORECASE,
)
# "jdoe at example dot org": the word "dot" makes this safe in ordinary prose.
_EMAIL_SPELLED = re.compile(
    r"(?<![\w.])[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\s+(?:at|AT)\s+[A-Za-z0-9-]{1,63}"
    r"(?:\s+(?:dot|DOT)\s+[A-Za-z0-9-]{1,63}){1,4}(?![\w-])"
)


def _emails(text: str) -> Iterator[tuple[str, int, int]]:
    for pattern in (_EMAIL, _EMAIL_OBFUSCATED, _EMAIL_SPELLED):
        for m in pattern.finditer(text):
            yield "email", m.start(), m.end()


# --------------------------------------------------------------------------- social media

_SOCIAL_SITES = (
    r"facebook\.com|fb\.com|fb\.me|instagram\.com|instagr\.am|x\.com|twitter\.com|"
    r"tiktok\.com|linkedin\.com|snapchat\.com|youtube\.com|youtu\.be|reddit\.com|"
    r"t\.me|telegram\.me|discord\.gg|discord\.com|vk\.com|ok\.ru|threads\.net|bsky\.app|"
    r"twitch\.tv|kik\.me|onlyfans\.com|pinterest\.com|tumblr\.com|wa\.me|roblox\.com|"
    r"steamcommunity\.com|mastodon\.social"
)
_SOCIAL_URL = re.compile(
    r"(?<![\w.@-])(?:https?://)?(?:(?:www|m|mobile|[a-z]{2})\.)?"
    rf"(?:{_SOCIAL_SITES})/[^\s<>()\"'\[\]]+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
# A token that looks like a handle: letters with a digit, an underscore or a dot inside.
_HANDLE_LIKE = (
    r"(?=[\w.#-]*[A-Za-z])(?=[\w.#-]*[\d_.#])[A-Za-z0-9_](?:[\w#-]|\.(?=\w)){2,31}(?![\w#-])"
)
_USERNAME_CUE = re.compile(
    r"\b(?:user\s?name|screen\s?name|display\s+name|profile\s+name|gamer\s?tag|"
    r"account\s+name|(?:snapchat|kik|discord|telegram|instagram|tiktok|skype|wickr|"
    r"whatsapp|roblox|steam|twitter|facebook)\s+(?:name|handle|account|id|user\s?name))"
    r"(?:\s*[:=]\s*[\"'\u201c\u2018]?|\s+[\"'\u201c\u2018]|\s+)(?P<a>[\w#-](?:[\w#-]|\.(?=\w)){2,31})(?![\w#-])",
    re.IGNORECASE,
)
_PLATFORM_CUE = re.compile(
    r"\b(?:handle|snapchat|kik|discord|telegram|instagram|tiktok|skype|wickr|whatsapp|"
    r"roblox|steam|twitter|facebook|reddit|xbox|psn|minecraft|fortnite)"
    r"(?:\s+(?:name|handle|account|id|user\s?name|user|profile))?"
    r"(?:\s+(?:is|was|as|called|named))?\s*[:=]?\s*[\"'\u201c\u2018]?(?P<a>" + _HANDLE_LIKE + ")",
    re.IGNORECASE,
)
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w-])")


def _socials(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _SOCIAL_URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?":
            end -= 1
        yield "social", m.start(), end
    for m in _REDDIT_USER.finditer(text):
        yield "social", m.start(), m.end()
    for m in _HANDLE.finditer(text):
        yield "social", m.start(), m.end()
    for pattern in (_USERNAME_CUE, _PLATFORM_CUE):
        for m in pattern.finditer(text):
            yield "social", m.start("a"), m.end("a")


# --------------------------------------------------------------------------- IP addresses

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_IP_CUE = re.compile(r"\bIP\b|\baddress\b", re.IGNORECASE)
_SECTION_CUE = re.compile(
    r"\b(?:section|sections|s|ss|§|para|paragraph|chapter|clause|article|art|table|figure|"
    r"fig|appendix|version|v|release|step|item|rule|standard|ISO|IEC)\.?\s*$",
    re.IGNORECASE,
)


def _ips(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _IPV4.finditer(text):
        before = _span_before(text, m.start(), 20)
        octets = [int(part) for part in m.group().split(".")]
        address = ipaddress.IPv4Address(m.group())
        if address.is_loopback or address.is_unspecified:
            continue  # 127.0.0.1 identifies nobody
        if _IP_CUE.search(before):
            yield "ip", m.start(), m.end()
        elif _SECTION_CUE.search(before) or octets[0] == 0 or all(o < 10 for o in octets):
            continue  # "section 4.2.1.3", "v1.2.0.1", "Tor 0.4.7.10"
        else:
            yield "ip", m.start(), m.end()
    for m in _IPV6.finditer(text):
        candidate = m.group()
        if sum(1 for group in candidate.split(":") if group) < 3:
            continue  # times like 14:00:00 fail below anyway; "::1" is not identifying
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield "ip", m.start(), m.end()


# --------------------------------------------------------------------------- dates

_MONTHS = {
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
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th|er|e)?"

_DATE_DMY_WORDS = re.compile(
    rf"(?<![\w.])(?P<d>[0-3]?\d){_ORD}\.?(?:\s+of)?\s+(?P<m>{_MONTH}),?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_MDY_WORDS = re.compile(
    rf"(?<![\w.])(?P<m>{_MONTH})\s+(?P<d>[0-3]?\d){_ORD},?\s+(?P<y>\d{{4}})(?!\d)",
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
_MONTH_YEAR = re.compile(rf"(?<![\w.])(?P<m>{_MONTH}),?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE)

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
    before = _span_before(text, start, 40)
    birth = list(_BIRTH_CUE.finditer(before))
    if birth and len(before) - birth[-1].end() <= 25:
        return "date-of-birth"
    if re.search(r"(?<![\w.])b\.\s?$", before):
        return "date-of-birth"  # "(b. 12/12/2009)"
    if _NON_PERSON_DATE_CUE.search(before):
        return None
    return "date"


def _dates(text: str) -> Iterator[tuple[str, int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in (_DATE_DMY_WORDS, _DATE_MDY_WORDS):
        for m in pattern.finditer(text):
            month = _MONTHS[m.group("m").lower().rstrip(".")]
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
        before = _span_before(text, m.start(), 30)
        if re.search(r"\bborn(?:\s+in)?\s*$", before, re.IGNORECASE) and not any(
            s <= m.start() < e for s, e in spans
        ):
            yield "date-of-birth", m.start(), m.end()


# --------------------------------------------------------------------------- addresses

_GB_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
)
_NL_POSTCODE = re.compile(r"(?<![\w.,-])(?P<n>[1-9]\d{3})(?P<sp>\s?)(?P<l>[A-Z]{2})(?![\w-])")
# Letter pairs that cannot be Dutch postcodes, or that follow a number as a unit or an
# abbreviation far more often than as a postcode.
_NL_NOT_LETTERS = _words(
    "SA SD SS UK US EU UN NL DE GB IE CA AU NZ FR BE IT ES SE DK NO FI AT CH PL AD BC AM PM "
    "MB GB KB TB PB MG KG KM CM MM ML HZ CE OR ID IQ CI HR TV PC DC DI DS OK AI IT VR AR QA "
    "RR UX IP CJ MP NA NB VS VM GP SO RQ NS BA MA MS MD"
)
_DE_POSTCODE = re.compile(
    rf"(?<![\w.,/-])(?P<n>(?:0[1-9]|[1-9]\d)\d{{3}})\s+"
    rf"(?P<city>[{_UPPER}][{_LOWER}]+"
    rf"(?:[ -](?:am|an|der|im|bei|sur|sous|[{_UPPER}][{_LOWER}]+)){{0,3}})"
)
_DE_NOT_CITY = _words(
    "The This That These In On At Of For And But Or With By From To As Men Women Boys Girls "
    "People Participants Offenders Users Cases Children Adults Images Files Reports Euro Euros "
    "Dollars Pounds Records Survey Respondents Victims Referrals Downloads Accounts"
)
# Four digits and a place: BE, AT, CH, DK, NO, LU ("3000 Leuven", "1010 Wien"). Years are not.
_FOUR_DIGIT_POSTCODE = re.compile(
    rf"(?<![\w.,/-])(?P<n>[1-9]\d{{3}})\s+(?P<city>[{_UPPER}][{_LOWER}]{{2,}})(?![\w-])"
)
_IE_EIRCODE = re.compile(
    r"(?<![\w-])(?P<rk>[AC-FHKNPRTV-Y]\d{2}|D6W)(?P<sp>\s?)(?P<u>[0-9AC-FHKNPRTV-Y]{4})(?![\w-])"
)
_CA_POSTCODE = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])"
)
_US_STATES = _words(
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
_NOT_PLACES = _words("The In At On Of For By From And An Across Between Within")
_STREET_SUFFIX = (
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Place|Pl|Way|Close|"
    r"Crescent|Cres|Terrace|Tce|Square|Sq|Gardens|Gdns|Grove|Mews|Parkway|Pkwy|Highway|Hwy"
)
_STREET_EN = re.compile(
    rf"(?<![\w.,/§-])\d{{1,5}}[A-Za-z]?,?\s+(?:[{_UPPER}][{_LOWER}'\u2019-]+\s+){{1,3}}"
    rf"(?:{_STREET_SUFFIX})\b\.?"
)
_STREET_CONTINENTAL = re.compile(
    rf"(?<![\w-])[{_UPPER}][{_LOWER}-]*(?:straat|weg|laan|plein|gracht|kade|dijk|singel|steeg|"
    rf"straße|strasse|str\.|gasse|allee|platz|damm)\s+\d{{1,4}}[a-z]?(?![\w-])"
)
_STREET_FR = re.compile(
    rf"(?<![\w.,/-])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:rue|boulevard|impasse|allée|chemin|quai)"
    rf"\s+(?:(?:de|du|des|la|le|les|l'|d')\s*){{0,2}}[{_UPPER}{_LOWER}'\u2019-]+"
)
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s?Box|Postbus|Postfach)\s+\d{1,6}\b", re.IGNORECASE)
_POSTCODE_CUE = re.compile(r"(?:post\s?code|postal\s+code|zip(?:\s+code)?|postcode)\W*$", re.I)


def _addresses(text: str) -> Iterator[tuple[str, int, int]]:
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
        city_follows = re.match(rf"\s+[{_UPPER}][{_LOWER}]{{2,}}", after) is not None
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
            place = re.search(rf"\b([{_UPPER}][{_LOWER}]+),?\s*$", before)
            if not place or place.group(1) in _NOT_PLACES:
                continue
        yield "address", m.start(), m.end()


# --------------------------------------------------------------------------- names

# Words that can stand before a rank ("Detective Chief Inspector", "Circuit Judge").
_TITLE_MODIFIERS = (
    "Detective|Chief|Deputy|Assistant|Police|Senior|Special|Acting|Temporary|Investigating|"
    "Probation|Woman|Staff|Station|Lead|Principal|Head|District|Circuit|Family|Youth|Prof|"
    "Professor|Dr|Doctor|Herr|Frau|Mr|Mrs|Ms|Det|Insp|Ch|Supt|Sgt"
)
# Titles and ranks that stand directly before a name: abbreviations that may take a full
# stop ("Dr. Jones"), and words that do not, so that "...seen by the DI. Later..." is no name.
_TITLES_DOTTED = "Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Revd|Fr|Sgt|Supt|Insp|Det|Lt|Capt|Cpl|Mme|Mlle|Mevr|Dhr"
_TITLES_PLAIN = (
    "Miss|Doctor|Professor|Sir|Dame|Reverend|DC|DS|DI|DCI|DSI|DSU|DSupt|DCS|TDC|PC|WPC|"
    "PCSO|Sergeant|Constable|Officer|Inspector|Superintendent|Commander|Commissioner|"
    "Detective|Judge|Magistrate|Recorder|Agent|Lieutenant|Captain|Corporal|Trooper|"
    "Sheriff|Herr|Frau|Mevrouw|Kommissar|Kommissarin|Hauptkommissar|Hauptkommissarin|"
    "Rechercheur|Father|Sister|Pastor|Imam|Rabbi"
)
# Degree suffixes after "Dr." in German usage: "Dr. med. Anna Schmidt".
_DEGREE = r"(?:(?:med|phil|jur|rer\.\s?nat|rer\.\s?pol|dent|vet|habil)\.\s+)?"
# Capitalised words after a title that are not names.
_NOT_NAMES = (
    "The|This|That|These|Those|He|She|They|We|You|It|His|Her|Hers|Their|Our|Its|In|On|At|"
    "Of|And|But|Or|Nor|For|With|To|An|As|By|From|If|When|Where|While|Whilst|After|Before|"
    "During|Although|However|Both|All|Each|Some|Any|No|Not|Then|Also|So|Yet|Who|Whom|"
    "Police|Service|Services|Unit|Units|Team|Teams|Department|Office|Court|Courts|Training|"
    "General|Safety|Scotland|Metropolitan|Superior|Programme|Program|Standards|Survey|"
    "Report|Guidance|Development|Wellbeing|Welfare|Role|Roles|Level|Grade|Rank|Ranks|"
    "Inspectorate|Corps|Academy|College|School|University|Council|Government|Ministry|Area|"
    "Region|Force|Forces|Network|Association|Federation|Union|Foundation|Trust|Agency|"
    "Board|Panel|Committee|Manual|Handbook|Course|Certificate|Degree|Award|Scheme|Project|"
    "Who's|Chief|Inspector|Sergeant|Constable|Superintendent|Detective|Officer|Officers|"
    "Judge|Judges|Magistrate|Magistrates|Agent|Agents|Deputy|Commander|Commissioner|"
    "Investigating|Senior|Special|Acting|Temporary|Assistant|Probation|Staff|Station|"
    "Lead|Principal|Head|District|Circuit|Family|Youth|Prof|Professor|Dr|Doctor|Sir|Dame|"
    "Mr|Mrs|Ms|Miss|Mx|Rev|Reverend|Sgt|Supt|Capt|Captain|Lieutenant|Major|Colonel|"
    "Emeritus|Doctorate|Candidate|Fellow|Researcher|Practitioner|Liaison|Contact|Child|"
    "Children|Online|Internet|Sexual|Sex|Offender|Offenders|Offences|Offence|Crime|"
    "Crimes|Protection|Safeguarding|Management|Manager|Supervisor|Coordinator|Worker"
)
_NAME_WORD = (
    rf"(?:(?:Mc|Mac|O['\u2019]|D['\u2019]|De|Di|Le|La|Van|Von)?[{_UPPER}][{_LOWER}]+"
    rf"(?:[-'\u2019](?!s\b)[{_UPPER}]?[{_LOWER}]+)*)"
)
_NAME = re.compile(
    rf"(?<![\w.])(?:(?:{_TITLE_MODIFIERS})\.?\s+){{0,3}}"
    rf"(?:(?:{_TITLES_DOTTED})\.?|(?:{_TITLES_PLAIN}))\s+{_DEGREE}"
    rf"(?:[{_UPPER}]\.?\s+){{0,2}}(?:(?:van|von|de|der|den|la|le|du|da|ten|ter)\s+){{0,3}}"
    rf"(?!(?:{_NOT_NAMES})\b){_NAME_WORD}"
    rf"(?:[ \t]+(?!(?:{_NOT_NAMES})\b){_NAME_WORD}){{0,2}}(?![\w])"
)
_NAME_NOT_AFTER = re.compile(r"(?:Washington|Washington,)\s*$")
# Lower-case particles inside a name: "van der Berg", "de la Cruz".
_PARTICLES = re.compile(
    rf"(?:\s+(?:van|von|der|den|de|la|le|du|da|di|ten|ter)){{1,3}}\s+{_NAME_WORD}(?![\w])"
)


def _names(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _NAME.finditer(text):
        if _NAME_NOT_AFTER.search(text[max(0, m.start() - 12) : m.start()]):
            continue  # "Washington DC Metro..."
        end = m.end()
        tail = _PARTICLES.match(text, end)
        if tail:
            end = tail.end()
        yield "name", m.start(), end


# --------------------------------------------------------------------------- case numbers

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


def _case_numbers(text: str) -> Iterator[tuple[str, int, int]]:
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


# --------------------------------------------------------------------------- phones

_PHONE_CUE = re.compile(
    r"\b(?:tel|tel\.|telephone|phone|phoned|mobile|mob|cell|cellphone|landline|call|called|"
    r"calling|ring|rang|text|texted|sms|whatsapp|fax|number|telefon|telefoon|mobiel|"
    r"handy|portable|téléphone)\b\W{0,3}(?:on\s+|is\s+|was\s+)?$",
    re.IGNORECASE,
)


# A run of characters a phone number is written with. libphonenumber's matcher only runs on
# these runs (plus a character either side), which keeps it fast on number-heavy text and
# keeps its per-call limit on attempts from hiding numbers late in a long text.
_PHONE_RUN = re.compile(r"[+(]?\d[\d \t\u00a0().\/\u2013-]*\d")
_PHONE_RUN_MAX = 64  # longer runs are tables of figures, not phone numbers
# Each run costs the matcher about 1-3 ms; a text with more runs than this is a table of
# figures, and only its first runs are examined.
_PHONE_MAX_RUNS = 300
_DECIMAL = re.compile(r"\d+[.,]\d+")
_DATE_SHAPED = re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{1,4}")


def _phone_matches(window: str, possible: bool) -> Iterator[tuple[int, int, str]]:
    """(start, end, raw) of the numbers in a short window: valid ones, else possible ones."""
    found = False
    for region in PHONE_REGIONS:
        for m in PhoneNumberMatcher(window, region, leniency=Leniency.VALID):
            found = True
            yield m.start, m.end, ""
        if found:
            return
    if not possible:
        return
    for region in _PHONE_POSSIBLE_REGIONS:
        for m in PhoneNumberMatcher(window, region, leniency=Leniency.POSSIBLE):
            found = True
            yield m.start, m.end, m.raw_string
        if found:
            return


def _phones(text: str) -> Iterator[tuple[str, int, int]]:
    examined = 0
    for run in _PHONE_RUN.finditer(text):
        digits = sum(ch.isdigit() for ch in run.group())
        if (
            len(run.group()) > _PHONE_RUN_MAX
            or digits < 7
            or _DATE_SHAPED.fullmatch(run.group())
            or _DECIMAL.fullmatch(run.group())
        ):
            continue
        examined += 1
        if examined > _PHONE_MAX_RUNS:
            return
        offset = max(0, run.start() - 1)
        window = text[offset : run.end() + 1]
        possible = (
            run.group()[0] in "+(0"
            or _PHONE_CUE.search(text[max(0, run.start() - 20) : run.start()]) is not None
        )
        for rel_start, rel_end, raw in _phone_matches(window, possible):
            start, end = offset + rel_start, offset + rel_end
            if raw:  # merely possible: keep it only when it looks like a phone number
                digits = sum(ch.isdigit() for ch in raw)
                if digits < 7 or re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                    continue
                looks_like_phone = raw[0] in "+(" or (raw[0] == "0" and digits >= 9)
                if not looks_like_phone and not _PHONE_CUE.search(text[max(0, start - 20) : start]):
                    continue
            if text[start] == "(" and ")" not in text[start:end]:
                start += 1  # "(0800 1111)": the matcher keeps the opening bracket only
            yield "phone", start, end


# --------------------------------------------------------------------------- ignored spans

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

_DETECTORS = (_emails, _socials, _ips, _case_numbers, _dates, _addresses, _names, _phones)


# --------------------------------------------------------------------------- API


class _Spans:
    """Disjoint, sorted intervals with a logarithmic overlap test."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):  # merge overlapping input spans
            if self.ends and start < self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, start)
        if i > 0 and self.ends[i - 1] > start:
            return True
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def find_identifiers(text: str, field: str = "body") -> list[Finding]:
    """Possible identifiers in ``text``, in order of position, at most one per span."""
    if not text or not text.strip():
        return []
    ignored = _Spans((m.start(), m.end()) for pattern in _IGNORE for m in pattern.finditer(text))
    candidates: list[tuple[str, int, int]] = []
    for detector in _DETECTORS:
        for kind, start, end in detector(text):
            if end <= start:
                continue
            if kind not in _IGNORED_KINDS_EXEMPT and ignored.overlaps(start, end):
                continue
            candidates.append((kind, start, end))
    # Higher-priority kinds first, then longer matches, then earlier ones.
    candidates.sort(key=lambda c: (_PRIORITY[c[0]], c[1] - c[2], c[1]))
    kept: list[tuple[str, int, int]] = []
    taken = _Spans()
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
            excerpt=_excerpt(text, start, end),
        )
        for kind, start, end in kept
    ]


def check_fields(fields: Mapping[str, str | None]) -> list[Finding]:
    """Findings over several named fields (title, summary, body...), field by field."""
    findings: list[Finding] = []
    for name, value in fields.items():
        if value:
            findings.extend(find_identifiers(value, field=name))
    return findings


def identifier_warnings(values: Mapping[str, str | None], names: Iterable[str]) -> list[dict]:
    """The findings in the fields ``names`` of ``values``, as stored with an item."""
    return [
        {"kind": f.kind, "field": f.field, "excerpt": f.excerpt}
        for f in check_fields({name: values.get(name) or "" for name in names})
    ]
