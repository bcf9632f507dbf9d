"""What an account awaiting verification may write: a few items, slowly.

Registration is open and proves nothing, so until a moderator verifies an account its
writes are bounded: at most ``UNVERIFIED_ITEMS`` practice examples and research summaries
in all (drafts: it cannot submit them), and at most ``UNVERIFIED_WRITES`` saves. A new
member drafting one or two examples while they wait never meets either; a script filling
the database with drafts meets both. Verified members are not counted.
"""

import logging

from limits import parse_many
from redis import RedisError
from sqlalchemy import func, select

from kx.errors import Invalid, RateLimited
from kx.extensions import db, limiter
from kx.records.models import Record

log = logging.getLogger(__name__)

UNVERIFIED_ITEMS = 20
UNVERIFIED_WRITES = "30 per hour"
TOO_MANY_ITEMS = (
    f"Accounts awaiting verification can keep at most {UNVERIFIED_ITEMS} drafts. Finish or "
    "delete one of yours, or wait until a moderator has verified your account."
)
TOO_FAST = (
    f"Accounts awaiting verification can save at most {UNVERIFIED_WRITES}. "
    "Wait a while and save again; your text is kept."
)


def items_of(user) -> int:
    """How many practice examples and research summaries ``user`` wrote."""
    return sum(
        db.session.scalar(select(func.count()).where(model.author_id == user.id)) or 0
        for model in Record.__subclasses__()
    )


def check_unverified_write(actor, new_items: int) -> None:
    """Refuse a save (or an import) of ``new_items`` new items by an account awaiting
    verification past its quota (``Invalid``) or its rate (``RateLimited``); verified
    accounts pass."""
    if actor.is_verified:
        return
    if new_items and items_of(actor) + new_items > UNVERIFIED_ITEMS:
        raise Invalid(TOO_MANY_ITEMS)
    if not limiter.enabled:
        return
    for limit in parse_many(UNVERIFIED_WRITES):
        try:
            allowed = limiter.limiter.hit(limit, "unverified-write", str(actor.id))
        except RedisError:
            # the shared store is away: the item quota above still bounds this account
            log.warning("rate-limit store unavailable: unverified write not counted")
            return
        if not allowed:
            raise RateLimited(TOO_FAST)
