"""Saved searches ("my themes"): saving from the search page, new matches since the last
visit, rename and delete, and the private, revocable Atom feed that shows only what its
owner may see now."""

import re

import pytest

from kx.accounts import services as accounts
from kx.accounts.models import User
from kx.extensions import db
from kx.search import saved
from kx.search.models import SavedSearch
from tests.support.accounts import PASSWORD
from tests.support.browser import submit
from tests.support.search import FEED, feed_entries, save_theme


@pytest.fixture
def owner(make_user):
    return make_user(sector="academic")


@pytest.fixture
def other(make_user):
    return make_user(sector="academic")


def theme_row(client) -> str:
    return client.get("/themes").get_data(as_text=True)


# Saving --------------------------------------------------------------------------------


def test_a_verified_member_saves_the_query_and_filters_under_a_name(client, kx, owner, login):
    login(client, owner)
    theme_id, feed = save_theme(
        client, "Helplines in Germany", q="helpline", country="DE", type=["practice"]
    )
    manage = client.get(f"/themes/{theme_id}/manage").get_data(as_text=True)
    assert "Manage “Helplines in Germany”" in manage
    assert FEED.search(manage).group(0) == "http://localhost" + feed  # it stays visible
    listing = theme_row(client)
    assert "Helplines in Germany" in listing
    assert "Words: helpline" in listing and "Country: Germany" in listing
    assert "Type: Practice examples" in listing
    with kx.app.app_context():
        stored = db.session.get(SavedSearch, theme_id)
        assert stored.query["q"] == "helpline" and stored.query["country"] == ["DE"]
        assert len(stored.feed_token_digest) == 64
        assert feed.split("/")[-1].removesuffix(".atom") not in str(stored.query)


def test_saving_needs_a_name_and_keeps_the_search_on_error(client, kx, owner, login):
    kx.practice("Helpline for worried adults", body="A confidential helpline.")
    login(client, owner)
    response = submit(
        client, "/themes", {"q": "helpline", "name": "  "}, form_page="/search?q=helpline"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the theme a name." in html and "Helpline for worried adults" in html
    assert 'value="helpline"' in html
    too_long = submit(client, "/themes", {"q": "x", "name": "n" * 81}, form_page="/search?q=x")
    assert too_long.status_code == 422
    with kx.app.app_context():
        assert db.session.query(SavedSearch).count() == 0


def test_only_verified_members_may_save(client, kx, make_user, login):
    anonymous = client.post("/themes", data={"name": "x"})
    assert anonymous.status_code in (302, 400)  # no CSRF token, or sent to sign in
    login(client, make_user(verified=False))
    token_page = "/search?q=helpline"
    response = submit(client, "/themes", {"name": "Mine", "q": "helpline"}, form_page=token_page)
    assert response.status_code == 403
    assert client.get("/themes").status_code == 403
    with kx.app.app_context():
        assert db.session.query(SavedSearch).count() == 0


def test_the_number_of_themes_is_limited(client, owner, login, monkeypatch):
    monkeypatch.setattr(saved, "MAX_SAVED", 1)
    login(client, owner)
    save_theme(client, "First", q="a")
    response = submit(client, "/themes", {"name": "Second", "q": "b"}, form_page="/search?q=b")
    assert response.status_code == 422
    assert "delete one first" in response.get_data(as_text=True)


# New matches -------------------------------------------------------------------------------


def test_new_matches_since_the_last_visit(client, kx, owner, login):
    kx.practice("Old helpline note", body="An older helpline.")
    login(client, owner)
    theme_id, _feed = save_theme(client, "Helplines", q="helpline")
    assert "Nothing new" in theme_row(client)

    fresh = kx.practice("New helpline for students", body="A helpline for students.")
    kx.practice("Unrelated splash page", body="Deterrence.")
    kx.practice("Hidden helpline", body="helpline", visibility="restricted",
                restricted_sectors=["law-enforcement"])  # fmt: skip
    assert "1 new" in theme_row(client)

    opened = client.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "1 new since your last visit" in opened
    card = re.search(rf'<li class="card card--new">.*?/practices/{fresh}.*?</li>', opened, re.S)
    assert card and ">New<" in card.group(0)
    assert "Hidden helpline" not in opened and "Old helpline note" in opened
    assert opened.count("card--new") == 1
    assert "Nothing new" in theme_row(client)
    again = client.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "Nothing new since your last visit" in again and "card--new" not in again


def test_theme_pages_keep_new_marks_while_paging(client, kx, owner, login, monkeypatch):
    from kx.search import views

    monkeypatch.setattr(views, "PER_PAGE", 1)
    login(client, owner)
    theme_id, _feed = save_theme(client, "Splash", q="splash")
    kx.practice("Splash one", body="splash")
    kx.practice("Splash two", body="splash")
    first = client.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "2 new since your last visit" in first
    following = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    second = client.get(following).get_data(as_text=True)
    assert "Splash one" in second and "card--new" in second


# Rename, delete, other people's themes -------------------------------------------------------


def test_rename_and_delete(client, kx, owner, login):
    login(client, owner)
    theme_id, feed = save_theme(client, "Helplines", q="helpline")
    manage = f"/themes/{theme_id}/manage"
    renamed = submit(client, f"/themes/{theme_id}/rename", {"name": "Phone lines"}, manage)
    assert renamed.status_code == 302
    assert "Phone lines" in theme_row(client)

    empty = submit(client, f"/themes/{theme_id}/rename", {"name": ""}, manage)
    assert empty.status_code == 422 and "Give the theme a name." in empty.get_data(as_text=True)
    assert "Phone lines" in theme_row(client)

    deleted = submit(client, f"/themes/{theme_id}/delete", {}, manage)
    assert deleted.status_code == 302
    assert "Deleted the theme “Phone lines”" in client.get(deleted.location).get_data(as_text=True)
    assert "Phone lines" not in theme_row(client)
    assert client.get(feed).status_code == 404
    assert client.get(f"/themes/{theme_id}").status_code == 404


def test_another_members_theme_is_not_found(client, kx, owner, other, login, app):
    login(client, owner)
    theme_id, feed = save_theme(client, "Owner's theme", q="helpline")
    intruder = app.test_client()
    login(intruder, other)
    assert intruder.get(f"/themes/{theme_id}").status_code == 404
    assert intruder.get(f"/themes/{theme_id}/manage").status_code == 404
    for action in ("rename", "feed", "delete"):
        response = submit(intruder, f"/themes/{theme_id}/{action}", {"name": "Mine"}, "/themes")
        assert response.status_code == 404, action
    assert "Owner&#39;s theme" not in theme_row(intruder)
    assert "Owner&#39;s theme" in theme_row(client)
    assert client.get(feed).status_code == 200  # the owner's feed still works
    anonymous = app.test_client()
    assert anonymous.get(f"/themes/{theme_id}").status_code == 302  # sent to sign in


def test_saved_searches_are_in_the_personal_data_export(client, kx, owner, login):
    login(client, owner)
    save_theme(client, "Helplines", q="helpline", domain="prevention")
    with kx.app.app_context():
        exported = accounts.export_user_data(db.session.get(User, owner.id))["saved_searches"]
    assert [theme["name"] for theme in exported] == ["Helplines"]
    assert exported[0]["query"]["domain"] == ["prevention"]
    assert "feed_token_digest" not in exported[0]


# Feeds --------------------------------------------------------------------------------------


def test_feed_lists_the_newest_matches_as_atom(client, kx, owner, login):
    first = kx.practice("Helpline for students", body="A **helpline** for <students> & staff.")
    second = kx.research("Helpline evaluation", summary="An evaluation of a helpline.")
    login(client, owner)
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    entries = feed_entries(app_client := client.application.test_client(), feed)
    assert [e["link"] for e in entries] == [
        f"http://localhost/research/{second}",
        f"http://localhost/practices/{first}",
    ]
    assert entries[1]["title"] == "Helpline for students"
    assert "<mark>" not in entries[1]["summary"] and "helpline for <students> & staff" in (
        entries[1]["summary"].lower()
    )
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["updated"]) for e in entries)
    response = app_client.get(feed)
    assert "no-cache" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers


def test_feed_with_a_wrong_or_revoked_token_is_not_found(client, kx, owner, login):
    login(client, owner)
    theme_id, feed = save_theme(client, "Helplines", q="helpline")
    assert client.get("/feeds/not-a-real-token.atom").status_code == 404
    assert client.get(feed.replace(".atom", "x.atom")).status_code == 404
    assert client.get("/feeds/" + "a" * 500 + ".atom").status_code == 404

    manage = f"/themes/{theme_id}/manage"
    response = submit(client, f"/themes/{theme_id}/feed", {}, manage)
    assert response.status_code == 302
    new_token = FEED.search(client.get(manage).get_data(as_text=True))[1]
    new_feed = f"/feeds/{new_token}.atom"
    assert new_feed != feed
    assert client.get(feed).status_code == 404
    assert client.get(new_feed).status_code == 200


def test_feed_shows_only_what_its_owner_may_see_now(client, kx, owner, login):
    public = kx.practice("Public helpline", body="helpline")
    members = kx.practice("Members helpline", body="helpline", visibility="members")
    police = kx.practice("Police helpline", body="helpline", visibility="restricted",
                         restricted_sectors=["law-enforcement"])  # fmt: skip
    kx.practice("Draft helpline", body="helpline", submit=False)
    login(client, owner)  # an academic
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    reader = client.application.test_client()  # a feed reader has no session
    links = {e["link"] for e in feed_entries(reader, feed)}
    assert links == {
        f"http://localhost/practices/{public}",
        f"http://localhost/practices/{members}",
    }
    assert f"http://localhost/practices/{police}" not in links

    kx.edit_practice(members, visibility="restricted", restricted_sectors=["law-enforcement"])
    kx.edit_practice(police, visibility="restricted", restricted_sectors=["academic"])
    links = {e["link"] for e in feed_entries(reader, feed)}
    assert links == {f"http://localhost/practices/{public}", f"http://localhost/practices/{police}"}


def test_feed_of_an_unverified_owner_shows_public_items_only(client, kx, owner, login):
    public = kx.practice("Public helpline", body="helpline")
    kx.practice("Members helpline", body="helpline", visibility="members")
    login(client, owner)
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    with kx.app.app_context():
        db.session.get(User, owner.id).verified_at = None
        db.session.commit()
    links = {e["link"] for e in feed_entries(client.application.test_client(), feed)}
    assert links == {f"http://localhost/practices/{public}"}


def test_feed_of_a_deactivated_or_deleted_owner_is_gone(client, kx, owner, make_user, login):
    admin = make_user(role="admin")
    login(client, owner)
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    reader = client.application.test_client()
    assert reader.get(feed).status_code == 200
    with kx.app.app_context():
        accounts.set_active(db.session.get(User, admin.id), db.session.get(User, owner.id), False)
    assert reader.get(feed).status_code == 404
    with kx.app.app_context():
        accounts.set_active(db.session.get(User, admin.id), db.session.get(User, owner.id), True)
    assert reader.get(feed).status_code == 404  # deactivation ended it for good
    with kx.app.app_context():
        accounts.delete_account(db.session.get(User, owner.id), PASSWORD)
        # the saved queries are personal data: erased with the account
        assert db.session.scalars(db.select(SavedSearch)).all() == []
    assert reader.get(feed).status_code == 404


def test_feed_xml_survives_control_characters_in_titles(client, kx, owner, login):
    with kx.app.app_context():
        kx.practice("Helpline\x0b with a vertical tab", body="helpline")
    login(client, owner)
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    [entry] = feed_entries(client, feed)
    assert entry["title"] == "Helpline with a vertical tab"
