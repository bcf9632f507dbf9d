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
