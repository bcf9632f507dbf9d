"""``flask --app kx mail ...``"""

import time
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import AppGroup

from kx.database import transaction
from kx.extensions import db
from kx.mail import delivery
from kx.mail.models import SENT, OutboxMessage
from kx.mail.outbox import queue_mail

mail_cli = AppGroup("mail", help="Send the mail that waits in the outbox.")


@mail_cli.command("deliver")
def deliver():
    """Send every message that is due now (for cron, or after an SMTP outage)."""
    sent = 0
    while True:
        batch = delivery.deliver_due()
        sent += batch
        if batch < delivery.BATCH:
            break
    waiting = delivery.pending_count()
    click.echo(f"Sent {sent} message(s); {waiting} waiting for a later attempt.")


@mail_cli.command("test")
@click.argument("address")
def send_test(address):
    """Send a test message to ADDRESS now and say whether the server took it."""
    with transaction():
        message_id = queue_mail(SimpleNamespace(id=None, email=address), "test", "Test").id
    delivery.deliver_due()  # the commit's own sender may have taken it: wait for either
    deadline = time.monotonic() + current_app.config["MAIL_TIMEOUT"] + 10
    while time.monotonic() < deadline:
        db.session.rollback()  # read the row afresh
        row = db.session.get(OutboxMessage, message_id)
        if row.status == SENT:
            click.echo(f"Sent a test message to {address}.")
            return
        if row.attempts:
            break
        time.sleep(0.2)
    click.echo(f"Not sent ({row.last_error or 'no answer yet'}); it waits in the outbox.", err=True)
    raise SystemExit(1)
