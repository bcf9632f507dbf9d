"""Everything that reads and changes the forum; the only forum code that commits.

Who may do what is written in kx.forum.rules; these functions enforce it (``Forbidden``),
audit every moderator's action, and notify members through kx.notifications.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kx import taxonomy
from kx.accounts import services as accounts
from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db
from kx.forum import mentions, notify
from kx.forum.models import (
    CATEGORIES,
    KINDS,
    NEED_STATUSES,
    CategorySetting,
    Follow,
    Post,
    PostRevision,
    Thread,
    ThreadLink,
    Vote,
)
from kx.forum.rules import (
    can_change_post,
    can_claim_needs,
    can_moderate,
    can_post,
    can_read_category,
    can_see_hidden,
    can_update_need,
    category_visibilities,
    readable_categories,
)
from kx.notifications import services as notifications
from kx.practice.models import Practice
from kx.records.models import can_view
from kx.records.rules import signed_in
from kx.research.models import Research
from kx.research.services import research_query
from kx.text import render_fields

MAX_POST = 20_000
MAX_TITLE = 200
LINKABLE = {"practice": Practice, "research": Research}


# Categories


def categories(viewer) -> list[dict]:
    """The categories ``viewer`` may read, with name and visibility."""
    visibilities = category_visibilities()
    return [
        {"slug": slug, "name": name, "visibility": visibilities[slug]}
        for slug, name in CATEGORIES.items()
        if can_read_category(visibilities[slug], viewer)
    ]


def set_category_visibility(moderator, slug: str, visibility: str) -> None:
    """Make a category public or members-only (moderators); its threads are reindexed."""
    if not can_moderate(moderator):
        raise Forbidden("Only moderators change categories.")
    if slug not in CATEGORIES or visibility not in ("public", "members"):
        raise Invalid("Choose a category and public or members.")
    with transaction():
        setting = db.session.get(CategorySetting, slug) or CategorySetting(slug=slug)
        setting.visibility = visibility
        db.session.add(setting)
        record_audit(moderator, "forum.category", "category", 0, slug=slug, visibility=visibility)


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


def recent_threads(viewer, limit: int = 5) -> list[Thread]:
    """The newest threads ``viewer`` may read."""
    return list(db.session.scalars(thread_query(viewer, sort="newest").limit(limit)))


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
    if can_see_hidden(viewer):
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
    if post is None or (post.hidden and not can_see_hidden(viewer)):
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


def category_stats(viewer) -> dict[str, tuple[int, object]]:
    """Per readable category: its threads and when the latest post was made."""
    rows = db.session.execute(
        select(Thread.category, func.count(Thread.id), func.max(Thread.last_post_at))
        .where(Thread.deleted_at.is_(None), Thread.category.in_(readable_categories(viewer)))
        .group_by(Thread.category)
    )
    return {category: (count, latest) for category, count, latest in rows}


def post_counts(thread_ids: list[int], viewer) -> dict[int, int]:
    """Posts (not status changes) per thread that ``viewer`` sees."""
    if not thread_ids:
        return {}
    statement = (
        select(Post.thread_id, func.count(Post.id))
        .where(Post.thread_id.in_(thread_ids), Post.event == "")
        .group_by(Post.thread_id)
    )
    if not can_see_hidden(viewer):
        statement = statement.where(Post.hidden.is_(False))
    return dict(db.session.execute(statement).all())


def quotable_in(thread: Thread, post_id: int | None) -> Post | None:
    """The post ``post_id`` of ``thread`` when a reply may quote it, else None."""
    post = db.session.get(Post, post_id) if post_id else None
    if post is None or post.thread_id != thread.id or not quotable(post):
        return None
    return post


def addressable_research(viewer) -> list[Research]:
    """The published research summaries ``viewer`` may name as addressing a need."""
    return list(db.session.scalars(research_query(viewer, {"status": "published"}, sort="title")))


# Writing


def require_member(actor) -> None:
    if not signed_in(actor):
        raise Forbidden("Sign in to take part in the forum.")
    if not can_post(actor):
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
    require_member(actor)
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
    found = mentions.find(render_fields({"body": body})["body"])
    with transaction():
        thread = Thread(
            category=category,
            kind=kind,
            title=title,
            author_id=actor.id,
            status="open" if kind == "research-need" else None,
        )
        post = Post(author_id=actor.id, body=body, body_html=found.html)
        thread.posts.append(post)
        thread.links = [ThreadLink(item_type=t, item_id=i) for t, i in resolved]
        db.session.add(thread)
        db.session.flush()
        _follow(actor, "thread", str(thread.id))
        mentioned = notify.mentioned(thread, post, actor, found.user_ids)
        notify.followers(
            thread,
            None,
            actor,
            "new-thread",
            [("category", category), ("domain", category)],
            mentioned,
        )
    return thread


def reply(actor, thread: Thread, body: str, quote_of: Post | None = None) -> Post:
    """Add a post; the thread's followers, its author, a quoted author and the members it
    mentions are notified, each once."""
    require_member(actor)
    if thread.locked:
        raise Forbidden("This thread is locked: it takes no more replies.")
    body = _check_body(body)
    if quote_of is not None and quote_of.thread_id != thread.id:
        raise Invalid("You can only quote a post from this thread.")
    found = mentions.find(render_fields({"body": body})["body"])
    with transaction():
        post = Post(
            thread=thread,
            author_id=actor.id,
            body=body,
            body_html=found.html,
            quote_of_id=quote_of.id if quote_of else None,
        )
        db.session.add(post)
        thread.last_post_at = utcnow()
        db.session.flush()
        notified = set()
        if quote_of is not None and quote_of.author_id not in (None, actor.id):
            notifications.add(quote_of.author_id, "quote", thread, post, actor)
            notified.add(quote_of.author_id)
        notified |= notify.mentioned(thread, post, actor, found.user_ids, notified)
        notify.followers(thread, post, actor, "reply", [("thread", str(thread.id))], notified)
        _follow(actor, "thread", str(thread.id))
    return post


def edit_post(actor, post: Post, body: str) -> Post:
    """Change a post's text (author or moderator); the old text is kept for moderators.
    Members the new text mentions are notified unless this post told them already."""
    if not can_change_post(post, actor):
        raise Forbidden("Only the author or a moderator may edit this post.")
    if post.deleted_at is not None or post.event:
        raise Invalid("A deleted post or a status change cannot be edited.")
    body = _check_body(body)
    if body == post.body:
        return post
    found = mentions.find(render_fields({"body": body})["body"])
    with transaction():
        post.revisions.append(PostRevision(editor_id=actor.id, body=post.body))
        post.body, post.body_html, post.edited_at = body, found.html, utcnow()
        if post.author_id != actor.id:
            record_audit(actor, "post.edit", "post", post.id)
        notify.mentioned(post.thread, post, actor, found.user_ids)
    return post


def delete_post(actor, post: Post) -> None:
    """Soft-delete: the text goes, a placeholder stays ("deleted by author/moderator")."""
    if not can_change_post(post, actor):
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


# Research needs


def vote(actor, thread: Thread) -> bool:
    """Vote for a research need once; a repeat vote changes nothing (returns False)."""
    require_member(actor)
    if thread.kind != "research-need":
        raise Invalid("Only research needs take votes.")
    if has_voted(actor, thread):
        return False
    try:
        with transaction():
            db.session.add(Vote(thread_id=thread.id, user_id=actor.id, sector=actor.sector))
    except IntegrityError:
        # the same vote from a concurrent request (a double click) won the race
        if has_voted(actor, thread):
            return False
        raise
    return True


def has_voted(user, thread: Thread) -> bool:
    if not signed_in(user):
        return False
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
    require_member(actor)
    if thread.kind != "research-need" or status not in NEED_STATUSES:
        raise Invalid("Not a research need status.", {"status": ["Choose a status."]})
    if status == "claimed":
        if not can_claim_needs(actor):
            raise Forbidden("Research needs are claimed by academic members.")
        if thread.status != "open":
            raise Invalid("Only an open need can be claimed.", {"status": ["Already claimed."]})
    elif not can_update_need(thread, actor):
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
        if status in ("claimed", "addressed"):
            notify.voters(thread, actor, f"need-{status}")


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
    require_member(actor)
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
    require_member(actor)
    with transaction():
        db.session.execute(
            Follow.__table__.delete().where(
                Follow.user_id == actor.id,
                Follow.target_type == target_type,
                Follow.target == str(target),
            )
        )


def followed(user, target_type: str) -> set[str]:
    """What ``user`` follows of ``target_type`` (thread ids, category or domain slugs)."""
    if not signed_in(user):
        return set()
    return set(
        db.session.scalars(
            select(Follow.target).where(
                Follow.user_id == user.id, Follow.target_type == target_type
            )
        )
    )


def is_following(user, target_type: str, target: str) -> bool:
    if not signed_in(user):
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
    """Follows and the earlier texts of deleted posts go with the account; published
    threads and posts stay, shown as by a former member."""
    db.session.execute(db.delete(Follow).where(Follow.user_id == user.id))
    deleted_posts = select(Post.id).where(Post.author_id == user.id, Post.deleted_at.is_not(None))
    db.session.execute(db.delete(PostRevision).where(PostRevision.post_id.in_(deleted_posts)))


accounts.register_erasure(_erase)
