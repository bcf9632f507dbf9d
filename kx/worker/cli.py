"""``flask --app kx worker``: run the background jobs until stopped."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from kx.background import QUEUE
from kx.config import unreachable_database


@click.command("worker")
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    help="Jobs run at once (two jobs of one kind never run at the same time).",
)
@with_appcontext
def worker_command(concurrency):
    """Send mail, apply and merge the search index and send the digests on their
    schedule (KX_JOBS=postgres); stops after the running jobs on SIGINT or SIGTERM."""
    queue = current_app.extensions.get(QUEUE)
    if queue is None:
        raise click.ClickException(
            "KX_JOBS is not postgres: background work runs inside the process that starts "
            "it and needs no worker. Set KX_JOBS=postgres (with a PostgreSQL "
            "KX_DATABASE_URL) to run it here instead."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        installed = queue.installed()
    except Exception as exc:
        queue.close()
        raise click.ClickException(unreachable_database(exc.__cause__ or exc)) from exc
    if not installed:
        queue.close()
        raise click.ClickException(
            "The job tables are missing from the database KX_DATABASE_URL names: "
            "run flask --app kx db upgrade first."
        )
    click.echo(f"kx worker: running up to {concurrency} jobs at once (Ctrl-C stops it)")
    queue.run_worker(concurrency)
