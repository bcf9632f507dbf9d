"""Who may do what in the forum, each rule written once.

The services enforce these predicates (raising ``Forbidden``); views, the API and templates
only ask them (templates through the ``may`` global). Every predicate takes the acting
user last: a ``User`` or the anonymous user object (None counts as a visitor too).
"""

from sqlalchemy import select

from kx.extensions import db
from kx.forum.models import CATEGORIES, DEFAULT_CATEGORY_VISIBILITY, CategorySetting
from kx.records.rules import signed_in


def is_member(user) -> bool:
    """A signed-in account verified by a moderator."""
    return signed_in(user) and user.is_verified


def is_moderator(user) -> bool:
    return signed_in(user) and user.is_moderator


def category_visibilities() -> dict[str, str]:
    stored = dict(
        db.session.execute(select(CategorySetting.slug, CategorySetting.visibility)).all()
    )
    return {slug: stored.get(slug, DEFAULT_CATEGORY_VISIBILITY) for slug in CATEGORIES}


def can_read_category(visibility: str, user) -> bool:
    """Public categories for everyone; members-only ones for verified members."""
    return visibility == "public" or is_member(user)


def readable_categories(user) -> list[str]:
    visibilities = category_visibilities()
    return [slug for slug in CATEGORIES if can_read_category(visibilities[slug], user)]


def can_post(user) -> bool:
    """Open threads, reply, vote, report and follow: verified members."""
    return is_member(user)


def can_reply(thread, user) -> bool:
    return can_post(user) and not thread.locked


def can_see_hidden(user) -> bool:
    """Read posts hidden by a moderator or by an illegal-material report."""
    return is_moderator(user)


def can_moderate(user) -> bool:
    """Hide, restore, lock, pin, move and delete; resolve reports; set category visibility."""
    return is_moderator(user)


def can_change_post(post, user) -> bool:
    """Edit or delete ``post``: its author or a moderator, whatever state the post is in."""
    return signed_in(user) and (post.author_id == user.id or is_moderator(user))


def can_edit_post(post, user) -> bool:
    """Edit or delete ``post`` now: a post with text, by its author or a moderator."""
    return not post.event and post.deleted_at is None and can_change_post(post, user)


def can_report_post(post, user) -> bool:
    """A verified member, on someone else's visible post with text."""
    return (
        can_post(user)
        and post.author_id != user.id
        and not post.event
        and post.deleted_at is None
        and not post.hidden
    )


def can_claim_needs(user) -> bool:
    """Claim research needs: academic members and moderators."""
    return can_post(user) and (user.sector == "academic" or is_moderator(user))


def can_claim_need(thread, user) -> bool:
    """Claim ``thread`` now: an open research need."""
    return thread.kind == "research-need" and thread.status == "open" and can_claim_needs(user)


def can_update_need(thread, user) -> bool:
    """Move a claimed research need along: the member who claimed it or a moderator."""
    return (
        thread.kind == "research-need"
        and can_post(user)
        and (is_moderator(user) or thread.claimed_by_id == user.id)
    )


#: action -> predicate(target, user), for the templates' ``may`` global
RULES = {
    "post": lambda _target, user: can_post(user),
    "reply": can_reply,
    "edit_post": can_edit_post,
    "report_post": can_report_post,
    "claim_need": can_claim_need,
    "update_need": can_update_need,
    "moderate_forum": lambda _target, user: can_moderate(user),
}
