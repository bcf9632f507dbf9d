"""Absolute links in mail and the ids of Atom feeds come from ``KX_BASE_URL``, never from
the Host header a request carried."""

import xml.etree.ElementTree as ET

from flask import url_for

from kx.mail import absolute_url
from tests.support.search import ATOM, Kx, save_theme


def test_links_are_built_on_the_base_url_inside_and_outside_requests(app):
    app.config["BASE_URL"] = "https://kx.example.org/exchange"
    with app.app_context():
        assert absolute_url("accounts.forgot_password") == (
            "https://kx.example.org/exchange/reset-password"
        )
    with app.test_request_context("/", base_url="http://attacker.example"):
        assert url_for("accounts.forgot_password", _external=True).startswith("http://attacker")
        link = absolute_url("accounts.reset_password", token="abc")
        assert link == "https://kx.example.org/exchange/reset-password/abc"


def test_feed_ids_come_from_the_base_url_not_the_host_header(app, client, make_user, login):
    users = {"author": make_user().id, "moderator": make_user(role="moderator").id}
    kx = Kx(app, users)
    practice = kx.practice("Helpline for students", body="A helpline.")
    owner = make_user()
    login(client, owner)
    _theme, feed = save_theme(client, "Helplines", q="helpline")
    ids = []
    for host in ("kx.example.org", "attacker.example"):
        response = client.get(feed, headers={"Host": host})
        assert response.status_code == 200
        root = ET.fromstring(response.data)  # noqa: S314  (our own feed, in a test)
        ids.append(
            [root.find(f"{ATOM}id").text]
            + [entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")]
        )
    assert ids[0] == ids[1]
    assert ids[0][0].startswith("tag:127.0.0.1,")
    assert ids[0][1:] == [f"http://127.0.0.1:5000/practices/{practice}"]
