"""Jinja globals and filters shared by every template."""

from datetime import UTC, datetime

from flask import Flask
from flask_login import current_user

from kx import taxonomy
from kx.forum.rules import RULES as FORUM_RULES
from kx.kinds import kind_of, url_of
from kx.records.rules import RULES as RECORD_RULES

#: every action a template may ask about -> predicate(target, user)
RULES = {**RECORD_RULES, **FORUM_RULES}


def format_date(moment: datetime | None, with_time: bool = False) -> str:
    if moment is None:
        return ""
    return moment.strftime("%-d %b %Y, %H:%M UTC" if with_time else "%-d %b %Y")


def machine_time(moment: datetime) -> str:
    """``moment`` (UTC, stored without a zone) for ``<time datetime>``: HTML allows at most
    three digits of a second's fraction."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def may(action: str, target=None) -> bool:
    """Whether the signed-in user (or the visitor) may do ``action`` to ``target``: the
    templates ask the same rules the services enforce."""
    return RULES[action](target, current_user._get_current_object())


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        vocabulary=taxonomy.vocabulary,
        label=taxonomy.label,
        may=may,
        url_of=url_of,
        kind_of=kind_of,
    )
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["machine_time"] = machine_time
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
