"""Signing out ends this browser's session only; "sign out everywhere" ends them all."""

from datetime import timedelta

from sqlalchemy import select, update

from kx.accounts import sessions
from kx.accounts.models import UserSession
from kx.database import utcnow
from kx.extensions import db
from tests.support.accounts import is_signed_in
from tests.support.browser import Page, copy_cookie, submit

TOKENS = "/api/v1/tokens"


def token_works(client, headers) -> bool:
    response = client.get(TOKENS, headers=headers)
    assert response.status_code in (200, 401), response.get_data(as_text=True)
    return response.status_code == 200


def token_for(client, user) -> dict:
    response = client.post(TOKENS, json={"email": user.email, "password": user.password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def session_rows(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user_id))
        return [
            UserSession(
                digest=r.digest, created_at=r.created_at, last_seen_at=r.last_seen_at, id=r.id
            )
            for r in rows
        ]


def sign_out(client):
    response = submit(client, "/logout", form_page="/")
    assert response.status_code == 302
    return response


def test_signing_out_leaves_the_other_browsers_and_the_tokens_working(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    token = token_for(laptop, user)
    thief = app.test_client()  # took a copy of the laptop's cookie jar before it signed out
    copy_cookie(laptop, thief)

    sign_out(laptop)

    assert "You are signed out." in Page(laptop.get("/")).text
    assert not is_signed_in(laptop)
    assert not is_signed_in(thief)
    assert is_signed_in(phone)
    assert token_works(phone, token)


def test_the_remember_me_cookie_of_the_signed_out_browser_stops_working(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user, remember=True)
    login(phone, user, remember=True)
    laptop_cookie = laptop.get_cookie("remember_token").value
    phone_cookie = phone.get_cookie("remember_token").value

    sign_out(laptop)

    replayed = app.test_client()  # only the laptop's remember-me cookie, copied before
    replayed.set_cookie("remember_token", laptop_cookie)
    assert not is_signed_in(replayed)
    restored = app.test_client()  # the phone's session cookie expired; remember-me signs in
    restored.set_cookie("remember_token", phone_cookie)
    assert is_signed_in(restored)


def test_signing_out_everywhere_ends_every_browser_and_token(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user, remember=True)
    login(phone, user)
    token = token_for(laptop, user)
    remembered = laptop.get_cookie("remember_token").value

    response = submit(phone, "/account/logout-everywhere", form_page="/account")

    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not token_works(phone, token)
    replayed = app.test_client()
    replayed.set_cookie("remember_token", remembered)
    assert not is_signed_in(replayed)
    assert session_rows(app, user.id) == []


def test_the_account_page_says_what_signing_out_everywhere_does(client, make_user, login):
    login(client, make_user())
    assert (
        "Sign out on every device and revoke your API tokens" in Page(client.get("/account")).text
    )


def test_the_cookie_carries_a_random_id_whose_digest_alone_is_stored(app, client, make_user, login):
    user = make_user()
    login(client, user)
    with client.session_transaction() as session:
        user_id, _, raw = session["_user_id"].partition(":")
    assert user_id == str(user.id)
    assert len(raw) >= 32
    (row,) = session_rows(app, user.id)
    assert raw not in row.digest
    assert len(row.digest) == 64


def test_signing_out_deletes_the_session_record(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    assert len(session_rows(app, user.id)) == 2

    sign_out(laptop)

    assert len(session_rows(app, user.id)) == 1


def test_signing_in_again_ends_the_browsers_earlier_session(app, client, make_user, login):
    first, second = make_user(), make_user()
    login(client, first)
    earlier = app.test_client()
    copy_cookie(client, earlier)

    login(client, second)

    assert not is_signed_in(earlier)
    assert session_rows(app, first.id) == []


def test_last_seen_is_written_at_most_once_a_minute(app, client, make_user, login):
    user = make_user()
    login(client, user)
    (row,) = session_rows(app, user.id)
    for _ in range(3):
        assert is_signed_in(client)
    assert session_rows(app, user.id)[0].last_seen_at == row.last_seen_at

    two_minutes_ago = utcnow() - timedelta(minutes=2)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=two_minutes_ago))
        db.session.commit()
    assert is_signed_in(client)

    assert session_rows(app, user.id)[0].last_seen_at > two_minutes_ago + timedelta(seconds=60)


def test_a_session_unseen_for_longer_than_any_cookie_lives_is_refused_and_cleaned_up(
    app, client, make_user, login
):
    user, other = make_user(), make_user()
    login(client, user, remember=True)
    long_ago = utcnow() - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=long_ago))
        db.session.commit()

    assert not is_signed_in(client)
    login(app.test_client(), other)  # any sign-in sweeps the records of ended sessions
    assert session_rows(app, user.id) == []


def test_records_of_sessions_ended_by_a_password_change_are_cleaned_up(
    app, client, make_user, login
):
    user = make_user()
    login(client, user)
    login(app.test_client(), user)
    response = submit(
        client,
        "/account/password",
        {"current_password": user.password, "new_password": "a different long passphrase"},
    )
    assert response.status_code == 302
    assert len(session_rows(app, user.id)) == 1  # only this browser's new session
    assert is_signed_in(client)


def test_an_idle_timeout_ends_the_session_record_and_every_copy_of_its_cookie(
    app, client, make_user, login, monkeypatch
):
    class Clock:
        now = 1_800_000_000.0

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(sessions, "time", clock)
    app.config["IDLE_TIMEOUT"] = timedelta(minutes=2)
    user = make_user()
    login(client, user)
    thief = app.test_client()
    copy_cookie(client, thief)
    for _ in range(3):  # the thief keeps the copy busy while the owner is away
        clock.now += 100
        assert is_signed_in(thief)

    assert not is_signed_in(client)  # the owner's browser times out ...
    assert not is_signed_in(thief)  # ... and takes the copy with it
    assert session_rows(app, user.id) == []
