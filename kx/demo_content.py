"""Demo content for ``flask --app kx demo load``: reads the data files in ``kx/demo_data/``
(practice examples, research summaries, evidence links and forum threads; their format,
and the rules the content keeps, are in ``kx/demo_data/README.md``) and loads them.

Loading goes through the services, as a member would: authors save and submit, the demo
moderator approves, a verified member links evidence with its findings. Loading twice
changes nothing: an item whose title already exists is skipped, and so is a link that
already exists.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from kx import taxonomy
from kx.accounts import services as accounts
from kx.database import batched_after_commit
from kx.evidence.models import EvidenceLink, Finding
from kx.evidence.services import link_evidence
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.records.services import review
from kx.research.citations import normalise_author
from kx.research.models import Research
from kx.research.services import save_research

DATA_DIR = Path(__file__).with_name("demo_data")
MODERATOR = "moderator@example.org"
PUBLIC_CATEGORY = "cross-disciplinary"
STATES = ("draft", "pending", "published")
_FILE_NAME = re.compile(r"(\d+)-([a-z0-9-]+)\.toml")
# a finding's fields as the evidence services take them, and where in the paper it is from
FINDING_KEYS = (*Finding.FIELDS, "source")
# vocabulary of each field a demo file may hold beyond the original forms
_SLUG_FIELDS = {
    "risk_of_bias": "risks_of_bias",
    **{f"{section}_strength": "evidence_strengths" for section in Practice.emmie_sections},
}


class DemoDataError(ValueError):
    """A demo data file that cannot be used; the message starts with the file's path."""


class DemoContent(NamedTuple):
    """The demo data, each kind in loading order."""

    practices: list[dict]
    research: list[dict]
    links: list[dict]
    threads: list[dict]


def _trimmed(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {name: _trimmed(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_trimmed(item) for item in value]
    return value


def _read(path: Path, required: tuple[str, ...]) -> dict:
    """The file's table, trimmed, once it parses and has every ``required`` key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise DemoDataError(f"{path}: {error}") from error
    missing = [name for name in required if name not in data]
    if missing:
        raise DemoDataError(f"{path}: missing {', '.join(missing)}")
    return _trimmed(data)


def _folder(folder: Path, required: tuple[str, ...]) -> list[tuple[str, Path, dict]]:
    """(key, path, table) of each ``NN-key.toml`` in ``folder``, in ``NN`` order."""
    files = []
    for path in folder.iterdir():
        if path.suffix != ".toml":
            continue
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise DemoDataError(f"{path}: the name is not NN-key.toml")
        files.append((int(match[1]), match[2], path))
    files.sort()
    return [(key, path, _read(path, required)) for _order, key, path in files]


def _records(folder: Path, *extra: str) -> list[dict]:
    """Practice or research entries: the author, the state to leave it in, the form fields."""
    entries = []
    for key, path, data in _folder(folder, ("author", "state", "title", *extra)):
        entry = {"key": key, "author": data.pop("author"), "state": data.pop("state")}
        if entry["state"] not in STATES:
            raise DemoDataError(f"{path}: state {entry['state']!r} is not one of {STATES}")
        entry |= {name: data.pop(name) for name in extra}
        for name, vocabulary in _SLUG_FIELDS.items():
            if name in data and data[name] not in taxonomy.vocabulary(vocabulary):
                raise DemoDataError(f"{path}: {name} {data[name]!r} is not a {vocabulary} slug")
        if "risk_of_bias" in data:
            # the judgement stays with its grounds in the data file, not in the summary
            if not data.get("risk_of_bias_source"):
                raise DemoDataError(f"{path}: risk_of_bias needs a risk_of_bias_source")
            entry["risk_of_bias_source"] = data.pop("risk_of_bias_source")
        entries.append(entry | {"fields": data})
    return entries


def _check_findings(path: Path, where: str, findings: list) -> None:
    """Refuse a finding with an unknown slug or key, or without its ``source``."""
    checks = (
        ("outcome", taxonomy.OUTCOMES),
        ("direction", taxonomy.FINDING_DIRECTIONS),
        ("effect_measure", taxonomy.EFFECT_MEASURES),
    )
    for number, finding in enumerate(findings, 1):
        here = f"{path}: {where} finding {number}"
        unknown = set(finding) - set(FINDING_KEYS)
        if not isinstance(finding.get("source"), str) or not finding["source"]:
            raise DemoDataError(f"{here} has no source (where in the paper it comes from)")
        if unknown:
            raise DemoDataError(f"{here} has unknown {', '.join(sorted(unknown))}")
        for name, vocabulary in checks:
            required = name != "effect_measure"
            if (required or name in finding) and finding.get(name) not in vocabulary:
                raise DemoDataError(f"{here}: {name} {finding.get(name)!r} is not a known slug")


def _check_keys(path: Path, where: str, named: list[tuple[str, str]], known: dict) -> None:
    for kind, key in named:
        if key not in known.get(kind, ()):
            raise DemoDataError(f"{path}: {where} names no demo {kind} {key!r}")


def read_content(folder: Path = DATA_DIR) -> DemoContent:
    """Every demo data file in ``folder``, checked; a bad file raises ``DemoDataError``."""
    practices = _records(folder / "practices")
    research = _records(folder / "research", "citation_check")
    known = {
        "practice": {e["key"] for e in practices},
        "research": {e["key"] for e in research},
    }
    path = folder / "links.toml"
    links = _read(path, ("links",))["links"]
    for number, link in enumerate(links, 1):
        missing = {"research", "practice", "relation", "by", "note"} - set(link)
        if missing:
            raise DemoDataError(f"{path}: link {number} is missing {', '.join(sorted(missing))}")
        named = [("research", link["research"]), ("practice", link["practice"])]
        where = f"link {number} ({link['research']} -> {link['practice']})"
        _check_keys(path, where, named, known)
        _check_findings(path, where, link.setdefault("findings", []))
    threads = []
    required = ("category", "kind", "author", "title", "body", "posts")
    for key, path, data in _folder(folder / "threads", required):
        data["links"] = [tuple(link) for link in data.get("links", [])]
        if any(len(link) != 2 for link in data["links"]):
            raise DemoDataError(f"{path}: links are [kind, key] pairs")
        _check_keys(path, "links", data["links"], known)
        threads.append({"key": key, **data})
    return DemoContent(practices, research, links, threads)


DEMO_PRACTICES, DEMO_RESEARCH, DEMO_LINKS, DEMO_THREADS = read_content()


# ---------------------------------------------------------------------------------------
# Loading


def _user(email: str):
    user = accounts.find_user_by_email(email)
    if user is None:  # load_users() runs first; this only guards against misuse
        raise RuntimeError(f"demo account {email} is missing: load the demo users first")
    return user


def _existing(model, title: str):
    return db.session.scalar(select(model).where(model.title == title).limit(1))


def _create(save, model, entry: dict, moderator):
    """Save ``entry`` as its author, then leave it in its ``state`` (draft/pending/published);
    an item that already has its title is left as it is."""
    item = _existing(model, entry["fields"]["title"])
    if item is not None:
        return item
    author = _user(entry["author"])
    data = dict(entry["fields"])
    if model is Research:
        if not data.get("doi"):
            data.pop("doi", None)
        # written "Given Family" for readability; stored "Family, Given" like imports
        data["authors"] = [normalise_author(name) for name in data.get("authors", [])]
    submit = entry["state"] != "draft"
    data["submit"] = submit
    if model is Practice and submit:
        data["anonymised_confirmed"] = True
    item = save(author, data)
    if entry["state"] == "published" and item.status == "pending":
        review(item, moderator, "approve")
    return item


def _finding(finding: dict) -> dict:
    """A demo finding as the evidence services take it: its source ends its note."""
    data = {name: value for name, value in finding.items() if name != "source"}
    data["note"] = " ".join(filter(None, (data.get("note", ""), f"Source: {finding['source']}")))
    return data


def load_content() -> dict[str, int]:
    """Create the demo practices, research summaries and links that do not exist yet.

    Returns how many of each demo kind exist afterwards (the same on every run).

    Every save commits on its own, and each commit's after-commit work (indexing it for
    search, about half a second a time with Whoosh) is held back to run once at the end:
    the search outbox records every change in the meantime.
    """
    moderator = _user(MODERATOR)
    with batched_after_commit():
        practices, research = {}, {}
        for entries, save, model, found in (
            (DEMO_PRACTICES, save_practice, Practice, practices),
            (DEMO_RESEARCH, save_research, Research, research),
        ):
            for entry in entries:
                found[entry["key"]] = _create(save, model, entry, moderator)
        links = 0
        for link in DEMO_LINKS:
            study, practice = research[link["research"]], practices[link["practice"]]
            exists = db.session.scalar(
                select(EvidenceLink.id).where(
                    EvidenceLink.research_id == study.id,
                    EvidenceLink.practice_id == practice.id,
                )
            )
            if exists is None and study.is_published and practice.is_published:
                findings = [_finding(finding) for finding in link["findings"]]
                link_evidence(
                    _user(link["by"]), practice, study, link["relation"], link["note"], findings
                )
                exists = True
            links += exists is not None
        forum = load_forum()
    return {
        "practices": len(practices),
        "research": len(research),
        "links": links,
        "threads": forum["threads"],
    }


def load_forum() -> dict[str, int]:
    """Make the cross-disciplinary category public (as the demo moderator) and write the
    demo threads that do not exist yet (by title), with their replies, quotes, votes and
    status changes, through the forum services as the members would.

    Returns ``threads``: how many demo threads exist afterwards (the same on every run),
    and ``created``: how many this run wrote.
    """
    from kx.forum import services as forum
    from kx.forum.models import Thread

    moderator = _user(MODERATOR)
    if forum.category_visibilities()[PUBLIC_CATEGORY] != "public":
        forum.set_category_visibility(moderator, PUBLIC_CATEGORY, "public")
    models = {"practice": (Practice, DEMO_PRACTICES), "research": (Research, DEMO_RESEARCH)}

    def linked(kind: str, key: str) -> dict:
        model, entries = models[kind]
        title = next(e for e in entries if e["key"] == key)["fields"]["title"]
        item = _existing(model, title)
        if item is None or not item.is_published:  # only published demo items are linked
            raise RuntimeError(f"demo {kind} {key!r} is not published: load the content first")
        return {"type": kind, "id": item.id}

    threads = created = 0
    for entry in DEMO_THREADS:
        threads += 1
        if _existing(Thread, entry["title"]) is not None:
            continue
        thread = forum.create_thread(
            _user(entry["author"]),
            category=entry["category"],
            kind=entry["kind"],
            title=entry["title"],
            body=entry["body"],
            links=[linked(kind, key) for kind, key in entry.get("links", [])],
        )
        created += 1
        for email in entry.get("votes", []):
            forum.vote(_user(email), thread)
        for post in entry.get("posts", []):
            if "status" in post:
                forum.set_need_status(_user(post["author"]), thread, post["status"])
                continue
            quote = thread.posts[post["quote"]] if "quote" in post else None
            forum.reply(_user(post["author"]), thread, post["body"], quote_of=quote)
    return {"threads": threads, "created": created}
