"""Adding, showing, counting, grouping and marking notifications; mail preferences, the mail
sent at once, the daily and weekly summaries, and one-click unsubscribing.

``add`` and ``add_about`` work inside the caller's transaction (the change they report), and
queue the mail of an "immediately" topic in it. Everything that shows a notification, in
the app or in a mail, goes through ``present``, which asks the target's own visibility rule
for the recipient *now*: a notification about something they can no longer see is never
counted, listed with its title, or mailed.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, exists, func, or_, select

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.database import transaction, utcnow
from kx.errors import Invalid, NotFound
from kx.extensions import db
from kx.forum.models import Post, Thread
from kx.forum.rules import can_see_hidden
from kx.mail import absolute_url, queue_mail
from kx.notifications.catalogue import (
    DAILY,
    IMMEDIATELY,
    KINDS,
    SETTINGS,
    TOPICS,
    WEEKLY,
    topic_of,
)
from kx.notifications.models import Notification, NotificationPreference, NotificationSummary
from kx.notifications.targets import TARGETS
from kx.records import services as records
from kx.records.rules import signed_in

PERIOD_LENGTH = {DAILY: timedelta(days=1), WEEKLY: timedelta(days=7)}
#: a run from cron a little earlier than a full period after the last still counts as due
GRACE = timedelta(hours=1)
UNSUBSCRIBE = "kx-unsubscribe"
#: notifications a summary mail lists at most (the rest wait for the list in the app)
SUMMARY_MAX = 50


# Adding ------------------------------------------------------------------------------------


def add(user_id: int, kind: str, thread: Thread, post, actor) -> None:
    """Tell ``user_id`` that ``actor`` did ``kind`` in ``thread`` (at ``post``, if any)."""
    _store(
        Notification(
            user_id=user_id,
            kind=kind,
            thread_id=thread.id,
            post_id=post.id if post else None,
            actor_id=actor.id if actor else None,
        )
    )


def add_about(user_id: int | None, kind: str, item=None, actor=None, text: str = "") -> None:
    """Tell ``user_id`` about ``kind`` happening to ``item`` (a record, or None: their
    account), when they may see ``item`` now and are not the one who did it."""
    if user_id is None or (actor is not None and actor.id == user_id):
        return
    notification = Notification(
        user_id=user_id,
        kind=kind,
        item_type=item.item_type if item is not None else None,
        item_id=item.id if item is not None else None,
        actor_id=actor.id if actor else None,
        text=text,
    )
    if item is not None and present(notification, db.session.get(User, user_id)) is None:
        return
    _store(notification)


def _store(notification: Notification) -> None:
    db.session.add(notification)
    db.session.flush()
    user = db.session.get(User, notification.user_id)
    if user is None or not user.is_active:
        return
    topic = topic_of(notification.kind)
    if setting(user, topic) != IMMEDIATELY:
        return
    shown = present(notification, user)
    if shown is None:
        return
    queue_mail(
        user,
        "notification",
        shown.sentence(),
        headers=_headers(user, [topic]),
        shown=shown,
        link=shown.absolute_url(),
        topic=TOPICS[topic],
        preferences_link=absolute_url("notifications.preferences"),
        unsubscribe_link=unsubscribe_url(user, [topic]),
    )
    notification.mailed_at = utcnow()


# Showing -----------------------------------------------------------------------------------


@dataclass
class Shown:
    """A notification as its recipient may see it now."""

    notification: Notification
    actor: str | None
    verb: str
    title: str | None
    endpoint: str
    values: dict
    detail_label: str = ""
    detail: str = ""
    #: the other notifications shown with this one (several replies in one thread)
    grouped: list[Notification] = field(default_factory=list)
    others: list[str] = field(default_factory=list)

    @property
    def who(self) -> str | None:
        """The actor, and those of the replies grouped with it: "A, B and 2 others"."""
        if not self.actor or not self.others:
            return self.actor
        if len(self.others) == 1:
            return f"{self.actor} and {self.others[0]}"
        rest = len(self.others) - 1
        return f"{self.actor}, {self.others[0]} and {rest} other{'s' if rest > 1 else ''}"

    def sentence(self) -> str:
        parts = [self.who, self.verb, f"“{self.title}”" if self.title else None]
        return " ".join(part for part in parts if part)

    def url(self) -> str:
        return url_for(self.endpoint, **self.values)

    def absolute_url(self) -> str:
        return absolute_url(self.endpoint, **self.values)

    @property
    def ids(self) -> list[int]:
        return [self.notification.id, *(n.id for n in self.grouped)]


def present(notification: Notification, viewer) -> Shown | None:
    """``notification`` as ``viewer`` may see it now; None when its target is gone or
    hidden from them."""
    kind = KINDS.get(notification.kind)
    verb = kind.verb if kind else "posted in"
    actor = None
    if kind is None or kind.names_actor:
        actor = notification.actor.public_name if notification.actor else "Former member"
    shown = Shown(notification, actor, verb, None, "accounts.profile", {})
    if kind is not None and kind.detail and notification.text:
        shown.detail_label, shown.detail = kind.detail, notification.text
    if notification.thread_id is not None:
        thread = _visible("thread", notification.thread_id, viewer)
        if thread is None:
            return None
        shown.title = thread.title
        post = db.session.get(Post, notification.post_id) if notification.post_id else None
        if post is not None and (not post.hidden or can_see_hidden(viewer)):
            shown.endpoint, shown.values = "forum.post", {"post_id": post.id}
        else:
            shown.endpoint, shown.values = "forum.thread", {"thread_id": thread.id}
    elif notification.item_type is not None:
        item = _visible(notification.item_type, notification.item_id, viewer)
        if item is None:
            return None
        target = TARGETS[notification.item_type]
        shown.title = item.title
        if _owned(item, viewer) and " your " not in f" {verb} ":
            shown.verb = f"{verb} your {target.singular.lower()}"
        shown.endpoint, shown.values = target.endpoint, {target.id_arg: item.id}
    return shown


def _owned(item, viewer) -> bool:
    return getattr(item, "author_id", None) == viewer.id


def _visible(item_type: str, item_id: int, viewer):
    target = TARGETS.get(item_type)
    if target is None or viewer is None:
        return None
    try:
        return target.get(item_id, viewer)
    except NotFound:
        return None


def _visible_condition(user):
    """SQL: the notifications whose target ``user`` may see now (or that have none).

    Each kind's own visibility query, correlated to the notification row: a primary-key
    probe per notification, never a list of everything the user may see."""
    parts = [and_(Notification.thread_id.is_(None), Notification.item_type.is_(None))]
    for item_type, target in TARGETS.items():
        model = target.query(user).with_only_columns(target.model.id).order_by(None)
        if item_type == "thread":
            parts.append(model.where(target.model.id == Notification.thread_id).exists())
        else:
            visible = model.where(target.model.id == Notification.item_id).exists()
            parts.append(and_(Notification.item_type == item_type, visible))
    return or_(*parts)


def unread_count(user) -> int:
    """Unread notifications about what ``user`` may still see."""
    if not signed_in(user):
        return 0
    unread = Notification.user_id == user.id, Notification.read_at.is_(None)
    # every page asks: most have nothing unread, and then the visibility test is not built
    if not db.session.scalar(select(exists().where(*unread))):
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                _visible_condition(user),
            )
        )
        or 0
    )


def visible_query(user, unread: bool = False):
    """``select(Notification)`` of ``user``'s notifications about what they may see now,
    newest first."""
    statement = select(Notification).where(
        Notification.user_id == user.id, _visible_condition(user)
    )
    if unread:
        statement = statement.where(Notification.read_at.is_(None))
    return statement.order_by(Notification.id.desc())


def notifications(user, limit: int = 50, unread: bool = False) -> list[Notification]:
    statement = select(Notification).where(Notification.user_id == user.id)
    if unread:
        statement = statement.where(Notification.read_at.is_(None))
    return list(db.session.scalars(statement.order_by(Notification.id.desc()).limit(limit)))


def grouped(user, limit: int = 50, unread: bool = False) -> list[tuple[Shown | None, Notification]]:
    """``(shown, notifications)`` pairs, newest first: unread replies in one thread share one
    entry (``shown`` of the newest); ``shown`` is None for what ``user`` can no longer see."""
    entries: list[tuple[Shown | None, Notification]] = []
    groups: dict[int, Shown] = {}
    for notification in notifications(user, limit, unread):
        group = groups.get(notification.thread_id) if notification.kind == "reply" else None
        if group is not None and notification.read_at is None:
            group.grouped.append(notification)
            name = notification.actor.public_name if notification.actor else "Former member"
            if name != group.actor and name not in group.others:
                group.others.append(name)
            continue
        shown = present(notification, user)
        if shown is not None and notification.kind == "reply" and notification.read_at is None:
            groups[notification.thread_id] = shown
        entries.append((shown, notification))
    return entries


def mark_read(user, notification_ids: list[int] | None = None) -> int:
    """Mark some (or all) of ``user``'s notifications read; returns how many changed."""
    statement = select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    with transaction():
        items = list(db.session.scalars(statement))
        for item in items:
            item.read_at = utcnow()
    return len(items)


def mark_opened(user, item_type: str, item_id: int) -> int:
    """``user`` opened ``item_type`` ``item_id``: its notifications are read (one indexed
    query when there are none, so every page view can ask)."""
    if not signed_in(user):
        return 0
    if item_type == "thread":
        about = Notification.thread_id == item_id
    else:
        about = and_(Notification.item_type == item_type, Notification.item_id == item_id)
    waiting = select(Notification.id).where(
        Notification.user_id == user.id, Notification.read_at.is_(None), about
    )
    ids = list(db.session.scalars(waiting))
    return mark_read(user, ids) if ids else 0


# Preferences -------------------------------------------------------------------------------


def preferences(user) -> dict[str, str]:
    """Every topic's setting for ``user``: theirs, else the topic's default."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.topic, NotificationPreference.setting).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {
        topic: chosen.get(topic) if chosen.get(topic) in SETTINGS else info.default
        for topic, info in TOPICS.items()
    }


def setting(user, topic: str) -> str:
    return preferences(user)[topic]


def set_preferences(user, values: dict) -> dict[str, str]:
    """Change the settings named in ``values`` (topic -> setting); the rest stay."""
    errors = {}
    for topic, value in values.items():
        if topic not in TOPICS:
            errors[topic] = ["Not a notification topic."]
        elif value not in SETTINGS:
            errors[topic] = [f"Choose one of: {', '.join(SETTINGS)}."]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    with transaction():
        _save_preferences(user.id, values)
    return preferences(user)


def _save_preferences(user_id: int, values: dict) -> None:
    rows = {
        row.topic: row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    for topic, value in values.items():
        if topic in rows:
            rows[topic].setting = value
        else:
            db.session.add(NotificationPreference(user_id=user_id, topic=topic, setting=value))


# One-click unsubscribing (RFC 8058) ----------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE)


def sign_unsubscribe(payload: dict) -> str:
    """A token for a mail's unsubscribe link; it changes only what ``payload`` names."""
    return _serializer().dumps(payload)


def read_unsubscribe(token: str) -> dict:
    try:
        payload = _serializer().loads(token)
    except BadSignature as exc:
        raise NotFound("This unsubscribe link is not valid.") from exc
    if not (isinstance(payload, dict) and isinstance(payload.get("u"), int)):
        raise NotFound("This unsubscribe link is not valid.")
    return payload


def unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_url(user, topics: list[str]) -> str:
    token = sign_unsubscribe({"u": user.id, "t": sorted(topics)})
    return absolute_url("notifications.unsubscribe", token=token)


def _headers(user, topics: list[str]) -> dict[str, str]:
    return unsubscribe_headers(unsubscribe_url(user, topics))


def unsubscribe_target(token: str) -> tuple[User, list[str]]:
    """The account and topics an unsubscribe link turns off; NotFound for a bad link."""
    payload = read_unsubscribe(token)
    topics = payload.get("t")
    user = db.session.get(User, payload["u"])
    if user is None or not isinstance(topics, list) or not set(topics) <= set(TOPICS):
        raise NotFound("This unsubscribe link is not valid.")
    return user, topics


def unsubscribe(token: str) -> tuple[User, list[str]]:
    """Turn off the mail of the topics the link names, and nothing else."""
    user, topics = unsubscribe_target(token)
    with transaction():
        _save_preferences(user.id, dict.fromkeys(topics, "off"))
    return user, topics


# Summaries ---------------------------------------------------------------------------------


def summary_due(user_id: int, period: str, now: datetime) -> bool:
    last = db.session.scalar(
        select(func.max(NotificationSummary.sent_at)).where(
            NotificationSummary.user_id == user_id, NotificationSummary.period == period
        )
    )
    return last is None or now >= last + PERIOD_LENGTH[period] - GRACE


def send_summaries(period: str, now: datetime | None = None) -> int:
    """Mail each member whose ``period`` summary is due the notifications of their
    ``period`` topics not yet mailed nor read, as they may see them now; returns how many
    summaries went out. Running it again sends nothing twice."""
    now = now or utcnow()
    waiting = (
        select(Notification.user_id)
        .where(Notification.mailed_at.is_(None), Notification.read_at.is_(None))
        .distinct()
    )
    sent = 0
    for user_id in list(db.session.scalars(waiting)):
        if _send_summary(user_id, period, now):
            sent += 1
    return sent


def _send_summary(user_id: int, period: str, now: datetime) -> bool:
    with transaction():
        # one sender per member at a time (SQLite: the write lock is held from BEGIN)
        user = db.session.scalar(select(User).where(User.id == user_id).with_for_update())
        if user is None or not user.is_active or not summary_due(user_id, period, now):
            return False
        topics = [topic for topic, value in preferences(user).items() if value == period]
        kinds = [kind for kind, info in KINDS.items() if info.topic in topics]
        if not kinds:
            return False
        rows = db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.mailed_at.is_(None),
                Notification.read_at.is_(None),
                Notification.kind.in_(kinds),
            )
            .order_by(Notification.id)
        )
        shown = [s for s in (present(row, user) for row in rows) if s is not None][:SUMMARY_MAX]
        if not shown:
            return False
        included = sorted({topic_of(s.notification.kind) for s in shown})
        queue_mail(
            user,
            "notification_summary",
            f"Your {period} summary: {len(shown)} notification{'s' if len(shown) > 1 else ''}",
            headers=_headers(user, included),
            period=period,
            items=[
                {"sentence": s.sentence(), "detail": s.detail, "link": s.absolute_url()}
                for s in shown
            ],
            notifications_link=absolute_url("notifications.index"),
            preferences_link=absolute_url("notifications.preferences"),
            unsubscribe_link=unsubscribe_url(user, included),
            topics=[TOPICS[topic].label for topic in included],
        )
        for item in shown:
            item.notification.mailed_at = now
        db.session.add(
            NotificationSummary(user_id=user_id, period=period, sent_at=now, count=len(shown))
        )
    return True


# What other packages report ------------------------------------------------------------------


def _reviewed(item, moderator, decision: str, reason: str, edit) -> None:
    approved = decision == "approve"
    if edit is not None:
        kind = "changes-approved" if approved else "changes-sent-back"
    else:
        kind = "approved" if approved else "sent-back"
    author_id = edit.author_id if edit is not None else item.author_id
    add_about(author_id, kind, item, moderator, "" if approved else reason)


def _verified(actor, user) -> None:
    add_about(user.id, "verified", None, actor)


records.REVIEW_LISTENERS.append(_reviewed)
accounts.VERIFICATION_LISTENERS.append(_verified)


def _export(user) -> dict:
    return {"preferences": preferences(user)}


accounts.register_export("notifications", _export)


def _erase(user) -> None:
    for model in (Notification, NotificationPreference, NotificationSummary):
        db.session.execute(db.delete(model).where(model.user_id == user.id))


accounts.register_erasure(_erase)
