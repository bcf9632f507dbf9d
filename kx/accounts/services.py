"""Everything that changes accounts, tokens and the audit log; the only code here that commits."""

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from kx import mail, taxonomy
from kx.accounts import mailings
from kx.accounts.models import ApiToken, SectorChangeRequest, User, UserSession
from kx.accounts.passwords import hash_password, password_problems, verify_password
from kx.audit import AuditEvent, audit_events, record_audit  # noqa: F401  (audit_events: views)
from kx.database import transaction, utcnow
from kx.errors import Forbidden, Invalid, NotFound
from kx.extensions import db

# name -> function(user) returning JSON-ready data; other packages add their content here.
EXPORTERS: dict[str, Callable[[User], object]] = {}


# functions(user) that erase a package's personal data of ``user`` when the account is
# deleted; they run inside the deletion's transaction.
ERASERS: list[Callable[[User], None]] = []


def register_erasure(eraser: Callable[[User], None]) -> None:
    """Run ``eraser(user)`` inside every account deletion's transaction."""
    ERASERS.append(eraser)


# functions(actor, user) run inside the transaction that verifies ``user``
# (kx.notifications tells them); accounts cannot import them.
VERIFICATION_LISTENERS: list[Callable[[User, User], None]] = []


def register_export(name: str, exporter: Callable[[User], object]) -> None:
    """Include ``exporter(user)`` under ``name`` in every personal data export."""
    EXPORTERS[name] = exporter


def normalise_email(email: str) -> str:
    """Lower-cased, syntax-checked address; raises ``Invalid`` on ``email``."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("Check the e-mail address.", {"email": [str(exc)]}) from exc


def _check_profile(sector: str, country: str) -> dict[str, list[str]]:
    errors = {}
    if sector not in taxonomy.SECTORS:
        errors["sector"] = ["Choose a sector from the list."]
    if country not in taxonomy.countries():
        errors["country"] = ["Choose a country from the list."]
    return errors


def _check_password(password: str, email: str) -> dict[str, list[str]]:
    problems = password_problems(password, email, current_app.config["SITE_NAME"])
    return {"password": problems} if problems else {}


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


_EMAIL_TAKEN = "An account with this e-mail address already exists."


def register_user(
    *,
    email: str,
    display_name: str,
    password: str,
    sector: str,
    country: str,
    organisation: str = "",
    bio: str = "",
    role: str = "member",
    verified: bool = False,
) -> User:
    """Create an account; unverified unless created by an operator (``verified``)."""
    errors = {}
    try:
        email = normalise_email(email)
    except Invalid as exc:
        errors.update(exc.fields)
    display_name = display_name.strip()
    if not display_name:
        errors["display_name"] = ["Enter the name other members will see."]
    errors |= _check_profile(sector, country)
    if role not in taxonomy.ROLES:
        errors["role"] = ["Choose member, moderator or admin."]
    if "email" not in errors:
        errors |= _check_password(password, email)
        if find_user_by_email(email):
            errors["email"] = [_EMAIL_TAKEN]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    try:
        with transaction():
            user = User(
                email=email,
                display_name=display_name,
                password_hash=hash_password(password),
                sector=sector,
                country=country,
                organisation=organisation.strip(),
                bio=bio.strip(),
                role=role,
            )
            if verified:  # an operator vouches for the address too
                user.verified_at = user.email_confirmed_at = utcnow()
            db.session.add(user)
            if not verified:
                db.session.flush()  # the link names the account by its id
                mailings.send_confirmation(user)
    except IntegrityError as exc:  # the same address registered a moment ago
        if "email" not in str(exc.orig):
            raise
        raise Invalid("Please correct the marked fields.", {"email": [_EMAIL_TAKEN]}) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong)."""
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.is_active):
        return None
    with transaction():
        user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every browser session (and its cookies) and API token of ``user``."""
    with transaction():
        user.session_version += 1
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; ends every other session."""
    if not verify_password(user.password_hash, current):
        raise Invalid(
            "Please correct the marked fields.",
            {"current_password": ["The current password is not correct."]},
        )
    errors = _check_password(new, user.email)
    if errors:
        raise Invalid("Please correct the marked fields.", {"new_password": errors["password"]})
    with transaction():
        user.password_hash = hash_password(new)
        user.session_version += 1
        mailings.announce_password_change(user, by_reset=False)


def _require_staff(actor: User, admin: bool = False) -> None:
    if not (actor.is_admin if admin else actor.is_moderator):
        raise Forbidden(
            "Only administrators may do this." if admin else "Only moderators may do this."
        )


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def verify_user(actor: User, user: User, seen_sector: str | None = None) -> None:
    """Mark ``user`` as a verified member; moderators and admins only.

    ``seen_sector``: the sector the moderator was shown; refused when the member has
    changed it since (their sector decides what they may read once verified)."""
    _require_staff(actor)
    if user.is_verified:
        return
    if not user.is_active:
        raise Invalid("A deactivated or deleted account cannot be verified.")
    if seen_sector is not None and seen_sector != user.sector:
        raise Invalid(
            f"{user.display_name} changed their sector to "
            f"“{taxonomy.label('sectors', user.sector)}” after you opened the queue: "
            "check it, then verify again."
        )
    with transaction():
        user.verified_at = utcnow()
        user.verified_by_id = actor.id
        record_audit(actor, "user.verify", "user", user.id)
        for listener in VERIFICATION_LISTENERS:
            listener(actor, user)


def change_role(actor: User, user: User, role: str) -> None:
    """Give ``user`` another role; admins only, and never their own."""
    _require_staff(actor, admin=True)
    if role not in taxonomy.ROLES:
        raise Invalid("Choose member, moderator or admin.", {"role": ["Unknown role."]})
    if user.id == actor.id:
        raise Forbidden("Administrators cannot change their own role.")
    if user.role == role:
        return
    with transaction():
        record_audit(actor, "user.role", "user", user.id, old=user.role, new=role)
        user.role = role
        user.session_version += 1  # what the account may do changed: sign in again
        if role != "member" and user.verified_at is None:
            user.verified_at = utcnow()
            user.verified_by_id = actor.id


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (ending every session) or reactivate an account; admins only."""
    _require_staff(actor, admin=True)
    if user.id == actor.id:
        raise Forbidden("Administrators cannot deactivate themselves.")
    if user.deleted_at or user.active == active:
        return
    with transaction():
        user.active = active
        user.session_version += 1
        record_audit(actor, "user.activate" if active else "user.deactivate", "user", user.id)


def delete_account(user: User, password: str) -> None:
    """Erase personal data; the user's content stays, shown as by a former member."""
    if not verify_password(user.password_hash, password):
        raise Invalid(
            "Please correct the marked fields.", {"password": ["The password is not correct."]}
        )
    if user.is_admin and not _other_admins(user):
        raise Invalid("You are the last administrator: make someone else an administrator first.")
    with transaction():
        user.email = f"deleted-{user.id}@deleted.invalid"
        user.display_name = "Former member"
        user.organisation = ""
        user.bio = ""
        user.password_hash = ""
        user.sector = user.country = None
        user.role = "member"
        user.created_at = user.last_login_at = user.verified_at = None
        user.verified_by_id = None
        user.deleted_at = utcnow()
        user.active = False
        user.session_version += 1
        db.session.execute(db.delete(ApiToken).where(ApiToken.user_id == user.id))
        db.session.execute(
            db.delete(SectorChangeRequest).where(SectorChangeRequest.user_id == user.id)
        )
        _erase_audited_values(user)
        mail.forget(user)
        for eraser in ERASERS:
            eraser(user)


# Audit details that hold the member's own sector; the events stay, the values go.
_ERASED_DETAILS = ("old", "new", "reason")


def _erase_audited_values(user: User) -> None:
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.target_type == "user",
            AuditEvent.target_id == user.id,
            AuditEvent.action.like("user.sector_%"),
        )
    )
    for event in events:
        event.details = {k: v for k, v in event.details.items() if k not in _ERASED_DETAILS}


def _other_admins(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.role == "admin", User.id != user.id, User.active, User.deleted_at.is_(None)
        )
    )


def export_user_data(user: User) -> dict:
    """Everything ``user`` wrote or holds here, as JSON-ready data."""
    data = {
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "sector": user.sector,
            "country": user.country,
            "organisation": user.organisation,
            "bio": user.bio,
            "role": user.role,
            "verified": user.is_verified,
            "created_at": user.created_at.isoformat() + "Z",
        },
        "api_tokens": [
            {
                "id": t.id,
                "name": t.name,
                "created_at": t.created_at.isoformat() + "Z",
                "expires_at": t.expires_at.isoformat() + "Z",
                "revoked": t.revoked_at is not None,
            }
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
        ],
        "sector_change_requests": [
            {
                "sector": r.sector,
                "reason": r.reason,
                "status": r.status,
                "created_at": r.created_at.isoformat() + "Z",
                "decided_at": r.decided_at.isoformat() + "Z" if r.decided_at else None,
                "decision_note": r.decision_note,
            }
            for r in db.session.scalars(
                select(SectorChangeRequest)
                .where(SectorChangeRequest.user_id == user.id)
                .order_by(SectorChangeRequest.id)
            )
        ],
        "staff_actions": [
            {
                "action": e.action,
                "target_type": e.target_type,
                "target_id": e.target_id,
                "details": e.details,
                "created_at": e.created_at.isoformat() + "Z",
            }
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
            )
        ],
    }
    for name, exporter in EXPORTERS.items():
        data[name] = exporter(user)
    return data


def unverified_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.verified_at.is_(None), User.active, User.deleted_at.is_(None))
            .order_by(User.created_at)
        )
    )


def verified_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.verified_at.is_not(None), User.active, User.deleted_at.is_(None))
            .order_by(func.lower(User.display_name))
        )
    )


def all_users() -> list[User]:
    """Every account that still exists, unverified first, then by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.deleted_at.is_(None))
            .order_by(User.verified_at.is_not(None), func.lower(User.display_name))
        )
    )


# API tokens


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token and its raw value (shown once; only the digest is kept)."""
    raw = "kx_" + secrets.token_urlsafe(32)
    with transaction():
        token = ApiToken(
            user=user,
            digest=_digest(raw),
            name=name.strip()[:80],
            session_version=user.session_version,
            expires_at=utcnow() + current_app.config["API_TOKEN_LIFETIME"],
        )
        db.session.add(token)
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The user a valid bearer token belongs to, or None."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == _digest(raw)).options(joinedload(ApiToken.user))
    )
    now = utcnow()
    if token is None or not token.is_valid(now):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        with transaction():
            token.last_used_at = now
    return token.user


def active_tokens(user: User):
    """A query for ``user``'s tokens that still work, oldest first."""
    return (
        select(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
            ApiToken.session_version == user.session_version,
        )
        .order_by(ApiToken.id)
    )


def revoke_token(user: User, token_id: int) -> None:
    """Revoke one of ``user``'s tokens; another user's token id is simply not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("No such token.")
    with transaction():
        token.revoked_at = utcnow()


# Browser sessions


def _session_record_lifetime() -> timedelta:
    """How long a browser session may go unseen: the longest life of any of its cookies."""
    config = current_app.config
    return max(config["PERMANENT_SESSION_LIFETIME"], config["REMEMBER_COOKIE_DURATION"])


def start_browser_session(user: User) -> str:
    """Record a newly signed-in browser of ``user``; returns the raw id its cookies carry.

    Also deletes the records of sessions that ended without a logout: ``user``'s from
    before a session-version bump, and anyone's left unseen longer than a cookie lives.
    """
    raw = secrets.token_urlsafe(32)
    with transaction():
        db.session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.last_seen_at < utcnow() - _session_record_lifetime(),
                    (UserSession.user_id == user.id)
                    & (UserSession.session_version != user.session_version),
                )
            )
        )
        db.session.add(
            UserSession(user=user, digest=_digest(raw), session_version=user.session_version)
        )
    return raw


def browser_session(raw: str) -> UserSession | None:
    """The live session whose cookies carry ``raw``, or None; notes the visit (at most once
    a minute, to spare a write per request)."""
    row = db.session.scalar(
        select(UserSession)
        .where(UserSession.digest == _digest(raw))
        .options(joinedload(UserSession.user))
    )
    now = utcnow()
    if row is None or not row.is_valid():
        return None
    if now - row.last_seen_at > _session_record_lifetime():
        return None
    if (now - row.last_seen_at).total_seconds() >= 60:
        with transaction():
            row.last_seen_at = now
    return row


def end_browser_session(raw: str) -> None:
    """End one browser's session: its cookies stop working, also copies held elsewhere."""
    with transaction():
        db.session.execute(delete(UserSession).where(UserSession.digest == _digest(raw)))
