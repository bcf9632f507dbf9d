"""What each job does, inside an app context of the worker. The outbox rows and the
database stay the truth: a job only starts work that they describe, and retries it."""

from datetime import datetime

from flask import current_app

from kx.digests import services as digests
from kx.mail import delivery
from kx.mail.outbox import DELIVER
from kx.search import indexing


class MailWaits(Exception):
    """Mail this run tried could not go out yet; the outbox says to try again ``at``."""

    def __init__(self, at: datetime):
        super().__init__(f"mail waits for its next attempt at {at:%Y-%m-%d %H:%M:%S} UTC")
        self.at = at


class IndexWaits(Exception):
    """The search index was busy: outbox rows wait for the job's retry."""


def deliver_mail() -> None:
    again = delivery.drain()
    if again is not None:
        raise MailWaits(again)


def _whoosh() -> bool:
    return current_app.config["SEARCH_BACKEND"] == "whoosh"


def apply_search_outbox() -> None:
    if _whoosh() and not indexing.apply_outbox() and indexing.pending():
        raise IndexWaits


def merge_search_segments() -> None:
    if _whoosh():
        indexing.backend().merge()


def optimise_search_index() -> None:
    """Rebuild the index whole: one segment, as a fresh ``search reindex`` leaves it."""
    if _whoosh():
        indexing.reindex()


def send_digests(period: str) -> None:
    themes, summaries = digests.send_period(period)
    current_app.logger.info(
        "queued %d %s theme digest(s) and %d summary(ies)", themes, period, summaries
    )


def left_waiting() -> list[str]:
    """The jobs to start for work nobody is doing: a kick lost between a commit and the
    queue, mail whose retry or lease has come due, outbox rows a busy index left."""
    jobs = []
    if delivery.anything_due():
        jobs.append(DELIVER)
    if _whoosh() and indexing.pending():
        jobs.append(indexing.APPLY)
    return jobs
