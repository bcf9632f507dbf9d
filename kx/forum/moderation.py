"""Reports and the moderators' work on posts and threads; the only code here that commits.

Every moderator's action is audited. Who may do what is written in kx.forum.rules.
"""

from datetime import timedelta

from sqlalchemy import func, select

from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.forum.models import CATEGORIES, REPORT_REASONS, Post, Report, Thread
from kx.forum.rules import can_moderate
from kx.forum.services import require_member
from kx.notifications import services as notifications

ILLEGAL = "illegal-material"
# One member's illegal-material reports hide at most this many posts a day before a
# moderator confirms any: enough for someone who meets a real wave of abuse material (and
# each confirmation frees one), too few to empty the forum out of spite.
HIDES_PER_DAY = 3
HIDING_WINDOW = timedelta(hours=24)
CONFIRMING = ("hide", "delete")  # resolutions by which a moderator upholds a report


def get_report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    return report


def unconfirmed_hides(reporter) -> int:
    """How many posts ``reporter``'s illegal-material reports hid in the last day that no
    moderator has confirmed (by keeping the post hidden or deleting it)."""
    return db.session.scalar(
        select(func.count(Report.id)).where(
            Report.reporter_id == reporter.id,
            Report.hid_post.is_(True),
            Report.created_at >= utcnow() - HIDING_WINDOW,
            Report.resolution.not_in(CONFIRMING),
        )
    )


def open_report(reporter, post: Post, reason: str) -> Report | None:
    """``reporter``'s report of ``post`` for ``reason`` that no moderator has closed yet."""
    return db.session.scalar(
        select(Report).where(
            Report.post_id == post.id,
            Report.reporter_id == reporter.id,
            Report.reason == reason,
            Report.resolved_at.is_(None),
        )
    )


def report_post(actor, post: Post, reason: str, note: str = "") -> Report:
    """Report a post; every moderator is alerted.

    "illegal-material" hides the post at once (safeguarding comes first) while the
    reporter's reports have hidden fewer than ``HIDES_PER_DAY`` posts in a day that no
    moderator has confirmed. Past that one member cannot take posts down alone: the report
    waits, marked urgent, at the top of the moderation queue, and moderators are alerted to
    the burst.
    """
    require_member(actor)
    if post.author_id == actor.id:
        raise Invalid("You cannot report your own post.", {"reason": ["This is your own post."]})
    if reason not in REPORT_REASONS:
        raise Invalid("Choose a reason.", {"reason": ["Choose a reason from the list."]})
    if post.event or post.deleted_at is not None:
        raise Invalid("Only a post with text can be reported.")
    existing = open_report(actor, post, reason)
    if existing is not None:  # the same open report again: nothing new for moderators
        return existing
    from kx.accounts.models import User

    with transaction():
        # one reporter's reports are counted one at a time (a no-op lock on SQLite, whose
        # write transactions already run one at a time)
        db.session.get(User, actor.id, with_for_update=True)
        report = Report(
            post_id=post.id, reporter_id=actor.id, reason=reason, note=(note or "").strip()[:2000]
        )
        if reason == ILLEGAL and not post.hidden:
            if unconfirmed_hides(actor) < HIDES_PER_DAY:
                report.hid_post = post.hidden = True
            else:
                report.urgent = True
        db.session.add(report)
        db.session.flush()
        kind = "report-burst" if report.urgent else "report"
        for moderator_id in _moderator_ids():
            notifications.add(moderator_id, kind, post.thread, post, actor)
    return report


def _moderator_ids() -> list[int]:
    from kx.accounts.models import User

    return list(
        db.session.scalars(
            select(User.id).where(
                User.role.in_(("moderator", "admin")), User.active, User.deleted_at.is_(None)
            )
        )
    )


# Moderation


def moderate_post(moderator, post: Post, action: str) -> None:
    """``hide`` or ``restore`` a post (moderators; audited)."""
    if not can_moderate(moderator):
        raise Forbidden("Only moderators may do this.")
    if action not in ("hide", "restore"):
        raise Invalid("Unknown action.")
    with transaction():
        post.hidden = action == "hide"
        record_audit(moderator, f"post.{action}", "post", post.id)


def moderate_thread(moderator, thread: Thread, action: str, category: str | None = None) -> None:
    """``lock``, ``unlock``, ``pin``, ``unpin``, ``move`` (to ``category``) or ``delete``."""
    if not can_moderate(moderator):
        raise Forbidden("Only moderators may do this.")
    with transaction():
        if action in ("lock", "unlock"):
            thread.locked = action == "lock"
        elif action in ("pin", "unpin"):
            thread.pinned = action == "pin"
        elif action == "move":
            if category not in CATEGORIES:
                raise Invalid("Choose a category.", {"category": ["Choose a category."]})
            thread.category = category
        elif action == "delete":
            thread.deleted_at = utcnow()
        else:
            raise Invalid("Unknown action.")
        record_audit(
            moderator,
            f"thread.{action}",
            "thread",
            thread.id,
            **({"category": category} if action == "move" else {}),
        )


def open_reports() -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.resolved_at.is_(None))
            .order_by(Report.urgent.desc(), (Report.reason == ILLEGAL).desc(), Report.id)
        )
    )


def resolve_report(moderator, report: Report, resolution: str) -> int:
    """Close a report with every other open one on its post, each audited: ``dismiss``,
    ``hide`` or ``delete`` the post. Returns how many reports were closed."""
    if not can_moderate(moderator):
        raise Forbidden("Only moderators may do this.")
    if resolution not in ("dismiss", "hide", "delete"):
        raise Invalid("Choose dismiss, hide or delete.")
    post = report.post
    with transaction():
        others = db.session.scalars(
            select(Report)
            .where(Report.post_id == post.id, Report.resolved_at.is_(None), Report.id != report.id)
            .order_by(Report.id)
        )
        closing = [report, *others]
        now = utcnow()
        for item in closing:
            item.resolved_at, item.resolved_by_id, item.resolution = now, moderator.id, resolution
            record_audit(moderator, f"report.{resolution}", "report", item.id, post=post.id)
        # only clearing the illegal-material claim itself shows the post again; dismissing
        # another report on it closes that claim too but leaves restoring to the moderator
        if resolution == "dismiss" and report.reason == "illegal-material":
            post.hidden = False
        elif resolution == "hide":
            post.hidden = True
        elif resolution == "delete":
            post.deleted_at, post.deleted_by_moderator = utcnow(), True
            post.body, post.body_html, post.hidden = "", "", False
    return len(closing)
