"""The forum as the tests use it: posting like a browser from any forum page, reading a
response's text, and a vote raced in from another connection."""

import re
from contextlib import contextmanager

from sqlalchemy import event, insert

from kx.accounts.models import User
from kx.extensions import db
from kx.forum.models import Vote

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def send(client, url: str, data: dict | None = None, **kwargs):
    """POST like a browser: with the session's CSRF token, from the forum page when signed
    in (the header's sign-out form carries one) or from the sign-in page otherwise."""
    token = None
    for page in ("/forum", "/login"):
        match = _CSRF.search(client.get(page).get_data(as_text=True))
        if match:
            token = match.group(1)
            break
    assert token, "no CSRF token found"
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


@contextmanager
def vote_cast_meanwhile(app, thread_id: int, user_id: int):
    """Race a vote: the first time a request checks whether this member has voted for the
    need, the same vote is committed at once on another connection, as a second request
    sent a moment earlier (a double click) would."""
    with app.app_context():
        engine = db.engine
        sector = db.session.get(User, user_id).sector
    cast = []

    def cast_meanwhile(_conn, _cursor, statement, _parameters, _context, _executemany):
        if cast or not statement.lstrip().upper().startswith("SELECT"):
            return
        if "forum_votes" in statement and "user_id" in statement:
            cast.append(True)
            with engine.begin() as other:
                other.execute(
                    insert(Vote).values(thread_id=thread_id, user_id=user_id, sector=sector)
                )

    event.listen(engine, "after_cursor_execute", cast_meanwhile)
    try:
        yield cast
    finally:
        event.remove(engine, "after_cursor_execute", cast_meanwhile)
