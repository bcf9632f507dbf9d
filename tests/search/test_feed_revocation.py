"""A theme's feed address ends with its owner's sessions and API tokens:
signing out everywhere, a new password, a role or sector change and deactivation all end it,
and the theme page then offers a fresh address."""

import pytest

from tests.support.accounts import pending_request_id
from tests.support.browser import submit
from tests.support.search import FEED, feed_entries, save_theme


@pytest.fixture
def owner(make_user):
    return make_user(sector="academic")


@pytest.fixture
def admin(app, make_user, login):
    browser = app.test_client()
    login(browser, make_user(role="admin", sector="policy"))
    return browser


def sign_out_everywhere(app, client, owner, admin, login):
    submit(client, "/account/logout-everywhere", form_page="/account")


def change_password(app, client, owner, admin, login):
    new = "another long passphrase here"
    response = submit(
        client,
        "/account/password",
        {"current_password": owner.password, "new_password": new},
    )
    assert response.status_code == 302
    owner.password = new


def change_role(app, client, owner, admin, login):
    response = submit(admin, f"/admin/users/{owner.id}/role", {"role": "moderator"}, "/admin/users")
    assert response.status_code == 302


def change_sector(app, client, owner, admin, login):
    submit(
        client,
        "/account",
        {"display_name": "Owner", "sector": "treatment", "country": "GB"},
    )
    request_id = pending_request_id(app, owner.id)
    response = submit(
        admin, f"/admin/sector-requests/{request_id}/approve", form_page="/admin/verification"
    )
    assert response.status_code == 302


def deactivate_and_reactivate(app, client, owner, admin, login):
    for active in ("0", "1"):
        response = submit(
            admin, f"/admin/users/{owner.id}/active", {"active": active}, "/admin/users"
        )
        assert response.status_code == 302


@pytest.mark.parametrize(
    "revoke",
    [sign_out_everywhere, change_password, change_role, change_sector, deactivate_and_reactivate],
)
def test_ending_every_session_ends_the_feed_address(app, client, kx, owner, admin, login, revoke):
    kx.practice("Public helpline", body="helpline")
    login(client, owner)
    theme_id, feed = save_theme(client, "Helplines", q="helpline")
    reader = app.test_client()  # a feed reader has no session
    assert [e["title"] for e in feed_entries(reader, feed)] == ["Public helpline"]

    revoke(app, client, owner, admin, login)

    assert reader.get(feed).status_code == 404
    login(client, owner)
    manage = f"/themes/{theme_id}/manage"
    page = client.get(manage).get_data(as_text=True)
    assert "Your feed address stopped working" in page
    response = submit(client, f"/themes/{theme_id}/feed", {}, manage)
    assert response.status_code == 302
    page = client.get(manage).get_data(as_text=True)
    fresh = f"/feeds/{FEED.search(page)[1]}.atom"
    assert "Your feed address stopped working" not in page
    assert fresh != feed
    assert [e["title"] for e in feed_entries(reader, fresh)] == ["Public helpline"]
    assert reader.get(feed).status_code == 404


def test_a_profile_edit_or_a_new_api_token_leaves_the_feed_working(
    app, client, kx, owner, login, api_token
):
    kx.practice("Public helpline", body="helpline")
    login(client, owner)
    _theme_id, feed = save_theme(client, "Helplines", q="helpline")

    submit(client, "/account", {"display_name": "Renamed", "sector": "academic", "country": "FR"})
    api_token(owner)

    assert [e["title"] for e in feed_entries(app.test_client(), feed)] == ["Public helpline"]
