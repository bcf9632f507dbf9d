"""The mail an account receives about itself, and the signed links in it.

A link carries a token signed with the secret key that names the account and a
fingerprint of what the link may change: a password-reset link holds a digest of the
current password hash and address, so it dies when either changes (it is single-use
without a table of used tokens); an address link holds the address it confirms. Every
token has a purpose of its own (the salt), so one kind of link never opens another.
"""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from kx.accounts.models import User
from kx.mail import absolute_url, queue_mail

RESET, CONFIRM, CHANGE = "kx-password-reset", "kx-confirm-address", "kx-change-address"


class BadLink(Exception):
    """A link that is malformed, expired or already used; ``expired`` tells which."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=purpose)


def _fingerprint(user: User) -> str:
    """Changes whenever the password or the address changes: a reset link then dies."""
    material = f"{user.password_hash}\0{user.email}\0{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _sign(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_link(purpose: str, token: str, max_age: timedelta) -> dict:
    """The payload of a ``purpose`` token; raises ``BadLink``."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age.total_seconds())
    except SignatureExpired as exc:
        raise BadLink(expired=True) from exc
    except BadSignature as exc:
        raise BadLink() from exc
    if not (isinstance(payload, dict) and isinstance(payload.get("u"), int)):
        raise BadLink()
    return payload


def reset_is_current(user: User, payload: dict) -> bool:
    return payload.get("f") == _fingerprint(user)


def _minutes(setting: str) -> int:
    return int(current_app.config[setting].total_seconds() // 60)


# The messages; each call runs inside the transaction of the change it reports.


def send_reset_link(user: User) -> None:
    token = _sign(RESET, {"u": user.id, "f": _fingerprint(user)})
    queue_mail(
        user,
        "reset_password",
        "Reset your password",
        link=absolute_url("accounts.reset_password", token=token),
        minutes=_minutes("RESET_TOKEN_MAX_AGE"),
        request_link=absolute_url("accounts.forgot_password"),
    )


def send_confirmation(user: User) -> None:
    token = _sign(CONFIRM, {"u": user.id, "e": user.email})
    queue_mail(
        user,
        "confirm_address",
        "Confirm your e-mail address",
        link=absolute_url("accounts.confirm_address", token=token),
        days=current_app.config["EMAIL_TOKEN_MAX_AGE"].days,
    )


def send_change_confirmation(user: User, new_email: str) -> None:
    token = _sign(CHANGE, {"u": user.id, "e": new_email, "old": user.email})
    queue_mail(
        user,
        "change_address",
        "Confirm your new e-mail address",
        to=new_email,
        link=absolute_url("accounts.confirm_address_change", token=token),
        new_email=new_email,
        days=current_app.config["EMAIL_TOKEN_MAX_AGE"].days,
    )


def announce_address_change(user: User, old_email: str) -> None:
    queue_mail(
        user,
        "address_changed",
        "Your e-mail address was changed",
        to=old_email,
        new_email=user.email,
    )


def announce_password_change(user: User, by_reset: bool) -> None:
    queue_mail(
        user,
        "password_changed",
        "Your password was changed",
        by_reset=by_reset,
        reset_link=absolute_url("accounts.forgot_password"),
    )
