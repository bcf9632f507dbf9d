"""Everything that changes the forum; the only code here that commits.

Who may do what: anyone may read public categories; verified members read members-only
categories and may post, reply, vote, report and follow; unverified members read public
categories only and may not post. Authors edit and delete their own posts; moderators
hide, restore, lock, pin, move and delete, and every such action is audited.
"""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from kx import signals, taxonomy
from kx.accounts import services as accounts
from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.forum.models import (
    CATEGORIES,
    DEFAULT_CATEGORY_VISIBILITY,
    KINDS,
    NEED_STATUSES,
    REPORT_REASONS,
    CategorySetting,
    Follow,
    Notification,
    Post,
    PostRevision,
    Report,
    Thread,
    ThreadLink,
    Vote,
)
from kx.practice.models import Practice
from kx.records.models import can_view
from kx.research.models import Research
from kx.text import render_fields

MAX_POST = 20_000
MAX_TITLE = 200
ILLEGAL = "illegal-material"
# One member's illegal-material reports hide at most this many posts a day before a
# moderator confirms any: enough for someone who meets a real wave of abuse material (and
# each confirmation frees one), too few to empty the forum out of spite.
HIDES_PER_DAY = 3
HIDING_WINDOW = timedelta(hours=24)
CONFIRMING = ("hide", "delete")  # resolutions by which a moderator upholds a report
LINKABLE = {"practice": Practice, "research": Research}


def _member(viewer) -> bool:
    return bool(
        viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_verified
    )


def _moderator(viewer) -> bool:
    return bool(
        viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.is_moderator
    )


def _announce(thread: Thread) -> None:
    signals.item_changed.send(current_app._get_current_object(), item=thread)


# Categories


def category_visibilities() -> dict[str, str]:
    stored = dict(
        db.session.execute(select(CategorySetting.slug, CategorySetting.visibility)).all()
    )
    return {slug: stored.get(slug, DEFAULT_CATEGORY_VISIBILITY) for slug in CATEGORIES}


def categories(viewer) -> list[dict]:
    """The categories ``viewer`` may read, with name and visibility."""
    visibilities = category_visibilities()
    return [
        {"slug": slug, "name": name, "visibility": visibilities[slug]}
        for slug, name in CATEGORIES.items()
        if visibilities[slug] == "public" or _member(viewer)
    ]


def readable_categories(viewer) -> list[str]:
    return [c["slug"] for c in categories(viewer)]


def set_category_visibility(moderator, slug: str, visibility: str) -> None:
    """Make a category public or members-only (moderators); its threads are reindexed."""
    if not _moderator(moderator):
        raise Forbidden("Only moderators change categories.")
    if slug not in CATEGORIES or visibility not in ("public", "members"):
        raise Invalid("Choose a category and public or members.")
    with transaction():
        setting = db.session.get(CategorySetting, slug) or CategorySetting(slug=slug)
        setting.visibility = visibility
        db.session.add(setting)
        record_audit(moderator, "forum.category", "category", 0, slug=slug, visibility=visibility)
    signals.item_changed.send(current_app._get_current_object(), item=setting)


# Reading


def thread_query(
    viewer,
    category: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    sort: str = "activity",
):
    """Threads ``viewer`` may read, pinned first."""
    statement = select(Thread).where(
        Thread.deleted_at.is_(None), Thread.category.in_(readable_categories(viewer))
    )
    if category:
        statement = statement.where(Thread.category == category)
    if kind:
        statement = statement.where(Thread.kind == kind)
    if status:
        statement = statement.where(Thread.status == status)
    if sort == "votes":
        votes = select(func.count(Vote.id)).where(Vote.thread_id == Thread.id).scalar_subquery()
        return statement.order_by(votes.desc(), Thread.id.desc())
    if sort == "newest":
        return statement.order_by(Thread.created_at.desc(), Thread.id.desc())
    return statement.order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())


def get_thread(thread_id: int, viewer) -> Thread:
    thread = db.session.get(Thread, thread_id)
    if (
        thread is None
        or thread.deleted_at is not None
        or thread.category not in readable_categories(viewer)
    ):
        raise NotFound("No such thread.")
    return thread


def visible_posts(thread: Thread, viewer) -> list[Post]:
    """The thread's posts; hidden ones only for moderators."""
    if _moderator(viewer):
        return list(thread.posts)
    return [post for post in thread.posts if not post.hidden]


def quotable(post: Post) -> bool:
    """Whether a reply may quote ``post``: a post with text that every reader sees."""
    return not post.event and post.deleted_at is None and not post.hidden and bool(post.body)


# A reply stores which post it quotes, never the quoted words: the quote is shown from the
# quoted post each time, so hiding or deleting that post takes its words from every reply.
# A hidden post is not repeated even for moderators: they read it, behind its warning, in
# its own place in the thread.


def shown_quote(post: Post) -> Post | None:
    """The post that ``post`` quotes, while it is there for every reader; else None."""
    quoted = post.quote_of
    return quoted if quoted is not None and quotable(quoted) else None


def get_post(post_id: int, viewer) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or (post.hidden and not _moderator(viewer)):
        raise NotFound("No such post.")
    get_thread(post.thread_id, viewer)
    return post


def linked_items(thread: Thread, viewer) -> list:
    """The practice examples and research summaries linked to ``thread`` that ``viewer`` may see."""
    items = []
    for link in thread.links:
        item = db.session.get(LINKABLE[link.item_type], link.item_id)
        if item is not None and can_view(item, viewer):
            items.append(item)
    return items


def threads_about(item, viewer) -> list[Thread]:
    """Threads linked to a practice or research item, that ``viewer`` may read."""
    return list(
        db.session.scalars(
            thread_query(viewer)
            .join(ThreadLink, ThreadLink.thread_id == Thread.id)
            .where(ThreadLink.item_type == item.item_type, ThreadLink.item_id == item.id)
        )
    )


# Writing


def _require_member(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Sign in to take part in the forum.")
    if not actor.is_verified:
        raise Forbidden("Your account must be verified by a moderator before you can post.")


def _check_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid("Write something first.", {field: ["Write something first."]})
    if len(body) > MAX_POST:
        raise Invalid(
            f"Posts are limited to {MAX_POST:,} characters.",
            {field: [f"Shorten this to {MAX_POST:,} characters or fewer (now {len(body):,})."]},
        )
    return body


def _resolve_links(actor, links: list[dict]) -> list[tuple[str, int]]:
    resolved = []
    for link in links or []:
        model = LINKABLE.get(link.get("type"))
        item = db.session.get(model, link.get("id")) if model else None
        if item is None or not can_view(item, actor):
            raise Invalid("A linked item does not exist.", {"links": ["No such item."]})
        resolved.append((item.item_type, item.id))
    return list(dict.fromkeys(resolved))


def create_thread(
    actor, *, category: str, kind: str, title: str, body: str, links: list[dict] | None = None
) -> Thread:
    """Open a thread with its first post; followers of the category are notified."""
    _require_member(actor)
    errors = {}
    if category not in CATEGORIES:
        errors["category"] = ["Choose a category."]
    elif category not in readable_categories(actor):
        raise NotFound("No such category.")
    if kind not in KINDS:
        errors["kind"] = ["Choose discussion, question or research need."]
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        errors["title"] = [f"Give a title of 1 to {MAX_TITLE} characters."]
    try:
        body = _check_body(body)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    resolved = _resolve_links(actor, links or [])
    html = render_fields({"body": body})["body"]
    with transaction():
        thread = Thread(
            category=category,
            kind=kind,
            title=title,
            author_id=actor.id,
            status="open" if kind == "research-need" else None,
        )
        thread.posts.append(Post(author_id=actor.id, body=body, body_html=html))
        thread.links = [ThreadLink(item_type=t, item_id=i) for t, i in resolved]
        db.session.add(thread)
        db.session.flush()
        _follow(actor, "thread", str(thread.id))
        _notify_followers(
            thread, None, actor, "new-thread", [("category", category), ("domain", category)]
        )
    _announce(thread)
    return thread


def reply(actor, thread: Thread, body: str, quote_of: Post | None = None) -> Post:
    """Add a post; the thread's followers, its author and a quoted author are notified."""
    _require_member(actor)
    if thread.locked:
        raise Forbidden("This thread is locked: it takes no more replies.")
    body = _check_body(body)
    if quote_of is not None and quote_of.thread_id != thread.id:
        raise Invalid("You can only quote a post from this thread.")
    html = render_fields({"body": body})["body"]
    with transaction():
        post = Post(
            thread=thread,
            author_id=actor.id,
            body=body,
            body_html=html,
            quote_of_id=quote_of.id if quote_of else None,
        )
        db.session.add(post)
        thread.last_post_at = utcnow()
        db.session.flush()
        notified = set()
        if quote_of is not None and quote_of.author_id not in (None, actor.id):
            _add_notification(quote_of.author_id, "quote", thread, post, actor)
            notified.add(quote_of.author_id)
        _notify_followers(thread, post, actor, "reply", [("thread", str(thread.id))], notified)
        _follow(actor, "thread", str(thread.id))
    _announce(thread)
    return post


def edit_post(actor, post: Post, body: str) -> Post:
    """Change a post's text (author or moderator); the old text is kept for moderators."""
    if actor is None or not (post.author_id == actor.id or _moderator(actor)):
        raise Forbidden("Only the author or a moderator may edit this post.")
    if post.deleted_at is not None or post.event:
        raise Invalid("A deleted post or a status change cannot be edited.")
    body = _check_body(body)
    if body == post.body:
        return post
    html = render_fields({"body": body})["body"]
    with transaction():
        post.revisions.append(PostRevision(editor_id=actor.id, body=post.body))
        post.body, post.body_html, post.edited_at = body, html, utcnow()
        if post.author_id != actor.id:
            record_audit(actor, "post.edit", "post", post.id)
    _announce(post.thread)
    return post


def delete_post(actor, post: Post) -> None:
    """Soft-delete: the text goes, a placeholder stays ("deleted by author/moderator")."""
    if actor is None or not (post.author_id == actor.id or _moderator(actor)):
        raise Forbidden("Only the author or a moderator may delete this post.")
    if post.event:
        raise Invalid("A research need's status change cannot be deleted.")
    if post.deleted_at is not None:
        return
    with transaction():
        post.deleted_at = utcnow()
        post.deleted_by_moderator = post.author_id != actor.id
        post.revisions.append(PostRevision(editor_id=actor.id, body=post.body))
        post.body, post.body_html = "", ""
        if post.deleted_by_moderator:
            record_audit(actor, "post.delete", "post", post.id)
    _announce(post.thread)


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


def report_post(actor, post: Post, reason: str, note: str = "") -> Report:
    """Report a post; every moderator is alerted.

    "illegal-material" hides the post at once (safeguarding comes first) while the
    reporter's reports have hidden fewer than ``HIDES_PER_DAY`` posts in a day that no
    moderator has confirmed. Past that one member cannot take posts down alone: the report
    waits, marked urgent, at the top of the moderation queue, and moderators are alerted to
    the burst.
    """
    _require_member(actor)
    if post.author_id == actor.id:
        raise Invalid("You cannot report your own post.", {"reason": ["This is your own post."]})
    if reason not in REPORT_REASONS:
        raise Invalid("Choose a reason.", {"reason": ["Choose a reason from the list."]})
    if post.event or post.deleted_at is not None:
        raise Invalid("Only a post with text can be reported.")
    existing = db.session.scalar(
        select(Report).where(
            Report.post_id == post.id,
            Report.reporter_id == actor.id,
            Report.reason == reason,
            Report.resolved_at.is_(None),
        )
    )
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
            _add_notification(moderator_id, kind, post.thread, post, actor)
    if report.hid_post:
        _announce(post.thread)
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
    if not _moderator(moderator):
        raise Forbidden("Only moderators may do this.")
    if action not in ("hide", "restore"):
        raise Invalid("Unknown action.")
    with transaction():
        post.hidden = action == "hide"
        record_audit(moderator, f"post.{action}", "post", post.id)
    _announce(post.thread)


def moderate_thread(moderator, thread: Thread, action: str, category: str | None = None) -> None:
    """``lock``, ``unlock``, ``pin``, ``unpin``, ``move`` (to ``category``) or ``delete``."""
    if not _moderator(moderator):
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
    _announce(thread)


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
    if not _moderator(moderator):
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
    _announce(post.thread)
    return len(closing)


# Research needs


def vote(actor, thread: Thread) -> bool:
    """Vote for a research need once; a repeat vote changes nothing (returns False)."""
    _require_member(actor)
    if thread.kind != "research-need":
        raise Invalid("Only research needs take votes.")
    if _has_voted(actor, thread):
        return False
    try:
        with transaction():
            db.session.add(Vote(thread_id=thread.id, user_id=actor.id, sector=actor.sector))
    except IntegrityError:
        # the same vote from a concurrent request (a double click) won the race
        if _has_voted(actor, thread):
            return False
        raise
    return True


def _has_voted(user, thread: Thread) -> bool:
    return bool(
        db.session.scalar(
            select(Vote.id).where(Vote.thread_id == thread.id, Vote.user_id == user.id)
        )
    )


def votes_by_sector(thread: Thread) -> dict[str, int]:
    rows = db.session.execute(
        select(Vote.sector, func.count()).where(Vote.thread_id == thread.id).group_by(Vote.sector)
    )
    counts = dict(rows.all())
    return {sector: counts[sector] for sector in taxonomy.SECTORS if counts.get(sector)}


def set_need_status(actor, thread: Thread, status: str, research: Research | None = None) -> None:
    """Move a research need along: an academic claims it; the claimer or a moderator marks
    it in progress or addressed (with the research summary that addresses it)."""
    _require_member(actor)
    if thread.kind != "research-need" or status not in NEED_STATUSES:
        raise Invalid("Not a research need status.", {"status": ["Choose a status."]})
    if status == "claimed":
        if actor.sector != "academic" and not _moderator(actor):
            raise Forbidden("Research needs are claimed by academic members.")
        if thread.status != "open":
            raise Invalid("Only an open need can be claimed.", {"status": ["Already claimed."]})
    elif not (_moderator(actor) or thread.claimed_by_id == actor.id):
        raise Forbidden("Only the member who claimed this need or a moderator may update it.")
    elif status == thread.status and not (
        status == "addressed" and research is not None and research.id != thread.addressed_by_id
    ):
        message = f"This need is already marked {NEED_STATUSES[status].lower()}."
        raise Invalid(message, {"status": [message]})
    if status == "addressed" and (research is None or not can_view(research, actor)):
        raise Invalid(
            "Link the research summary that addresses this need.",
            {"research_id": ["Choose a research summary."]},
        )
    with transaction():
        thread.status = status
        if status == "claimed":
            thread.claimed_by_id = actor.id
        if status == "open":
            thread.claimed_by_id = None
        if research is not None and status == "addressed":
            thread.addressed_by_id = research.id
            if ("research", research.id) not in {(k.item_type, k.item_id) for k in thread.links}:
                thread.links.append(ThreadLink(item_type="research", item_id=research.id))
        thread.posts.append(Post(author_id=actor.id, body="", body_html="", event=status))
        thread.last_post_at = utcnow()
    _announce(thread)


# Follows and notifications


def _follow(user, target_type: str, target: str) -> None:
    exists = db.session.scalar(
        select(Follow.id).where(
            Follow.user_id == user.id, Follow.target_type == target_type, Follow.target == target
        )
    )
    if not exists:
        db.session.add(Follow(user_id=user.id, target_type=target_type, target=target))


def follow(actor, target_type: str, target: str) -> None:
    """Follow a thread (its id), a category or a domain (their slugs)."""
    _require_member(actor)
    valid = {"thread": None, "category": CATEGORIES, "domain": taxonomy.DOMAINS}
    if target_type not in valid or (
        valid[target_type] is not None and target not in valid[target_type]
    ):
        raise Invalid("You can follow a thread, a category or a domain.")
    if target_type == "thread":
        if not str(target).isdigit():
            raise NotFound("No such thread.")
        get_thread(int(target), actor)
    with transaction():
        _follow(actor, target_type, str(target))


def unfollow(actor, target_type: str, target: str) -> None:
    _require_member(actor)
    with transaction():
        db.session.execute(
            Follow.__table__.delete().where(
                Follow.user_id == actor.id,
                Follow.target_type == target_type,
                Follow.target == str(target),
            )
        )


def is_following(user, target_type: str, target: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            select(Follow.id).where(
                Follow.user_id == user.id,
                Follow.target_type == target_type,
                Follow.target == str(target),
            )
        )
    )


def _add_notification(user_id: int, kind: str, thread: Thread, post: Post | None, actor) -> None:
    db.session.add(
        Notification(
            user_id=user_id,
            kind=kind,
            thread_id=thread.id,
            post_id=post.id if post else None,
            actor_id=actor.id,
        )
    )


def _notify_followers(
    thread: Thread,
    post: Post | None,
    actor,
    kind: str,
    targets: list[tuple[str, str]],
    already: set[int] | None = None,
) -> None:
    """Notify followers of any of ``targets`` (and the thread's author on a reply) once each."""
    already = set(already or ()) | {actor.id}
    condition = or_(*[and_target(t, v) for t, v in targets])
    followers = set(db.session.scalars(select(Follow.user_id).where(condition)))
    if kind == "reply" and thread.author_id:
        followers.add(thread.author_id)
    readers = _readers(thread, followers - already)
    for user_id in sorted(readers):
        _add_notification(user_id, kind, thread, post, actor)


def and_target(target_type: str, target: str):
    return (Follow.target_type == target_type) & (Follow.target == target)


def _readers(thread: Thread, user_ids: set[int]) -> set[int]:
    """The users among ``user_ids`` who may read ``thread`` (never notify about the unseen)."""
    from kx.accounts.models import User

    if not user_ids:
        return set()
    if category_visibilities()[thread.category] == "public":
        return set(user_ids)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id for user in users if user.is_verified}


def unread_count(user) -> int:
    """Unread notifications about threads ``user`` may still read."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return (
        db.session.scalar(
            select(func.count(Notification.id))
            .join(Thread, Thread.id == Notification.thread_id)
            .where(
                Notification.user_id == user.id,
                Notification.read_at.is_(None),
                Thread.deleted_at.is_(None),
                Thread.category.in_(readable_categories(user)),
            )
        )
        or 0
    )


def notifications(user, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


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


def _export(user) -> dict:
    threads = db.session.scalars(select(Thread).where(Thread.author_id == user.id))
    posts = db.session.scalars(select(Post).where(Post.author_id == user.id, Post.event == ""))
    return {
        "threads": [
            {
                "id": t.id,
                "category": t.category,
                "kind": t.kind,
                "title": t.title,
                "created_at": t.created_at.isoformat() + "Z",
            }
            for t in threads
        ],
        "posts": [
            {
                "id": p.id,
                "thread_id": p.thread_id,
                "body": p.body,
                "created_at": p.created_at.isoformat() + "Z",
            }
            for p in posts
        ],
    }


accounts.register_export("forum", _export)


def _erase(user) -> None:
    """Follows, notifications and the earlier texts of deleted posts go with the account;
    published threads and posts stay, shown as by a former member."""
    db.session.execute(db.delete(Follow).where(Follow.user_id == user.id))
    db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))
    deleted_posts = select(Post.id).where(Post.author_id == user.id, Post.deleted_at.is_not(None))
    db.session.execute(db.delete(PostRevision).where(PostRevision.post_id.in_(deleted_posts)))


accounts.register_erasure(_erase)
