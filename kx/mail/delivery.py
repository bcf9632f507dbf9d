"""Sending the outbox: at least once, never twice at the same time, retried with backoff.

``deliver_due()`` is the one entry point: it claims due messages with a lease (a
conditional UPDATE that only one process can win), sends them outside any transaction and
records each outcome. A failed send keeps its row with a later ``next_attempt_at``; only
a recipient the server refuses for good (a 5xx answer) ends it as ``failed``. A process
that dies while sending leaves its claim to expire, and the message goes out again: a
receiver may then see it twice, never zero times. Before claiming, each ``Preparer``
turns the requests its package recorded into messages (a password reset, looked up only
here so that the request's answer does not depend on the address).

In the web process, a commit that queued mail starts a short-lived thread that drains the
outbox (the request never waits for SMTP), and every few seconds a request looks, with one
indexed query, for messages left waiting by a failure or a restart. ``flask --app kx mail
deliver`` does the same from cron or a worker.
"""

import logging
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail
from sqlalchemy import delete, exists, or_, select, update

from kx.database import transaction, utcnow
from kx.extensions import db
from kx.mail.models import FAILED, PENDING, SENT, OutboxMessage

log = logging.getLogger("kx.mail")
BATCH = 50
KEEP_SENT = timedelta(days=30)
mailman = Mail()


@dataclass(frozen=True)
class Preparer:
    """Another package's requests that become messages only after the request that records
    them has answered (a password reset: whether an account has the address is looked up
    here, not while the asker waits)."""

    #: whether a recorded request waits (one indexed query)
    waiting: Callable[[], bool]
    #: turn what waits into outbox messages, each in a transaction of its own
    prepare: Callable[[], object]


PREPARERS: list[Preparer] = []


@dataclass
class DeliveryState:
    """One per app and process: whether a drain thread runs and when requests last looked."""

    running: threading.Lock = field(default_factory=threading.Lock)
    again: threading.Event = field(default_factory=threading.Event)
    last_poll: float = 0.0


def _due(now):
    return (
        OutboxMessage.status == PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def anything_due() -> bool:
    """Whether a message waits to be sent now (one indexed query), or a request to become one."""
    if db.session.scalar(select(exists().where(*_due(utcnow())))):
        return True
    return any(preparer.waiting() for preparer in PREPARERS)


def pending_count() -> int:
    return db.session.scalar(
        select(db.func.count(OutboxMessage.id)).where(OutboxMessage.status == PENDING)
    )


def _claim(message_id: int) -> bool:
    """Take ``message_id`` for one lease; False when another sender holds or sent it."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    with transaction():
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, *_due(now))
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def _email(row: OutboxMessage, connection) -> EmailMultiAlternatives:
    headers = {
        **row.headers,
        "Message-ID": row.message_id,  # the same on every attempt, so receivers can dedupe
        "Date": format_datetime(row.created_at.replace(tzinfo=UTC), usegmt=True),
        "Auto-Submitted": "auto-generated",
    }
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=current_app.config["MAIL_FROM"],
        to=[row.recipient],
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _permanent(exc: Exception) -> bool:
    """The server refused the recipient for good: retrying cannot help."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _text in exc.recipients.values()
    )


def _record(message_id: int, exc: Exception | None) -> None:
    now = utcnow()
    with transaction():
        row = db.session.get(OutboxMessage, message_id)
        row.claimed_until = None
        if exc is None:
            row.status, row.sent_at, row.last_error = SENT, now, ""
            row.body_text, row.body_html = "", None
            return
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if _permanent(exc):
            row.status = FAILED
            log.error("mail %s to %s refused for good: %s", row.id, row.recipient, exc)
            return
        config = current_app.config
        wait = min(
            config["MAIL_RETRY_SECONDS"] * 2 ** (row.attempts - 1),
            config["MAIL_RETRY_MAX_SECONDS"],
        )
        row.next_attempt_at = now + timedelta(seconds=wait)
        log.warning(
            "mail %s to %s not sent (attempt %d, next in %ds): %s",
            row.id,
            row.recipient,
            row.attempts,
            wait,
            row.last_error,
        )


def deliver_due(limit: int = BATCH) -> int:
    """Send up to ``limit`` due messages over one connection; returns how many went out."""
    for preparer in PREPARERS:
        try:
            preparer.prepare()
        except Exception:  # what is queued already still goes out
            log.exception("preparing mail failed")
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(*_due(utcnow()))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed = [message_id for message_id in candidates if _claim(message_id)]
    if not claimed:
        return 0
    try:
        connection = mailman.get_connection()
        connection.open()
    except Exception as exc:  # the server is unreachable: every claimed message waits
        for message_id in claimed:
            _record(message_id, exc)
        return 0
    sent = 0
    try:
        for message_id in claimed:
            row = db.session.get(OutboxMessage, message_id)
            try:
                connection.send_messages([_email(row, connection)])
            except Exception as exc:
                _record(message_id, exc)
            else:
                _record(message_id, None)
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # the messages are sent or recorded; a failed QUIT changes nothing
            log.debug("closing the mail connection failed", exc_info=True)
    with transaction():
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == SENT, OutboxMessage.sent_at < utcnow() - KEEP_SENT
            )
        )
    return sent


def drain() -> datetime | None:
    """Send every message due now, batch after batch; returns when the earliest of those
    that could not go out yet is due again (None: each went out or failed for good)."""
    tried = db.session.scalars(select(OutboxMessage.id).where(*_due(utcnow()))).all()
    while deliver_due() == BATCH:
        pass
    if not tried:
        return None
    return db.session.scalar(
        select(db.func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.id.in_(tried), OutboxMessage.status == PENDING
        )
    )


def deliver_soon(app: Flask) -> None:
    """Drain the outbox in a thread of this process, unless one is draining already."""
    state: DeliveryState = app.extensions["kx-mail"]
    state.again.set()
    if state.running.acquire(blocking=False):
        # not a daemon: a command or a worker that exits lets the messages in hand go out first
        threading.Thread(target=_drain, args=(app, state), name="kx-mail").start()


def _drain(app: Flask, state: DeliveryState) -> None:
    while True:
        state.again.clear()
        try:
            with app.app_context():
                while deliver_due() == BATCH:
                    pass
        except Exception:
            app.logger.exception("mail delivery failed")
        finally:
            state.running.release()
        # a commit that queued mail while this thread was finishing must not wait for a poll
        if not (state.again.is_set() and state.running.acquire(blocking=False)):
            return


def poll(app: Flask) -> None:
    """After a request, at most every ``MAIL_POLL_SECONDS``: start a drain when mail waits."""
    state: DeliveryState = app.extensions["kx-mail"]
    now = time.monotonic()
    if now - state.last_poll < app.config["MAIL_POLL_SECONDS"] or state.running.locked():
        return
    state.last_poll = now
    try:
        due = anything_due()
    except Exception:  # a request that broke its session still answers
        app.logger.exception("could not look for waiting mail")
        return
    if due:
        deliver_soon(app)
