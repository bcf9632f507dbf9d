"""Staff pages: the verification queue, roles, deactivation and the audit log."""

import pytest

from tests.support.accounts import audit_rows, is_signed_in, user_row
from tests.support.browser import Page, submit


@pytest.fixture
def staff(app, make_user, login):
    """``staff(role)`` -> (user, a browser signed in as that user)."""

    def sign_in(role="moderator", **fields):
        user = make_user(role=role, **fields)
        browser = app.test_client()
        login(browser, user)
        return user, browser

    return sign_in


def verify(browser, user_id):
    return submit(browser, f"/admin/users/{user_id}/verify", form_page="/admin/verification")


def set_role(browser, user_id, role):
    return submit(browser, f"/admin/users/{user_id}/role", {"role": role}, "/admin/users")


# Verification queue


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_verify_a_newcomer_from_the_queue(app, make_user, login, staff, role):
    newcomer = make_user(verified=False, display_name="Nia Newcomer", organisation="Helpline")
    make_user(display_name="Already Verified")
    actor, browser = staff(role)

    queue = Page(browser.get("/admin/verification"))
    assert queue.status == 200
    assert "Nia Newcomer" in queue.text
    assert newcomer.email in queue.text
    assert "Helpline" in queue.text
    assert "Already Verified" not in queue.text

    response = verify(browser, newcomer.id)

    assert response.status_code == 302
    page = Page(browser.get(response.location))
    assert "The account is verified." in page.text
    assert "Nia Newcomer" not in page.text
    row = user_row(app, newcomer.id)
    assert row.is_verified
    assert row.verified_by_id == actor.id
    [event] = audit_rows(app)
    assert (event.actor_id, event.action, event.target_type, event.target_id) == (
        actor.id,
        "user.verify",
        "user",
        newcomer.id,
    )
    newcomer_browser = app.test_client()
    login(newcomer_browser, newcomer)
    assert newcomer_browser.get("/members").status_code == 200


def test_verifying_twice_records_one_audit_entry(app, staff, make_user):
    newcomer = make_user(verified=False)
    _, browser = staff()
    verify(browser, newcomer.id)
    verify(browser, newcomer.id)
    assert [e.action for e in audit_rows(app)] == ["user.verify"]


@pytest.mark.parametrize("verified", [True, False])
def test_members_cannot_see_or_use_the_queue(app, client, make_user, login, verified):
    newcomer = make_user(verified=False)
    login(client, make_user(verified=verified))

    assert client.get("/admin/verification").status_code == 403
    # a member has no verify form: take a valid token from their own account page
    response = submit(client, f"/admin/users/{newcomer.id}/verify", form_page="/account")
    assert response.status_code == 403
    assert "You do not have permission" in Page(response).text
    assert not user_row(app, newcomer.id).is_verified
    assert audit_rows(app) == []
    assert "/admin/verification" not in Page(client.get("/")).links


def test_anonymous_visitors_are_sent_to_sign_in(app, client, make_user):
    newcomer = make_user(verified=False)
    for path in ("/admin/verification", "/admin/users", "/admin/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/login?next=")
    response = submit(client, f"/admin/users/{newcomer.id}/verify", form_page="/login")
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert not user_row(app, newcomer.id).is_verified


def test_verifying_an_unknown_user_is_404(app, staff):
    _, browser = staff()
    response = submit(browser, "/admin/users/999999/verify", form_page="/admin/verification")
    assert response.status_code == 404
    assert audit_rows(app) == []


def test_a_deactivated_account_cannot_be_verified(app, staff, make_user):
    newcomer = make_user(verified=False)
    _, admin_browser = staff("admin")
    submit(admin_browser, f"/admin/users/{newcomer.id}/active", {"active": "0"}, "/admin/users")

    response = verify(admin_browser, newcomer.id)

    assert response.status_code == 422
    assert "cannot be verified" in Page(response).text
    assert not user_row(app, newcomer.id).is_verified


def test_verification_needs_the_form_token(app, staff, make_user):
    newcomer = make_user(verified=False)
    _, browser = staff()
    assert browser.post(f"/admin/users/{newcomer.id}/verify").status_code == 400
    assert not user_row(app, newcomer.id).is_verified


# Roles


def test_an_admin_changes_a_role_and_it_is_audited(app, staff, make_user):
    member = make_user(display_name="Promoted Person")
    admin, browser = staff("admin")

    response = set_role(browser, member.id, "moderator")

    assert response.status_code == 302
    assert "The role is changed." in Page(browser.get(response.location)).text
    assert user_row(app, member.id).role == "moderator"
    [event] = audit_rows(app)
    assert (event.actor_id, event.action, event.target_id) == (admin.id, "user.role", member.id)
    assert event.details == {"old": "member", "new": "moderator"}
    audit = Page(browser.get("/admin/audit"))
    assert "user.role" in audit.text
    assert "old: member; new: moderator" in audit.text

    member_browser = app.test_client()
    submit(member_browser, "/login", {"email": member.email, "password": member.password})
    assert member_browser.get("/admin/verification").status_code == 200


def test_promoting_an_unverified_account_to_staff_verifies_it(app, staff, make_user):
    newcomer = make_user(verified=False)
    _, browser = staff("admin")
    set_role(browser, newcomer.id, "moderator")
    assert user_row(app, newcomer.id).is_verified


def test_a_moderator_cannot_change_roles(app, staff, make_user):
    member = make_user()
    moderator, browser = staff("moderator")

    response = set_role(browser, member.id, "admin")
    assert response.status_code == 403
    assert set_role(browser, moderator.id, "admin").status_code == 403

    assert user_row(app, member.id).role == "member"
    assert user_row(app, moderator.id).role == "moderator"
    assert audit_rows(app) == []
    assert 'name="role"' not in Page(browser.get("/admin/users")).html


def test_an_admin_cannot_change_their_own_role(app, staff, make_user):
    make_user(role="admin")  # another admin exists; the rule holds anyway
    admin, browser = staff("admin")

    response = set_role(browser, admin.id, "member")

    assert response.status_code == 403
    assert "cannot change their own role" in Page(response).text
    assert user_row(app, admin.id).role == "admin"
    assert audit_rows(app) == []


def test_an_unknown_role_or_user_is_refused(app, staff, make_user):
    member = make_user()
    _, browser = staff("admin")
    assert set_role(browser, member.id, "superuser").status_code == 422
    assert set_role(browser, member.id, "").status_code == 422
    assert set_role(browser, 999999, "moderator").status_code == 404
    assert user_row(app, member.id).role == "member"
    assert audit_rows(app) == []


def test_a_role_change_needs_the_form_token(app, staff, make_user):
    member = make_user()
    _, browser = staff("admin")
    assert browser.post(f"/admin/users/{member.id}/role", data={"role": "admin"}).status_code == 400
    assert user_row(app, member.id).role == "member"


# Deactivation


def test_an_admin_deactivates_and_reactivates_an_account(app, staff, make_user, login):
    member = make_user()
    _, browser = staff("admin")

    submit(browser, f"/admin/users/{member.id}/active", {"active": "0"}, "/admin/users")
    assert not user_row(app, member.id).active
    member_browser = app.test_client()
    refused = submit(member_browser, "/login", {"email": member.email, "password": member.password})
    assert refused.status_code == 422

    submit(browser, f"/admin/users/{member.id}/active", {"active": "1"}, "/admin/users")
    assert user_row(app, member.id).active
    login(member_browser, member)
    assert is_signed_in(member_browser)
    assert [e.action for e in audit_rows(app)] == ["user.deactivate", "user.activate"]


def test_moderators_cannot_deactivate_and_admins_not_themselves(app, staff, make_user):
    member = make_user()
    _, moderator_browser = staff("moderator")
    admin, admin_browser = staff("admin")

    response = submit(
        moderator_browser, f"/admin/users/{member.id}/active", {"active": "0"}, "/admin/users"
    )
    assert response.status_code == 403
    response = submit(
        admin_browser, f"/admin/users/{admin.id}/active", {"active": "0"}, "/admin/users"
    )
    assert response.status_code == 403
    assert user_row(app, member.id).active
    assert user_row(app, admin.id).active
    assert is_signed_in(admin_browser)


# Audit log


def test_the_audit_log_lists_staff_actions_for_staff_only(app, client, staff, make_user, login):
    newcomer = make_user(verified=False)
    member = make_user()
    _, moderator_browser = staff("moderator", display_name="Mia Moderator")
    _, admin_browser = staff("admin", display_name="Ari Admin")
    verify(moderator_browser, newcomer.id)
    set_role(admin_browser, member.id, "moderator")

    for browser in (moderator_browser, admin_browser):
        page = Page(browser.get("/admin/audit"))
        assert page.status == 200
        assert "Mia Moderator" in page.text
        assert "user.verify" in page.text
        assert "Ari Admin" in page.text
        assert "user.role" in page.text
        assert page.text.index("user.role") < page.text.index("user.verify")  # newest first

    login(client, make_user())
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_the_audit_log_says_when_it_is_empty(staff):
    _, browser = staff()
    assert "No staff actions yet." in Page(browser.get("/admin/audit")).text


def test_staff_see_the_staff_navigation(staff):
    _, browser = staff()
    links = Page(browser.get("/")).links
    for path in ("/admin/verification", "/admin/users", "/admin/audit", "/members"):
        assert path in links
