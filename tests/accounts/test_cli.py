"""``flask --app kx users create`` and ``flask --app kx demo load``."""

import pytest

from kx.demo import DEMO_PASSWORD, DEMO_USERS
from tests.support.accounts import is_signed_in, user_count, user_row
from tests.support.browser import submit

PASSWORD = "violet harbour lantern seven"
ARGS = ["--password", PASSWORD, "--name", "Olive Operator", "--sector", "policy"]


def create(app, email="operator@example.org", *extra):
    return app.test_cli_runner().invoke(
        args=["users", "create", email, *ARGS, "--country", "gb", *extra]
    )


def test_users_create_makes_a_verified_account_that_can_sign_in(app, client):
    result = create(app, "operator@example.org", "--role", "moderator")

    assert result.exit_code == 0, result.output
    assert "Created moderator operator@example.org" in result.output
    with app.app_context():
        from kx.accounts.services import find_user_by_email

        row = user_row(app, find_user_by_email("operator@example.org").id)
    assert row.is_verified
    assert (row.role, row.sector, row.country) == ("moderator", "policy", "GB")
    assert PASSWORD not in result.output
    response = submit(client, "/login", {"email": "operator@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/verification").status_code == 200


def test_users_create_defaults_to_a_member(app):
    assert create(app).exit_code == 0
    with app.app_context():
        from kx.accounts.services import find_user_by_email

        assert find_user_by_email("operator@example.org").role == "member"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", *ARGS, "--country", "GB"], "email"),
        (["a@example.org", *ARGS, "--country", "XX"], "country"),
        (["a@example.org", *ARGS[:1], "short", *ARGS[2:], "--country", "GB"], "12 characters"),
        (["a@example.org", *ARGS[:1], "qwerty123456", *ARGS[2:], "--country", "GB"], "common"),
        (["a@example.org", *ARGS[:5], "spy", "--country", "GB"], "spy"),
        (["a@example.org", *ARGS, "--country", "GB", "--role", "root"], "root"),
        (["a@example.org", *ARGS], "--country"),
    ],
)
def test_users_create_refuses_bad_input_with_a_message(app, args, message):
    result = app.test_cli_runner().invoke(args=["users", "create", *args])

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert user_count(app) == 0


def test_users_create_refuses_an_existing_address(app, make_user):
    make_user(email="taken@example.org")
    result = create(app, "Taken@example.org")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert user_count(app) == 1


def test_demo_load_is_idempotent_and_lists_the_accounts(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    count = user_count(app)
    assert count == len(DEMO_USERS)

    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0, second.output
    assert user_count(app) == count
    assert second.output == first.output
    for email, *_ in DEMO_USERS:
        assert email in first.output
    assert DEMO_PASSWORD in first.output


def test_demo_accounts_cover_every_sector_and_staff_role(app, client):
    app.test_cli_runner().invoke(args=["demo", "load"])
    from kx import taxonomy

    assert {u[2] for u in DEMO_USERS} >= set(taxonomy.SECTORS)
    assert {u[4] for u in DEMO_USERS} == {"member", "moderator", "admin"}
    response = submit(client, "/login", {"email": "admin@example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/admin/users").status_code == 200
