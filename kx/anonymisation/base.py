"""What every detector shares: the kinds, a finding, excerpts and span bookkeeping."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Kinds in priority order: where two findings overlap, the earlier kind wins.
KINDS: tuple[str, ...] = (
    "email",
    "social",
    "ip",
    "case-number",
    "date-of-birth",
    "date",
    "id-number",
    "vehicle",
    "address",
    "institution",
    "name",
    "person",
    "phone",
    "combination",
)

KIND_LABELS: dict[str, str] = {
    "email": "E-mail address",
    "phone": "Phone number",
    "date-of-birth": "Date of birth",
    "date": "Full date",
    "address": "Street address or postcode",
    "name": "Name with a title or rank",
    "person": "Name without a title",
    "case-number": "Case or reference number",
    "ip": "IP address",
    "social": "Social-media profile or handle",
    "id-number": "Passport, national insurance, citizen or tax number",
    "vehicle": "Vehicle registration",
    "institution": "Named school, club, parish or small employer",
    "combination": "Details that together may identify someone",
}

CONTEXT = 30  # characters of context either side of a match in the excerpt

PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


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

UPPER = "A-ZÀ-ÖØ-Þ"
LOWER = "a-zß-öø-ÿ"
# A sentence ends at . ! ? ; before a space, but not after a single letter ("d.o.b. ").
SENTENCE_BREAK = re.compile(r"(?<!\b[a-zA-Z])[.!?;]\s|\n")


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``."""
    return frozenset(text.split())


def span_before(text: str, start: int, width: int) -> str:
    """The text just before ``start``, cut at the last sentence break."""
    window = text[max(0, start - width) : start]
    breaks = list(SENTENCE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def excerpt(text: str, start: int, end: int) -> str:
    """One line of ``text`` around the span, with ``CONTEXT`` characters either side."""
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


class Spans:
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
