"""A member's sector decides what restricted items they read, so changing it in the profile is
a request a moderator decides; profile changes are audited."""

import pytest

from tests.support.accounts import audit_rows, is_signed_in, pending_request_id, user_row
from tests.support.browser import Page, submit

WORD = "quokkaprotocol"
PROFILE = {
    "display_name": "Charity Worker",
    "sector": "ngo",
    "country": "GB",
    "organisation": "Helpline Trust",
    "bio": "Runs a helpline.",
}


@pytest.fixture
def police_only(client, make_user, api_token):
    """A published practice that only law-enforcement members may read; returns its id."""
    moderator = make_user(role="moderator", sector="policy")
    response = client.post(
        "/api/v1/practices",
        json={
            "title": "Police-only undercover chat protocol",
            "body": f"The {WORD} for undercover officers.",
            "domains": ["policing"],
            "visibility": "restricted",
            "restricted_sectors": ["law-enforcement"],
            "submit": True,
            "anonymised_confirmed": True,
        },
        headers=api_token(moderator),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["status"] == "published"
    return response.get_json()["id"]


@pytest.fixture
def charity(make_user):
    return make_user(sector="ngo", display_name="Charity Worker")


@pytest.fixture
def moderator(app, make_user, login):
    user = make_user(role="moderator", sector="policy")
    browser = app.test_client()
    login(browser, user)
    return user, browser


def what_they_read(client, practice_id: int, headers: dict) -> dict:
    """Every way a reader can meet the practice: page, list, search, API item, list, search."""
    return {
        "page": client.get(f"/practices/{practice_id}").status_code,
        "list": "Police-only undercover" in client.get("/practices").get_data(as_text=True),
        "search": "Police-only undercover"
        in client.get(f"/search?q={WORD}").get_data(as_text=True),
        "api item": client.get(f"/api/v1/practices/{practice_id}", headers=headers).status_code,
        "api total": client.get("/api/v1/practices", headers=headers).get_json()["total"],
        "api search": client.get(f"/api/v1/search?q={WORD}", headers=headers).get_json()["total"],
    }


HIDDEN = {
    "page": 404,
    "list": False,
    "search": False,
    "api item": 404,
    "api total": 0,
    "api search": 0,
}
SHOWN = {
    "page": 200,
    "list": True,
    "search": True,
    "api item": 200,
    "api total": 1,
    "api search": 1,
}


def request_law_enforcement(client, reason="I joined the police."):
    return submit(
        client, "/account", {**PROFILE, "sector": "law-enforcement", "sector_reason": reason}
    )


def test_choosing_another_sector_grants_nothing_until_a_moderator_approves(
    app, client, charity, police_only, login, api_token
):
    login(client, charity)
    token = api_token(charity)
    assert what_they_read(client, police_only, token) == HIDDEN

    response = request_law_enforcement(client)

    assert response.status_code == 302
    page = Page(client.get("/account"))
    assert (
        "Your sector stays NGO / charity until a moderator approves the change to Law enforcement"
        in page.text
    )
    assert page.value("sector") == "law-enforcement"  # the form shows what they asked for
    assert user_row(app, charity.id).sector == "ngo"
    assert what_they_read(client, police_only, token) == HIDDEN
    request = next(e for e in audit_rows(app) if e.action == "user.sector_request")
    assert (request.actor_id, request.target_id) == (charity.id, charity.id)
    assert (request.details["old"], request.details["new"]) == ("ngo", "law-enforcement")


def test_a_moderator_approves_and_the_member_signs_in_again_to_read_it(
    app, client, charity, police_only, login, api_token, moderator
):
    actor, browser = moderator
    login(client, charity)
    old_token = api_token(charity)
    request_law_enforcement(client, reason="Seconded to the police unit.")
    queue = Page(browser.get("/admin/verification"))
    assert "Charity Worker: NGO / charity → Law enforcement" in queue.text
    assert "Seconded to the police unit." in queue.text

    request_id = pending_request_id(app, charity.id)
    response = submit(
        browser, f"/admin/sector-requests/{request_id}/approve", form_page="/admin/verification"
    )

    assert response.status_code == 302
    assert user_row(app, charity.id).sector == "law-enforcement"
    assert not is_signed_in(client)  # every session and token of the member ended
    assert client.get("/api/v1/practices", headers=old_token).status_code == 401
    login(client, charity)
    assert what_they_read(client, police_only, api_token(charity)) == SHOWN
    assert "approved your sector change" in Page(client.get("/account")).text
    assert "approved your sector change" not in Page(client.get("/account")).text  # once
    approval = next(e for e in audit_rows(app) if e.action == "user.sector_approve")
    assert (approval.actor_id, approval.target_id) == (actor.id, charity.id)
    assert (approval.details["old"], approval.details["new"]) == ("ngo", "law-enforcement")


def test_declining_needs_a_reason_and_leaves_the_sector(
    app, client, charity, police_only, login, api_token, moderator
):
    actor, browser = moderator
    login(client, charity)
    request_law_enforcement(client)
    request_id = pending_request_id(app, charity.id)
    url = f"/admin/sector-requests/{request_id}/decline"
    field = f"decline-{request_id}-note"

    refused = submit(browser, url, {field: "  "}, form_page="/admin/verification")

    assert refused.status_code == 422
    assert "Say why" in Page(refused).error_text(field)
    assert pending_request_id(app, charity.id) == request_id

    response = submit(
        browser, url, {field: "Your organisation is a charity."}, form_page="/admin/verification"
    )

    assert response.status_code == 302
    assert pending_request_id(app, charity.id) is None
    assert user_row(app, charity.id).sector == "ngo"
    page = Page(client.get("/account"))
    assert page.status == 200  # nothing changed for the member, so nothing ended
    assert "declined your sector change to Law enforcement" in page.text
    assert "Your organisation is a charity." in page.text
    assert page.value("sector") == "ngo"
    assert what_they_read(client, police_only, api_token(charity)) == HIDDEN
    decline = next(e for e in audit_rows(app) if e.action == "user.sector_decline")
    assert (decline.actor_id, decline.target_id) == (actor.id, charity.id)
    assert (decline.details["old"], decline.details["new"]) == ("ngo", "law-enforcement")


def test_only_another_moderator_may_decide(app, client, charity, make_user, login):
    login(client, charity)
    request_law_enforcement(client)
    request_id = pending_request_id(app, charity.id)
    approve = f"/admin/sector-requests/{request_id}/approve"

    member = app.test_client()
    login(member, make_user(sector="law-enforcement"))
    assert submit(member, approve, form_page="/account").status_code == 403
    assert submit(client, approve, form_page="/account").status_code == 403  # the requester

    own = make_user(role="moderator", sector="ngo")
    own_browser = app.test_client()
    login(own_browser, own)
    request_law_enforcement(own_browser)
    own_request = pending_request_id(app, own.id)
    assert "This is your own request" in Page(own_browser.get("/admin/verification")).text
    response = submit(
        own_browser,
        f"/admin/sector-requests/{own_request}/approve",
        form_page="/admin/verification",
    )
    assert response.status_code == 403
    assert user_row(app, own.id).sector == "ngo"
    assert user_row(app, charity.id).sector == "ngo"
    assert not [e for e in audit_rows(app) if e.action == "user.sector_approve"]


def test_a_decided_request_cannot_be_decided_again(app, client, charity, login, moderator):
    _actor, browser = moderator
    login(client, charity)
    request_law_enforcement(client)
    request_id = pending_request_id(app, charity.id)
    approve = f"/admin/sector-requests/{request_id}/approve"
    assert submit(browser, approve, form_page="/admin/verification").status_code == 302

    again = submit(browser, approve, form_page="/admin/verification")

    assert again.status_code == 422
    assert "already decided" in Page(again).text
    assert len([e for e in audit_rows(app) if e.action == "user.sector_approve"]) == 1


def test_a_new_request_replaces_the_pending_one_and_can_be_withdrawn(app, client, charity, login):
    login(client, charity)
    request_law_enforcement(client)
    first = pending_request_id(app, charity.id)

    submit(client, "/account", {**PROFILE, "sector": "treatment"})

    second = pending_request_id(app, charity.id)
    assert second != first
    page = Page(client.get("/account"))
    assert "until a moderator approves the change to Treatment" in page.text

    response = submit(client, "/account/sector-request/withdraw", form_page="/account")

    assert response.status_code == 302
    assert pending_request_id(app, charity.id) is None
    page = Page(client.get("/account"))
    assert "until a moderator approves" not in page.text
    assert page.value("sector") == "ngo"
    assert user_row(app, charity.id).sector == "ngo"
    actions = [e.action for e in audit_rows(app)]
    assert actions.count("user.sector_request") == 2
    assert actions.count("user.sector_withdraw") == 2  # replaced, then withdrawn
    nothing = submit(client, "/account/sector-request/withdraw", form_page="/account")
    assert nothing.status_code == 404


def test_saving_the_profile_again_keeps_the_pending_request(app, client, charity, login):
    login(client, charity)
    request_law_enforcement(client)
    request_id = pending_request_id(app, charity.id)
    form = Page(client.get("/account"))

    submit(client, "/account", {**PROFILE, "sector": form.value("sector"), "bio": "New bio."})

    assert pending_request_id(app, charity.id) == request_id
    assert user_row(app, charity.id).sector == "ngo"


def test_an_unverified_account_sets_its_sector_directly_but_not_behind_a_moderators_back(
    app, client, make_user, login, moderator
):
    _actor, browser = moderator
    newcomer = make_user(verified=False, sector="ngo", display_name="New Comer")
    login(client, newcomer)
    queue = browser.get("/admin/verification")  # the moderator sees "NGO / charity"

    submit(client, "/account", {**PROFILE, "display_name": "New Comer", "sector": "treatment"})

    assert user_row(app, newcomer.id).sector == "treatment"
    assert pending_request_id(app, newcomer.id) is None
    response = browser.post(
        f"/admin/users/{newcomer.id}/verify", data={"csrf_token": _token(queue), "sector": "ngo"}
    )
    assert response.status_code == 422
    assert "changed their sector to “Treatment” after you opened the queue" in Page(response).text
    assert not user_row(app, newcomer.id).is_verified
    response = submit(
        browser,
        f"/admin/users/{newcomer.id}/verify",
        {"sector": "treatment"},
        form_page="/admin/verification",
    )
    assert response.status_code == 302
    assert user_row(app, newcomer.id).is_verified
    profile = next(e for e in audit_rows(app) if e.action == "user.profile")
    assert "sector" in profile.details["fields"]


def _token(response) -> str:
    import re

    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))[1]


def test_a_role_change_ends_every_session_of_the_user(app, client, make_user, login, api_token):
    member = make_user()
    login(client, member)
    token = api_token(member)
    admin = app.test_client()
    login(admin, make_user(role="admin"))

    submit(admin, f"/admin/users/{member.id}/role", {"role": "moderator"}, "/admin/users")

    assert user_row(app, member.id).role == "moderator"
    assert not is_signed_in(client)
    assert client.get("/api/v1/practices", headers=token).status_code == 401


# Profile audit


def test_profile_changes_are_audited_by_field_without_the_text(app, client, charity, login):
    login(client, charity)

    submit(client, "/account", {**PROFILE, "bio": "A private sentence.", "country": "DE"})

    event = next(e for e in audit_rows(app) if e.action == "user.profile")
    assert (event.actor_id, event.target_id) == (charity.id, charity.id)
    assert sorted(event.details["fields"]) == ["bio", "country", "organisation"]
    assert "A private sentence." not in str(event.details)
    assert user_row(app, charity.id).country == "DE"  # country grants no access: at once

    submit(client, "/account", {**PROFILE, "bio": "A private sentence.", "country": "DE"})
    assert [e.action for e in audit_rows(app)].count("user.profile") == 1  # no change, no row


def test_the_audit_log_reads_well_for_staff(app, client, charity, login, moderator):
    login(client, charity)
    submit(client, "/account", {**PROFILE, "display_name": "Renamed", "bio": "Secret bio."})
    request_law_enforcement(client)
    admin = app.test_client()
    login(admin, moderator[0])

    page = Page(admin.get("/admin/audit"))

    assert "user.profile" in page.text
    assert "fields: display_name, bio" in page.text
    assert "user.sector_request" in page.text
    assert "old: ngo; new: law-enforcement" in page.text
    assert "Secret bio." not in page.text


def test_sector_requests_are_in_the_personal_data_export(client, charity, login):
    login(client, charity)
    request_law_enforcement(client, reason="I joined the police.")

    exported = client.get("/account/export").get_json()["sector_change_requests"]

    assert [(r["sector"], r["reason"], r["status"]) for r in exported] == [
        ("law-enforcement", "I joined the police.", "pending")
    ]


def test_an_overlong_reason_is_refused_beside_the_field_and_nothing_is_saved(
    app, client, charity, login
):
    login(client, charity)

    response = request_law_enforcement(client, reason="x" * 501)

    assert response.status_code == 422
    page = Page(response)
    assert "500" in page.error_text("sector_reason")
    assert page.value("sector") == "law-enforcement"  # what was typed is kept
    assert pending_request_id(app, charity.id) is None
    assert not [e for e in audit_rows(app) if e.action.startswith("user.")]


def test_a_second_request_saved_at_the_same_moment_is_a_message_not_an_error(
    app, client, charity, login, monkeypatch
):
    """Two windows saving a new sector at once: the one-pending-request rule holds in the
    database, and the later save comes back with a message and nothing half-written."""
    from kx.accounts import profiles

    login(client, charity)
    request_law_enforcement(client)
    first = pending_request_id(app, charity.id)
    # the other window read the profile before this window's request was committed
    monkeypatch.setattr(profiles, "pending_sector_request", lambda user: None)

    response = submit(
        client, "/account", {**PROFILE, "sector": "treatment", "display_name": "Renamed"}
    )

    assert response.status_code == 422
    page = Page(response)
    assert "saved in another window at the same moment" in page.text
    assert page.value("display_name") == "Renamed"  # what they typed is still there
    assert pending_request_id(app, charity.id) == first
    assert user_row(app, charity.id).display_name == "Charity Worker"
