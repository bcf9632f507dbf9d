"""Who may act on a practice example or research summary, and on an evidence link between
them, each rule written once.

Who may *see* a record is ``kx.records.models.can_view`` (and ``visible_to``, its SQL
twin); the predicates here decide what a viewer may do to what they see. The services
enforce them (raising ``Forbidden``); views, the API and templates only ask them
(templates through the ``may`` global). Every predicate takes the acting user last: a
``User`` or the anonymous user object (None, from code outside a request, counts as a
visitor too).
"""


def signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def can_edit(item, user) -> bool:
    """Change ``item``: its author or a moderator. A signed-out visitor, whose id is None
    like the author of an item whose account was erased, may not."""
    return signed_in(user) and (user.is_moderator or item.author_id == user.id)


def can_read_revisions(item, user) -> bool:
    """Revisions can hold text that was removed on purpose (an identifier), so only those
    who may edit the item read its history."""
    return can_edit(item, user)


def can_review(user) -> bool:
    """Approve or reject submissions and revert revisions: moderators."""
    return signed_in(user) and user.is_moderator


def can_remove_link(link, user) -> bool:
    """Remove an evidence link: the member who made it or a moderator."""
    return signed_in(user) and (user.is_moderator or link.created_by_id == user.id)


def can_edit_link(link, user) -> bool:
    """Change an evidence link's relation, note and findings: whoever may remove it."""
    return can_remove_link(link, user)


#: action -> predicate(target, user), for the templates' ``may`` global
RULES = {
    "edit": can_edit,
    "read_revisions": can_read_revisions,
    "review": lambda _target, user: can_review(user),
    "remove_link": can_remove_link,
    "edit_link": can_edit_link,
}
