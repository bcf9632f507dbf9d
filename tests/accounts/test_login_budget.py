"""One sign-in budget per account and per address, shared by the form and the API; a
browser that signed in to the account before keeps a budget of its own."""

from tests.support.accounts import is_signed_in
from tests.support.api import assert_json_error
from tests.support.browser import Page, submit

WRONG = "not the right passphrase"
TOKENS = "/api/v1/tokens"


def form_sign_in(client, email, password, address="198.51.100.1"):
    return submit(
        client,
        "/login",
        {"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def api_sign_in(client, email, password, address="198.51.100.1"):
    return client.post(
        TOKENS,
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failures_by_form_and_api_spend_one_account_budget(app, make_user):
    user = make_user()
    attacker = app.test_client()
    for n in range(3):
        assert form_sign_in(attacker, user.email, WRONG, f"203.0.113.{n}").status_code == 422
    for n in range(3, 5):
        assert api_sign_in(attacker, user.email, WRONG, f"203.0.113.{n}").status_code == 401

    newcomer = app.test_client()  # a browser that never signed in to the account
    assert_json_error(api_sign_in(newcomer, user.email, user.password, "192.0.2.50"), 429)
    response = form_sign_in(newcomer, user.email, user.password, "192.0.2.51")
    assert response.status_code == 429
    assert "Too many attempts" in Page(response).text


def test_the_address_budget_counts_form_and_api_together(app, client, make_user):
    user = make_user()
    for n in range(5):  # ten different accounts, each well within its own budget
        assert form_sign_in(client, f"form{n}@example.org", WRONG).status_code == 422
        assert api_sign_in(client, f"api{n}@example.org", WRONG).status_code == 401

    assert api_sign_in(client, user.email, user.password).status_code == 429
    assert form_sign_in(client, user.email, user.password).status_code == 429
    assert form_sign_in(client, user.email, user.password, "192.0.2.9").status_code == 302


def exhaust_account_budget(app, email):
    attacker = app.test_client()
    for n in range(25):  # beyond the minute's and the hour's budget, from many addresses
        status = form_sign_in(attacker, email, WRONG, f"203.0.113.{n}").status_code
        assert status in (422, 429)
    assert form_sign_in(attacker, email, WRONG, "203.0.113.99").status_code == 429


def test_the_owner_signs_in_on_a_known_browser_after_an_attacker_spent_the_budget(
    app, client, make_user, login
):
    user = make_user()
    login(client, user)
    submit(client, "/logout", form_page="/")

    exhaust_account_budget(app, user.email)

    assert form_sign_in(client, user.email, user.password).status_code == 302
    assert is_signed_in(client)
    stranger = app.test_client()
    assert form_sign_in(stranger, user.email, user.password, "192.0.2.77").status_code == 429


def test_the_api_honours_the_browser_trusted_for_the_account(app, client, make_user, login):
    user = make_user()
    assert api_sign_in(client, user.email, user.password).status_code == 201

    exhaust_account_budget(app, user.email)

    assert api_sign_in(client, user.email, user.password).status_code == 201
    assert form_sign_in(client, user.email, user.password).status_code == 302


def test_a_known_browser_has_a_budget_of_its_own(app, client, make_user, login):
    user = make_user()
    login(client, user)
    submit(client, "/logout", form_page="/")
    for _ in range(5):
        assert form_sign_in(client, user.email, WRONG).status_code == 422
    assert form_sign_in(client, user.email, user.password).status_code == 429
    elsewhere = app.test_client()  # the account's budget is untouched by the owner's typos
    assert form_sign_in(elsewhere, user.email, user.password, "192.0.2.8").status_code == 302


def test_a_browser_is_trusted_only_for_the_accounts_it_signed_in_to(app, client, make_user, login):
    owner, target = make_user(), make_user()
    login(client, owner)  # the attacker's own account
    submit(client, "/logout", form_page="/")
    exhaust_account_budget(app, target.email)
    assert form_sign_in(client, target.email, target.password).status_code == 429


def test_a_forged_device_cookie_earns_no_budget(app, client, make_user, login):
    user = make_user()
    login(client, user)
    genuine = client.get_cookie("kx_device").value
    exhaust_account_budget(app, user.email)

    forger = app.test_client()
    payload, _, signature = genuine.rpartition(".")
    forger.set_cookie("kx_device", payload + "." + signature[::-1])
    assert form_sign_in(forger, user.email, user.password, "192.0.2.60").status_code == 429
    forger.set_cookie("kx_device", "not-a-device-cookie")
    assert form_sign_in(forger, user.email, user.password, "192.0.2.61").status_code == 429


def test_the_device_cookie_is_httponly_samesite_and_long_lived(client, make_user):
    user = make_user()
    response = form_sign_in(client, user.email, user.password)
    (header,) = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("kx_device=")]
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    max_age = next(int(a.split("=")[1]) for a in attributes if a.startswith("max-age="))
    assert max_age >= 90 * 24 * 3600


def test_only_wrong_credentials_spend_the_budget(app, client, make_user):
    user = make_user()
    for _ in range(8):  # forms with a field missing never test a password
        assert form_sign_in(client, user.email, "").status_code == 422
        assert api_sign_in(client, user.email, None).status_code == 422
    assert client.post("/login", data={"email": user.email, "password": WRONG}).status_code == 400
    assert (
        form_sign_in(app.test_client(), user.email, user.password, "192.0.2.3").status_code == 302
    )
