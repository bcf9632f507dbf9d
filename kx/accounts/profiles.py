"""The profile a member keeps, and sector changes: a verified member's sector decides
which restricted items they read, so a new one is a request that a moderator decides."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kx.accounts.models import SectorChangeRequest, User
from kx.accounts.services import _check_profile, _require_staff
from kx.audit import record_audit
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db

PROFILE_FIELDS = ("display_name", "organisation", "bio", "country")
SECTOR_REASON_MAX = 500
DECISION_NOTE_MAX = 1000


def update_profile(
    user: User,
    *,
    display_name: str,
    organisation: str,
    bio: str,
    sector: str,
    country: str,
    sector_reason: str = "",
) -> SectorChangeRequest | None:
    """Change what other members see of ``user``; audited by field name.

    A verified member's new sector is only a request until a moderator approves it (their
    verified sector keeps deciding what they may read); an unverified account, which reads
    nothing restricted, sets it at once and is verified with it. Returns the pending
    request, if any, after the save."""
    errors = _check_profile(sector, country)
    if not display_name.strip():
        errors["display_name"] = ["Enter the name other members will see."]
    sector_reason = sector_reason.strip()
    if len(sector_reason) > SECTOR_REASON_MAX:
        errors["sector_reason"] = [f"Use at most {SECTOR_REASON_MAX} characters."]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    wanted = {
        "display_name": display_name.strip(),
        "organisation": organisation.strip(),
        "bio": bio.strip(),
        "country": country,
    }
    changed = [name for name in PROFILE_FIELDS if getattr(user, name) != wanted[name]]
    try:
        with transaction():
            pending = _save_profile(user, wanted, changed, sector, sector_reason)
    except IntegrityError as exc:  # a second save of the same request, a moment earlier
        message = "Your profile was saved in another window at the same moment; check it."
        raise Invalid(message, {"sector": [message]}) from exc
    return pending


def _save_profile(
    user: User, wanted: dict, changed: list[str], sector: str, sector_reason: str
) -> SectorChangeRequest | None:
    # read inside the transaction: on SQLite it holds the write lock, so a concurrent save
    # of the same profile sees this one's request instead of adding a second
    pending = pending_sector_request(user)
    for name in changed:
        setattr(user, name, wanted[name])
    if user.verified_at is None:
        if sector != user.sector:
            changed.append("sector")
            user.sector = sector
    elif pending is not None and sector == pending.sector:
        if sector_reason and sector_reason != pending.reason:
            pending.reason = sector_reason
    elif pending is not None or sector != user.sector:
        pending = _request_sector(user, pending, sector, sector_reason)
    if changed:
        record_audit(user, "user.profile", "user", user.id, fields=changed)
    return pending


def _request_sector(
    user: User, pending: SectorChangeRequest | None, sector: str, reason: str
) -> SectorChangeRequest | None:
    """Replace ``pending`` with a request for ``sector`` (none when it is the current one)."""
    if pending is not None:
        pending.status = "withdrawn"
        record_audit(user, "user.sector_withdraw", "user", user.id, request=pending.id)
        db.session.flush()  # the one-pending-request index sees the old one go first
    if sector == user.sector:
        return None
    request = SectorChangeRequest(user_id=user.id, sector=sector, reason=reason)
    db.session.add(request)
    db.session.flush()
    record_audit(
        user,
        "user.sector_request",
        "user",
        user.id,
        old=user.sector,
        new=sector,
        request=request.id,
    )
    return request


def pending_sector_request(user: User) -> SectorChangeRequest | None:
    """``user``'s sector change waiting for a moderator, if any."""
    return db.session.scalar(
        select(SectorChangeRequest).where(
            SectorChangeRequest.user_id == user.id, SectorChangeRequest.status == "pending"
        )
    )


def withdraw_sector_request(user: User) -> None:
    """Take back ``user``'s pending sector change; their sector stays as it is."""
    pending = pending_sector_request(user)
    if pending is None:
        raise NotFound("You have no sector change waiting.")
    with transaction():
        _request_sector(user, pending, user.sector, "")


def pending_sector_requests() -> list[SectorChangeRequest]:
    """Every sector change waiting for a moderator, oldest first."""
    return list(
        db.session.scalars(
            select(SectorChangeRequest)
            .where(SectorChangeRequest.status == "pending")
            .order_by(SectorChangeRequest.created_at, SectorChangeRequest.id)
        )
    )


def get_sector_request(request_id: int) -> SectorChangeRequest:
    request = db.session.get(SectorChangeRequest, request_id)
    if request is None:
        raise NotFound("No such sector change request.")
    return request


def decide_sector_request(
    actor: User, request: SectorChangeRequest, decision: str, note: str = ""
) -> None:
    """Approve (the sector changes and every session of the member ends) or decline (with a
    reason for the member) a pending sector change; moderators, never on their own."""
    _require_staff(actor)
    if request.user_id == actor.id:
        raise Forbidden("Another moderator must decide on your own sector change.")
    if decision not in ("approve", "decline"):
        raise Invalid("Choose approve or decline.", {"decision": ["Choose approve or decline."]})
    note = note.strip()
    if decision == "decline" and not note:
        raise Invalid(
            "Please correct the marked fields.",
            {"note": ["Say why, so the member knows what to do."]},
        )
    if len(note) > DECISION_NOTE_MAX:
        raise Invalid(
            "Please correct the marked fields.",
            {"note": [f"Use at most {DECISION_NOTE_MAX} characters."]},
        )
    if request.status != "pending":
        raise Invalid("This request was already decided or withdrawn.")
    user = request.user
    if not user.is_active:
        raise Invalid("The account is deactivated or deleted.")
    with transaction():
        request.status = "approved" if decision == "approve" else "declined"
        request.decided_by_id = actor.id
        request.decided_at = utcnow()
        request.decision_note = note
        record_audit(
            actor,
            f"user.sector_{decision}",
            "user",
            user.id,
            old=user.sector,
            new=request.sector,
            request=request.id,
            **({"reason": note} if note else {}),
        )
        if decision == "approve":
            user.sector = request.sector
            user.session_version += 1


def take_sector_outcomes(user: User) -> list[SectorChangeRequest]:
    """Decisions on ``user``'s sector changes they have not been shown yet; marks them shown."""
    decided = list(
        db.session.scalars(
            select(SectorChangeRequest)
            .where(
                SectorChangeRequest.user_id == user.id,
                SectorChangeRequest.status.in_(("approved", "declined")),
                SectorChangeRequest.outcome_seen_at.is_(None),
            )
            .order_by(SectorChangeRequest.id)
        )
    )
    if decided:
        with transaction():
            for request in decided:
                request.outcome_seen_at = utcnow()
    return decided
