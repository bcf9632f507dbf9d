"""Browser sessions and the sign-in budget.

Each signed-in browser has a server-side record (``UserSession``); its cookies (session
and remember-me) carry ``<user id>:<random id>`` and work only while the record exists.
Signing out deletes this browser's record, so copies of its cookies die with it; "sign out
everywhere", a password change, deactivation and role or sector changes bump the user's
``session_version``, which ends every record and API token issued before.

Failed sign-ins, by the form and by ``POST /api/v1/tokens`` alike, are counted per client
address and per account. A browser that has signed in to an account carries a signed
device cookie (OWASP's "device cookies"); its attempts on that account count against its
own budget, so someone guessing elsewhere cannot lock the owner out.
"""

import hashlib
import secrets
import time

from flask import after_this_request, current_app, flash, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest

from kx.accounts import services
from kx.accounts.models import AnonymousUser, User
from kx.extensions import limiter, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
login_manager.anonymous_user = AnonymousUser

DEVICE_COOKIE = "kx_device"
_DEVICE_ACCOUNTS = 10  # accounts one browser is trusted for (a shared family computer)


def _session_id() -> str:
    """The random id of this browser's session record, or "" when it has none."""
    _uid, _, raw = str(session.get("_user_id", "")).partition(":")
    return raw


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _, raw = user_id.partition(":")
    if not (uid.isdigit() and raw):
        return None
    record = services.browser_session(raw)
    if record is None or record.user_id != int(uid):
        return None
    return record.user


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in under a fresh session (no value from before login survives)."""
    if _session_id():  # someone signed in on this browser before: that session ends here
        services.end_browser_session(_session_id())
    raw = services.start_browser_session(user)
    session.clear()
    session.permanent = True
    login_user(user, remember=remember)
    session["_user_id"] = f"{user.id}:{raw}"  # what the remember-me cookie carries, too
    if not remember:
        # Drop a remember-me cookie left by an earlier sign-in on this browser (perhaps
        # someone else's), or it would sign that account back in when this session ends.
        session["_remember"] = "clear"
    session["seen"] = int(time.time())


def end_session() -> None:
    """Sign this browser out; copies of its cookies stop working, other sessions go on."""
    if _session_id():
        services.end_browser_session(_session_id())
    session.clear()
    logout_user()  # after clear(): it flags the remember-me cookie for deletion


def end_every_session(user: User) -> None:
    """Sign ``user`` out everywhere: every browser session and every API token."""
    services.end_sessions(user)
    session.clear()
    logout_user()


def enforce_idle_timeout() -> None:
    """Sign out a session left idle for longer than ``IDLE_TIMEOUT``."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    seen = session.get("seen", now)
    if now - seen > current_app.config["IDLE_TIMEOUT"].total_seconds():
        services.end_browser_session(_session_id())
        session.pop("seen", None)
        logout_user()  # keeps the CSRF token, so a form typed before the timeout still posts
        flash("You were signed out after a period of inactivity.", "info")
        return
    if now - seen >= 60:  # refresh at most once a minute to spare a Set-Cookie per request
        session["seen"] = now
    session.setdefault("seen", now)


# The sign-in budget


def _account(email: str) -> str:
    """The budget key of a submitted address: a digest, so that any text (even 2 MB, or
    with an unpaired surrogate) makes a short key and no address is kept in the store."""
    normalised = email.strip().lower().encode("utf-8", "surrogatepass")
    return hashlib.sha256(normalised).hexdigest()


def _submitted_email() -> str:
    """The ``email`` sent to the form, or in the JSON body of ``POST /api/v1/tokens``."""
    if request.form:
        email = request.form.get("email")
    else:
        try:
            body = request.get_json(force=True, silent=True)
        except (BadRequest, RecursionError):
            body = None
        email = body.get("email") if isinstance(body, dict) else None
    return email if isinstance(email, str) else ""


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="kx-device-cookie")


def _device() -> dict | None:
    """This browser's valid device cookie: ``{"id": …, "accounts": [account keys]}``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    max_age = current_app.config["DEVICE_COOKIE_DURATION"].total_seconds()
    try:
        device = _devices().loads(raw, max_age=max_age)
    except BadSignature:
        return None
    if not (
        isinstance(device, dict)
        and isinstance(device.get("id"), str)
        and isinstance(device.get("accounts"), list)
    ):
        return None
    return device


def _account_budget_key() -> str:
    account = _account(_submitted_email())
    device = _device()
    if device and account in device["accounts"]:
        return f"device:{device['id']}:{account}"
    return f"account:{account}"


def _failed_sign_in(_response) -> bool:
    return g.get("sign_in_failed", False)


# One budget per account and one per client address, shared by the sign-in form and
# ``POST /api/v1/tokens``; only wrong credentials spend it.
account_budget = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_LOGIN_LIMITS"],
    scope="sign-in-account",
    key_func=_account_budget_key,
    methods=["POST"],
    deduct_when=_failed_sign_in,
)
address_budget = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMITS"],
    scope="sign-in-address",
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=_failed_sign_in,
)


def authenticate(email: str, password: str) -> User | None:
    """``services.authenticate``, spending the sign-in budget on a failure and trusting
    this browser for the account on a success."""
    user = services.authenticate(email, password)
    if user is None:
        g.sign_in_failed = True
        return None
    account = _account(email)
    device = _device() or {}
    accounts = [account, *(a for a in device.get("accounts", ()) if a != account)]
    value = _devices().dumps(
        {
            "id": device.get("id") or secrets.token_urlsafe(16),
            "accounts": accounts[:_DEVICE_ACCOUNTS],
        }
    )

    @after_this_request
    def _set_device_cookie(response):
        config = current_app.config
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=config["DEVICE_COOKIE_DURATION"],
            secure=config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response

    return user
