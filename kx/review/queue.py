"""The review queue's entries, for the HTML queue and ``GET /api/v1/review``: new
submissions and edits of published items, each with what a moderator must weigh (the
changes against the published version, identifier warnings, summaries sharing a DOI)."""

import re

from kx.extensions import db
from kx.kinds import REVIEWED
from kx.records import services as records
from kx.records.models import can_view, text_diff

FIELD_LABELS = {
    "title": "Title",
    "summary": "Summary",
    "body": "What was done",
    "outcomes": "Outcomes",
    "implementation": "Implementation",
    "challenges": "Challenges",
    "domains": "Domains",
    "countries": "Countries",
    "organisation": "Organisation",
    "prevention_level": "Prevention level",
    "stages": "Offending-timeline stages",
    "target_population": "Target population",
    "evaluation_status": "Evaluation",
    "start_year": "Year it started",
    "end_year": "Year it ended",
    "visibility": "Visibility",
    "restricted_sectors": "Restricted to sectors",
    "authors": "Authors",
    "year": "Year",
    "venue": "Venue",
    "volume": "Volume",
    "issue": "Issue",
    "pages": "Pages",
    "entry_type": "Kind of publication",
    "doi": "DOI",
    "url": "Web address",
    "study_design": "Study design",
    "sample_size": "Sample size",
    "key_findings": "Key findings",
    "implications": "Implications for practice",
    "limitations": "Limitations",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


_HUNK_START = re.compile(r"@@ -(\d+)")


def diff_lines(old, new) -> list[tuple[str, str, str]]:
    """``(css class, marker, text)`` per line of the diff, without the header lines."""
    lines = []
    for line in text_diff(old, new):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines or _HUNK_START.match(line).group(1) not in ("0", "1"):
                lines.append(("diff-hunk", " ", "…"))  # unchanged lines left out
        elif line.startswith("+"):
            lines.append(("diff-add", "+", line[1:]))
        elif line.startswith("-"):
            lines.append(("diff-del", "-", line[1:]))
        else:
            lines.append(("diff-same", " ", line[1:]))
    return lines


def review_entries(moderator, kinds=tuple(REVIEWED)) -> list[dict]:
    """Pending submissions and pending edits of ``kinds``, longest waiting first.

    Each entry: ``kind``, ``item`` (as published, for an edit), ``edit`` (the pending
    revision or None), ``changes`` (per changed field: name, label, before, after, diff
    lines), ``identifier_warnings``, ``clashes`` (other summaries with its DOI),
    ``duplicate_of`` (the first of them its author may see, to name in a rejection) and
    ``waiting_since``.
    """
    entries = []
    for kind in kinds:
        for item in db.session.scalars(REVIEWED[kind].query(moderator, {"status": "pending"})):
            entries.append(_entry(kind, item, None))
        for edit in records.pending_edits(kind):
            item = db.session.get(REVIEWED[kind].model, edit.item_id)
            if item is not None and item.is_published:
                entries.append(_entry(kind, item, edit))
    return sorted(entries, key=lambda entry: (entry["waiting_since"], entry["item"].id))


def review_entry(kind: str, item) -> dict | None:
    """The queue's entry for ``item`` (a submission, or a published item with an edit
    waiting), or None when nothing of it waits for review."""
    if item.status == "pending":
        return _entry(kind, item, None)
    edit = records.pending_edit(item) if item.is_published else None
    return _entry(kind, item, edit) if edit is not None else None


def _entry(kind: str, item, edit) -> dict:
    proposed = edit.proposed_changes() if edit is not None else {}
    current = item.snapshot()
    changes = [
        {
            "name": name,
            "label": field_label(name),
            "before": current.get(name),
            "after": value,
            "lines": diff_lines(current.get(name), value),
        }
        for name, value in proposed.items()
    ]
    clashes = REVIEWED[kind].clashes(item, proposed) if REVIEWED[kind].clashes else []
    return {
        "kind": kind,
        "item": item,
        "edit": edit,
        "changes": changes,
        "identifier_warnings": list(
            (edit.identifier_warnings if edit is not None else item.identifier_warnings) or []
        ),
        "clashes": clashes,
        # a rejection's reason must not name a summary the author may not see
        "duplicate_of": next((other for other in clashes if can_view(other, item.author)), None),
        "waiting_since": edit.created_at
        if edit is not None
        else item.submitted_at or item.created_at,
    }
