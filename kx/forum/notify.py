"""Who in the forum is told about a post or a research need: followers, the members a post
mentions, those who voted for a need; never anyone who may not read the thread."""

from sqlalchemy import or_, select

from kx.accounts.models import User
from kx.extensions import db
from kx.forum.models import Follow, Post, Thread, Vote
from kx.forum.rules import can_read_category, category_visibilities
from kx.notifications import services as notifications
from kx.notifications.models import Notification


def followers(
    thread: Thread,
    post: Post | None,
    actor,
    kind: str,
    targets: list[tuple[str, str]],
    already: set[int] | None = None,
) -> None:
    """Notify followers of any of ``targets`` (and the thread's author on a reply) once each."""
    already = set(already or ()) | {actor.id}
    condition = or_(*[_and_target(t, v) for t, v in targets])
    following = set(db.session.scalars(select(Follow.user_id).where(condition)))
    if kind == "reply" and thread.author_id:
        following.add(thread.author_id)
    for user_id in sorted(_readers(thread, following - already)):
        notifications.add(user_id, kind, thread, post, actor)


def mentioned(
    thread: Thread, post: Post, actor, user_ids: list[int], already: set[int] | None = None
) -> set[int]:
    """Tell the members ``post`` mentions who may read ``thread``, unless it mentioned or
    quoted them before (an edit); returns who was told."""
    candidates = set(user_ids) - set(already or ()) - {actor.id, post.author_id}
    if not candidates or post.hidden:
        return set()
    told = select(Notification.user_id).where(
        Notification.post_id == post.id, Notification.kind.in_(("mention", "quote"))
    )
    readers = _readers(thread, candidates - set(db.session.scalars(told)))
    for user_id in sorted(readers):
        notifications.add(user_id, "mention", thread, post, actor)
    return readers


def voters(thread: Thread, actor, kind: str) -> None:
    """Tell those who voted for a research need (and may still read it) that it moved on."""
    voted = set(db.session.scalars(select(Vote.user_id).where(Vote.thread_id == thread.id)))
    for user_id in sorted(_readers(thread, voted - {actor.id})):
        notifications.add(user_id, kind, thread, None, actor)


def _and_target(target_type: str, target: str):
    return (Follow.target_type == target_type) & (Follow.target == target)


def _readers(thread: Thread, user_ids: set[int]) -> set[int]:
    """The users among ``user_ids`` who may read ``thread`` (never notify about the unseen)."""
    if not user_ids:
        return set()
    visibility = category_visibilities()[thread.category]
    if visibility == "public":
        return set(user_ids)
    users = db.session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id for user in users if can_read_category(visibility, user)}
