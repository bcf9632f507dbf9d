"""Jinja globals and filters shared by every template."""

from datetime import datetime

from flask import Flask

from kx import taxonomy


def format_date(moment: datetime | None, with_time: bool = False) -> str:
    if moment is None:
        return ""
    return moment.strftime("%-d %b %Y, %H:%M UTC" if with_time else "%-d %b %Y")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(vocabulary=taxonomy.vocabulary, label=taxonomy.label)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
