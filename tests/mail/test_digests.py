"""Theme digests: the first one covers what is new since the theme was made, later ones a
period after the previous; running twice sends nothing twice; the owner's visibility at
send time decides every item; one click stops that theme's digest and nothing else."""

import re
from datetime import timedelta

import pytest

from kx.accounts.models import User
from kx.database import utcnow
from kx.digests import services as digests
from kx.extensions import db
from kx.search import saved
from kx.search.models import SavedSearch
from tests.support.browser import submit
from tests.support.search import Kx
from tests.support.smtp import text_of


@pytest.fixture
def kx(app, make_user):
    return Kx(
        app,
        {
            "owner": make_user(sector="academic").id,
            "treatment": make_user(sector="treatment").id,
            "moderator": make_user(role="moderator", sector="policy").id,
        },
    )


def theme(kx, owner, name, digest="daily") -> int:
    with kx.app.app_context():
        return saved.save(kx.user(owner), name, {"q": "helpline"}, digest)[0].id


def send(kx, period="daily", at=None) -> int:
    with kx.app.app_context():
        return digests.send_due(period, at or utcnow())


def test_digest_is_due_once_per_period_and_unsubscribes_in_one_click(mail_app, smtp, kx):
    kx.practice("An old helpline", body="Before the theme.")
    first = theme(kx, "owner", "Helplines")
    other = theme(kx, "owner", "Helplines, weekly", digest="weekly")
    kx.practice("A new helpline", body="Body text.", summary="Answers calls from worried adults.")
    command = ["digests", "send", "--period", "daily"]
    result = mail_app.test_cli_runner().invoke(args=command)
    assert "Queued 1 theme digest(s)" in result.output
    assert send(kx) == 0  # nothing twice
    (message,) = smtp.wait_for(1)
    body = text_of(message)
    assert "1 new in “Helplines”" in message["Subject"]
    assert "A new helpline" in body and "Answers calls from worried adults." in body
    assert "An old helpline" not in body and "<mark>" not in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    kx.practice("Another helpline", body="Later.")
    assert send(kx, at=utcnow() + timedelta(hours=12)) == 0  # not a day yet
    assert send(kx, at=utcnow() + timedelta(days=1)) == 1
    later = text_of(smtp.wait_for(2)[1])
    assert "Another helpline" in later and "A new helpline" not in later

    path = message["List-Unsubscribe"].strip().strip("<>").removeprefix(mail_app.config["BASE_URL"])
    visitor = mail_app.test_client()
    assert "Helplines" in visitor.get(path).get_data(as_text=True)
    assert visitor.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with mail_app.app_context():
        assert db.session.get(SavedSearch, first).digest == "off"
        assert db.session.get(SavedSearch, other).digest == "weekly"


def test_a_restricted_item_never_reaches_a_reader_outside_its_sectors(mail_app, smtp, kx):
    outsider = theme(kx, "owner", "Helplines")
    insider = theme(kx, "treatment", "Helplines")
    kx.practice("Public helpline", body="For everyone.")
    kx.practice(
        "Restricted helpline",
        body="For treatment only.",
        visibility="restricted",
        restricted_sectors=["treatment"],
    )
    assert send(kx) == 2
    smtp.wait_for(2)
    with mail_app.app_context():
        owner_address = kx.user("owner").email
        insider_address = kx.user("treatment").email
        assert db.session.get(SavedSearch, outsider).digest_sent_at is not None
        assert db.session.get(SavedSearch, insider).digest_sent_at is not None
    outside = text_of(smtp.to(owner_address)[0])
    inside = text_of(smtp.to(insider_address)[0])
    assert "Public helpline" in outside and "Restricted helpline" not in outside
    assert "Public helpline" in inside and "Restricted helpline" in inside


def test_theme_pages_set_the_digest_and_keep_the_feed_address_visible(app, make_user, login):
    member = make_user(sector="academic")
    with app.app_context():
        theme_id = saved.save(db.session.get(User, member.id), "Helplines", {"q": "helpline"})[0].id
    client = app.test_client()
    login(client, member)
    manage = f"/themes/{theme_id}/manage"
    page = client.get(manage).get_data(as_text=True)
    feed = re.search(r'id="feed-url" class="feed-url" readonly value="([^"]+)"', page).group(1)
    assert "ends the current one" in page  # renewing warns that subscriptions break
    assert feed in client.get(f"/themes/{theme_id}").get_data(as_text=True)
    bad = submit(client, f"/themes/{theme_id}/digest", {"digest": "hourly"}, form_page=manage)
    assert bad.status_code == 422 and 'id="digest-errors"' in bad.get_data(as_text=True)
    good = submit(client, f"/themes/{theme_id}/digest", {"digest": "weekly"}, form_page=manage)
    assert good.status_code == 302
    with app.app_context():
        stored = db.session.get(SavedSearch, theme_id)
        assert stored.digest == "weekly" and stored.digest_sent_at is None
