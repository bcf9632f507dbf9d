"""``flask --app kx digests send --period daily|weekly``"""

import click
from flask.cli import AppGroup

from kx.digests import services
from kx.notifications.catalogue import DAILY, WEEKLY

digests_cli = AppGroup("digests", help="Send theme digests and notification summaries.")


@digests_cli.command("send")
@click.option("--period", type=click.Choice([DAILY, WEEKLY]), required=True)
def send(period):
    """Send the daily or weekly mail that is due (for cron: running it twice sends
    nothing twice)."""
    themes, summaries = services.send_period(period)
    click.echo(f"Queued {themes} theme digest(s) and {summaries} notification summary(ies).")
