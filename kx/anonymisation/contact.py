"""E-mail addresses, social-media profiles and handles, IP addresses and phone numbers."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from phonenumbers import Leniency, PhoneNumberMatcher

from .base import span_before

#: Regions whose national formats are tried (numbers with a leading + work everywhere).
PHONE_REGIONS: tuple[str, ...] = ("GB", "US", "NL", "DE", "IE", "AU", "FR", "BE", "NZ")
_PHONE_POSSIBLE_REGIONS: tuple[str, ...] = ("GB", "US", "DE")


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


def emails(text: str) -> Iterator[tuple[str, int, int]]:
    """Addresses, also spelled out with [at] and [dot]."""
    for pattern in (_EMAIL, _EMAIL_OBFUSCATED, _EMAIL_SPELLED):
        for m in pattern.finditer(text):
            yield "email", m.start(), m.end()


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
    r"\b(?:user\s?name|screen\s?name|display\s+name|profile\s+name|gamer\s?tag|nickname|"
    r"account\s+name|(?:snapchat|kik|discord|telegram|instagram|tiktok|skype|wickr|"
    r"whatsapp|roblox|steam|twitter|facebook)\s+(?:name|handle|account|id|user\s?name)|"
    r"(?:benutzer|nutzer|spitz|gebruikers|scherm|spelers|account)name?n?)"
    r"(?:\s+(?:on|op|auf|bei|in)\s+[\w.]+)?(?:\s+(?:is|was|war|ist|lautete?|luidde|luidt))?"
    r"(?:\s*[:=]\s*[\"'\u201c\u2018\u201e]?|\s+[\"'\u201c\u2018\u201e]|\s+)"
    r"(?P<a>[\w#-](?:[\w#-]|\.(?=\w)){2,31})(?![\w#-])",
    re.IGNORECASE,
)
_PLATFORM_CUE = re.compile(
    r"\b(?:handle|snapchat|kik|discord|telegram|instagram|tiktok|skype|wickr|whatsapp|"
    r"roblox|steam|twitter|facebook|reddit|xbox|psn|minecraft|fortnite)"
    r"(?:\s+(?:name|handle|account|id|user\s?name|user|profile))?"
    r"(?:\s+(?:is|was|as|called|named))?\s*[:=]?\s*[\"'\u201c\u2018]?(?P<a>" + _HANDLE_LIKE + ")",
    re.IGNORECASE,
)
# "went by the name darkrider_07", "nannte sich Kuschelbaer2009": only handle-like tokens.
_ALIAS_CUE = re.compile(
    r"\b(?:(?:went|goes|going)\s+by(?:\s+the\s+name)?|call(?:ed|ing|s)\s+(?:him|her|them)self|"
    r"nannte\s+sich(?:\s+im\s+\w+)?|nennt\s+sich(?:\s+im\s+\w+)?|"
    r"noemde\s+(?:zich|hij\s+zich|zij\s+zich)(?:zelf)?|"
    r"(?:online|chat|game)\s+(?:name|alias)|alias)"
    r"\s*[:=]?\s*[\"'\u201c\u2018\u201e]?(?P<a>" + _HANDLE_LIKE + ")",
    re.IGNORECASE,
)
_REDDIT_USER = re.compile(r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}(?![\w-])")


def socials(text: str) -> Iterator[tuple[str, int, int]]:
    """Profile links, @handles, u/names and names after a username cue."""
    for m in _SOCIAL_URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in ".,;:!?":
            end -= 1
        yield "social", m.start(), end
    for m in _REDDIT_USER.finditer(text):
        yield "social", m.start(), m.end()
    for m in _HANDLE.finditer(text):
        yield "social", m.start(), m.end()
    for pattern in (_USERNAME_CUE, _PLATFORM_CUE, _ALIAS_CUE):
        for m in pattern.finditer(text):
            yield "social", m.start("a"), m.end("a")


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_IP_CUE = re.compile(r"\bIP\b|\baddress\b", re.IGNORECASE)
_SECTION_CUE = re.compile(
    r"\b(?:section|sections|s|ss|§|para|paragraph|chapter|clause|article|art|table|figure|"
    r"fig|appendix|version|v|release|step|item|rule|standard|ISO|IEC)\.?\s*$",
    re.IGNORECASE,
)


def ips(text: str) -> Iterator[tuple[str, int, int]]:
    """IPv4 and IPv6 addresses, not section or version numbers."""
    for m in _IPV4.finditer(text):
        before = span_before(text, m.start(), 20)
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


def phones(text: str) -> Iterator[tuple[str, int, int]]:
    """Numbers libphonenumber accepts, in runs of phone-number characters."""
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
