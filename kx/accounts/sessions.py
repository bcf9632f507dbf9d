"""Browser sessions: loading the user, rotating at login, idle timeout, ending sessions.

Flask keeps the session in a signed cookie, so there is no server-side session to delete.
Instead the user's id in the cookie carries ``session_version``; logout, password change,
deactivation and "log out everywhere" bump it, and a cookie (or remember-me cookie, or API
token) minted under an older version is refused on its next request.
"""

import time

from flask import current_app, flash, session
from flask_login import current_user, login_user, logout_user

from kx.accounts import services
from kx.accounts.models import AnonymousUser, User
from kx.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
login_manager.anonymous_user = AnonymousUser


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    uid, _, version = user_id.partition(":")
    if not (uid.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def start_session(user: User, remember: bool = False) -> None:
    """Log ``user`` in under a fresh session (no value from before login survives)."""
    session.clear()
    session.permanent = True
    login_user(user, remember=remember)
    if not remember:
        # Drop a remember-me cookie left by an earlier sign-in on this browser (perhaps
        # someone else's), or it would sign that account back in when this session ends.
        session["_remember"] = "clear"
    session["seen"] = int(time.time())


def end_session(user: User) -> None:
    """Log out here and invalidate every copy of this user's cookies and tokens."""
    services.end_sessions(user)
    session.clear()
    logout_user()  # after clear(): it flags the remember-me cookie for deletion


def enforce_idle_timeout() -> None:
    """Sign out a session left idle for longer than ``IDLE_TIMEOUT``."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    seen = session.get("seen", now)
    if now - seen > current_app.config["IDLE_TIMEOUT"].total_seconds():
        session.pop("seen", None)
        logout_user()  # keeps the CSRF token, so a form typed before the timeout still posts
        flash("You were signed out after a period of inactivity.", "info")
        return
    if now - seen >= 60:  # refresh at most once a minute to spare a Set-Cookie per request
        session["seen"] = now
    session.setdefault("seen", now)
