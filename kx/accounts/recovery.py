"""Writes that prove who reads an address: password reset, address confirmation and change.

A reset request answers the same whatever the address, so nobody learns from it who has
an account, not even from how long the answer takes: the request only records the
address (``PasswordResetRequest``), the same write for every address, and the mail sender
looks it up after the answer (``compose_reset_links``, run by ``kx.mail`` before each
sending). Only an active account's address receives a link.
"""

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from kx.accounts import mailings
from kx.accounts.mailings import CHANGE, CONFIRM, RESET, BadLink
from kx.accounts.models import PasswordResetRequest, User, UserSession
from kx.accounts.passwords import hash_password, verify_password
from kx.accounts.services import _EMAIL_TAKEN, _check_password, find_user_by_email, normalise_email
from kx.database import transaction, utcnow
from kx.errors import Invalid
from kx.extensions import db
from kx.mail import PREPARERS, Preparer, send_after_commit

#: recorded requests one sending pass turns into links at most (the rest wait for the next)
COMPOSE_BATCH = 50
#: how old a request is before its link is composed: the sender starts at the request's
#: commit, and composing while the answer is still being written would slow that answer
#: down only when the address has an account
SETTLE = timedelta(milliseconds=50)


def request_password_reset(email: str) -> None:
    """Record that a link was asked for ``email``: the same write whether or not an account
    has it (a malformed address records nothing)."""
    try:
        email = normalise_email(email)
    except Invalid:
        return
    with transaction():
        db.session.add(PasswordResetRequest(email=email))
        send_after_commit()


def _resets_waiting() -> bool:
    return bool(db.session.scalar(select(exists().where(PasswordResetRequest.id.is_not(None)))))


def compose_reset_links() -> int:
    """Queue a link for each recorded request whose address an active account has; drop
    the others, and requests older than a link's life. Returns how many were queued."""
    waiting = db.session.execute(
        select(PasswordResetRequest.id, PasswordResetRequest.requested_at)
        .order_by(PasswordResetRequest.id)
        .limit(COMPOSE_BATCH)
    ).all()
    if not waiting:
        return 0
    db.session.rollback()  # hold no read snapshot while waiting
    young = waiting[-1].requested_at + SETTLE - utcnow()
    if young > timedelta(0):
        time.sleep(young.total_seconds())
    oldest = utcnow() - current_app.config["RESET_TOKEN_MAX_AGE"]
    queued = 0
    for request_id, _requested_at in waiting:
        with transaction():
            # deleting the row is the claim: of two senders, one gets it back and composes
            taken = db.session.execute(
                delete(PasswordResetRequest)
                .where(PasswordResetRequest.id == request_id)
                .returning(PasswordResetRequest.email, PasswordResetRequest.requested_at)
                .execution_options(synchronize_session=False)
            ).first()
            if taken is None or taken.requested_at < oldest:
                continue
            user = find_user_by_email(taken.email)
            if user is not None and user.is_active:
                mailings.send_reset_link(user)
                queued += 1
    return queued


PREPARERS.append(Preparer(waiting=_resets_waiting, prepare=compose_reset_links))


def _user(payload: dict) -> User:
    user = db.session.get(User, payload["u"])
    if user is None or not user.is_active:
        raise BadLink()
    return user


def reset_link_user(token: str) -> User:
    """The account a reset link may still change; raises ``BadLink``."""
    payload = mailings.read_link(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = _user(payload)
    if not mailings.reset_is_current(user, payload):
        raise BadLink()  # used, or the password or address changed since it was sent
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; ends every session and token of the
    account, and confirms its address (the link was read there). Raises ``BadLink``."""
    user = reset_link_user(token)
    errors = _check_password(new_password, user.email)
    if errors:
        raise Invalid("Please correct the marked fields.", {"new_password": errors["password"]})
    payload = mailings.read_link(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    with transaction():
        # checked again under the write lock: of two uses racing, one finds the link dead
        db.session.refresh(user, with_for_update=True)
        if not mailings.reset_is_current(user, payload):
            raise BadLink()
        user.password_hash = hash_password(new_password)
        user.session_version += 1
        db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
        mailings.announce_password_change(user, by_reset=True)
    return user


def resend_confirmation(user: User) -> None:
    """Mail ``user`` a new confirmation link, unless the address is confirmed already."""
    if user.email_confirmed_at is not None:
        return
    with transaction():
        mailings.send_confirmation(user)


def confirmation_link_user(token: str) -> User:
    """The account whose address a confirmation link confirms; raises ``BadLink``."""
    payload = mailings.read_link(CONFIRM, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = _user(payload)
    if payload.get("e") != user.email:
        raise BadLink()  # the account has another address now
    return user


def confirm_address(token: str) -> User:
    """Mark the address a confirmation link was sent to as confirmed; raises ``BadLink``."""
    user = confirmation_link_user(token)
    if user.email_confirmed_at is None:
        with transaction():
            user.email_confirmed_at = utcnow()
    return user


def request_address_change(user: User, new_email: str, password: str) -> str:
    """Mail a confirmation link to ``new_email``; the address changes when it is followed.
    Returns the normalised new address."""
    errors = {}
    if not verify_password(user.password_hash, password):
        errors["password"] = ["The password is not correct."]
    try:
        new_email = normalise_email(new_email)
    except Invalid as exc:
        errors["new_email"] = exc.fields["email"]
    else:
        if new_email == user.email:
            errors["new_email"] = ["This is already your address."]
        elif find_user_by_email(new_email):
            errors["new_email"] = [_EMAIL_TAKEN]
    if errors:
        raise Invalid("Please correct the marked fields.", errors)
    with transaction():
        mailings.send_change_confirmation(user, new_email)
    return new_email


def change_link(token: str) -> tuple[User, str]:
    """The account an address-change link moves, and its new address; raises ``BadLink``
    (also once used: the account no longer has the address the link was sent from)."""
    payload = mailings.read_link(CHANGE, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = _user(payload)
    new = payload.get("e")
    if payload.get("old") != user.email or not isinstance(new, str):
        raise BadLink()
    return user, new


def confirm_address_change(token: str) -> User:
    """Move the account to the address the link was sent to and tell the old address;
    raises ``BadLink``, or ``Invalid`` when another account took the address meanwhile."""
    user, new = change_link(token)
    old = user.email
    if find_user_by_email(new):
        raise Invalid(_EMAIL_TAKEN)
    try:
        with transaction():
            user.email = new
            user.email_confirmed_at = utcnow()
            mailings.announce_address_change(user, old)
    except IntegrityError as exc:  # the same address taken a moment ago
        raise Invalid(_EMAIL_TAKEN) from exc
    return user
