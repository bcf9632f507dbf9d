import re

from tests.support.browser import submit


def test_home_page_serves_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Knowledge exchange" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_register_login_logout(client, make_user, login):
    user = make_user()
    login(client, user)
    assert "Sign out" in client.get("/").get_data(as_text=True)
    submit(client, "/logout", form_page="/")
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_the_site_has_an_icon_where_browsers_look_for_it(client):
    page = client.get("/").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link, "base.html links no icon"
    linked = client.get(link[1])
    assert linked.status_code == 200 and linked.mimetype == "image/svg+xml"
    assert b"<svg" in linked.data
    at_root = client.get("/favicon.ico")  # asked for by browsers and tools without the link
    assert at_root.status_code == 200 and at_root.mimetype == "image/svg+xml"
    assert at_root.data == linked.data
