"""Queueing a message: rendered from templates now, stored in the outbox in the caller's
transaction, sent once that transaction commits (``kx.mail.delivery``)."""

from email.utils import make_msgid
from urllib.parse import urlsplit

import bleach
from flask import current_app, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import delete

from kx.background import start_after_commit
from kx.database import in_write_transaction
from kx.extensions import db
from kx.mail import delivery
from kx.mail.models import OutboxMessage

#: the background job that sends the outbox (``kx.background``)
DELIVER = "mail.deliver"

# What an HTML part may hold: text structure and links, nothing that runs or loads.
_HTML_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "hr", "i", "li", "ol",
    "p", "pre", "small", "strong", "ul",
}  # fmt: skip
_HTML_ATTRIBUTES = {"a": ["href", "title"]}


def absolute_url(endpoint: str, **values) -> str:
    """The address of ``endpoint`` on the public site: ``KX_BASE_URL`` and the route's path,
    never the Host a request came in with (nor a request at all: the CLI sends mail too)."""
    adapter = current_app.url_map.bind("base-url.invalid")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def sanitise_html(html: str) -> str:
    """``html`` reduced to text structure and http(s)/mailto links."""
    return bleach.clean(
        html,
        tags=_HTML_TAGS,
        attributes=_HTML_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        strip=True,
        strip_comments=True,
    )


def _render(template: str, context: dict) -> tuple[str, str | None]:
    text = render_template(f"mail/{template}.txt", **context)
    try:
        html = render_template(f"mail/{template}.html", **context)
    except TemplateNotFound:
        return text, None
    return text, sanitise_html(html)


def queue_mail(
    user,
    template: str,
    subject: str,
    *,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    **values,
) -> OutboxMessage:
    """Queue ``templates/mail/<template>.txt`` (with ``<template>.html`` as its HTML part
    when that exists), rendered with ``values``, for ``user``: to ``to`` or the account's
    address, with extra ``headers`` (``List-Unsubscribe``, say). Call it inside the
    ``transaction()`` that makes the change the message is about: a rollback sends nothing."""
    if not in_write_transaction():
        raise RuntimeError("queue_mail() needs the transaction() of the change it reports.")
    site = current_app.config["SITE_NAME"]
    context = {"site_name": site, "base_url": current_app.config["BASE_URL"], **values}
    text, html = _render(template, {**context, "user": user})
    domain = urlsplit(current_app.config["BASE_URL"]).hostname
    message = OutboxMessage(
        user_id=getattr(user, "id", None),
        kind=template,
        recipient=to or user.email,
        subject=f"[{site}] {subject}"[:300],
        body_text=text,
        body_html=html,
        headers=dict(headers or {}),
        message_id=make_msgid(domain=domain),
    )
    db.session.add(message)
    db.session.flush()
    send_after_commit()
    return message


def send_after_commit() -> None:
    """Start sending (and preparing) mail once the surrounding ``transaction()`` commits."""
    app = current_app._get_current_object()
    start_after_commit(DELIVER, lambda: delivery.deliver_soon(app))


def forget(user) -> None:
    """Drop the messages still waiting for ``user`` and what is kept of those sent (inside
    the transaction that erases the account)."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
