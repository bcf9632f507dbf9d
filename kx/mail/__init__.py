"""Mail: ``queue_mail`` in the transaction of a change, ``deliver_due`` after its commit.

Other packages queue through ``queue_mail`` and build links with ``absolute_url``; how
messages travel (an SMTP server from ``KX_MAIL_URL``, or ``.eml`` files) is this package's
business alone.
"""

from flask import Flask

from kx.mail.delivery import PREPARERS, Preparer, deliver_due
from kx.mail.outbox import absolute_url, forget, queue_mail, send_after_commit

__all__ = [
    "PREPARERS",
    "Preparer",
    "absolute_url",
    "configure",
    "deliver_due",
    "forget",
    "init_app",
    "queue_mail",
    "send_after_commit",
]


def configure(app: Flask) -> None:
    """Set up the transport from ``MAIL_URL`` (``KX_MAIL_URL``); raises ``MailUrlError``
    (a ``RuntimeError`` naming the variable) when it is malformed."""
    from kx.mail import delivery
    from kx.mail.settings import mailman_settings

    config = app.config
    config.update(mailman_settings(config["MAIL_URL"], config["MAIL_DIR"], config["MAIL_FROM"]))
    delivery.mailman.init_app(app)


def init_app(app: Flask) -> None:
    """Configure the transport, send after commits and look for waiting mail after requests
    (unless a worker sends it: ``KX_JOBS``, whose worker looks for waiting mail itself)."""
    from kx.mail import delivery
    from kx.mail.cli import mail_cli

    configure(app)
    app.extensions["kx-mail"] = delivery.DeliveryState()

    if app.config["JOBS"] == "inline":

        @app.after_request
        def _send_waiting_mail(response):
            delivery.poll(app)
            return response

    app.cli.add_command(mail_cli)
