"""Accounts as the tests see them: the test password, rows read like an auditor, and
whether a browser is signed in."""

from types import SimpleNamespace

from sqlalchemy import func, select

from kx.accounts.models import AuditEvent, SectorChangeRequest, User
from kx.extensions import db

PASSWORD = "a long test passphrase 4 u"


def user_row(app, user_id: int) -> SimpleNamespace:
    """A snapshot of the user's row as stored."""
    with app.app_context():
        user = db.session.get(User, user_id)
        columns = {c.key: getattr(user, c.key) for c in User.__table__.columns}
        return SimpleNamespace(**columns, is_verified=user.is_verified)


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def audit_rows(app) -> list[SimpleNamespace]:
    with app.app_context():
        return [
            SimpleNamespace(
                actor_id=e.actor_id,
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                details=e.details,
            )
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def is_signed_in(client) -> bool:
    """True when ``client``'s cookies open the account page (else it is sent to sign in)."""
    response = client.get("/account")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def pending_request_id(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(SectorChangeRequest.id).where(
                SectorChangeRequest.user_id == user_id, SectorChangeRequest.status == "pending"
            )
        )


def signed_in_cast(app, make_user, login, people: dict[str, dict], anonymous: bool = False):
    """One account per ``people`` entry (name -> ``make_user`` fields), each with
    ``<name>_client`` (a signed-in browser) and ``<name>_api`` (a bearer header); with
    ``anonymous``, also a signed-out browser."""
    from kx.accounts import services as accounts

    cast = {}
    for name, fields in people.items():
        user = make_user(**fields)
        browser = app.test_client()
        login(browser, user)
        with app.app_context():
            _token, raw = accounts.create_token(db.session.get(User, user.id), "test")
        cast[name] = user
        cast[f"{name}_client"] = browser
        cast[f"{name}_api"] = {"Authorization": f"Bearer {raw}"}
    if anonymous:
        cast["anonymous"] = app.test_client()
    return type("Cast", (), cast)
