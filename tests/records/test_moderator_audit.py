"""A moderator's change to someone else's practice or research is on the audit log, with the
fields it changed, whether made through the form or the API."""

import pytest
from sqlalchemy import select

from kx.audit import AuditEvent
from kx.extensions import db
from tests.support.accounts import signed_in_cast
from tests.support.browser import Html, submit
from tests.support.practice import FORM


@pytest.fixture
def cast(app, make_user, login):
    return signed_in_cast(
        app,
        make_user,
        login,
        {
            "author": {"sector": "treatment"},
            "moderator": {"role": "moderator", "sector": "ngo"},
        },
    )


def events(app, action: str) -> list[tuple[int, int, dict]]:
    with app.app_context():
        return [
            (event.actor_id, event.target_id, event.details)
            for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def write(client, cast, kind: str, by: str = "author") -> int:
    body = {"title": "Written by its author", "domains": ["prevention"]}
    response = client.post(f"/api/v1/{kind}", json=body, headers=getattr(cast, f"{by}_api"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.mark.parametrize(("kind", "path"), [("practice", "practices"), ("research", "research")])
def test_a_moderators_api_edit_of_someone_elses_item_is_audited(app, client, cast, kind, path):
    item = write(client, cast, path)

    response = client.patch(
        f"/api/v1/{path}/{item}",
        json={"title": "Tidied by a moderator", "domains": ["treatment"]},
        headers=cast.moderator_api,
    )

    assert response.status_code == 200
    [(actor, target, details)] = events(app, f"{kind}.edit")
    assert (actor, target) == (cast.moderator.id, item)
    assert sorted(details["fields"]) == ["domains", "title"]
    audit_page = Html(cast.moderator_client.get("/admin/audit"))
    assert f"{kind}.edit" in audit_page.text and "fields: title, domains" in audit_page.text


def test_a_moderators_form_edit_of_someone_elses_practice_is_audited(app, client, cast):
    item = write(client, cast, "practices")
    form = Html(cast.moderator_client.get(f"/practices/{item}/edit"))
    lists = ("domains", "countries", "stages", "restricted_sectors")
    data = {name: form.values(name) if name in lists else form.value(name) for name in FORM}
    data.update(summary="A summary the moderator added.", action="save")

    response = submit(cast.moderator_client, f"/practices/{item}/edit", data)

    assert response.status_code == 302
    [(actor, target, details)] = events(app, "practice.edit")
    assert (actor, target, details["fields"]) == (cast.moderator.id, item, ["summary"])


def test_a_moderators_form_edit_of_someone_elses_research_is_audited(app, client, cast):
    item = write(client, cast, "research")
    form = Html(cast.moderator_client.get(f"/research/{item}/edit"))
    fields = ("authors", "year", "entry_type", "venue", "doi", "url", "study_design")
    data = {name: form.value(name) for name in fields}
    data.update(title="Written by its author", limitations="Small sample.", action="save")
    data.update(visibility="public", domains=["prevention"])

    response = submit(cast.moderator_client, f"/research/{item}/edit", data)

    assert response.status_code == 302
    [(actor, target, details)] = events(app, "research.edit")
    assert (actor, target, details["fields"]) == (cast.moderator.id, item, ["limitations"])


@pytest.mark.parametrize(("kind", "path"), [("practice", "practices"), ("research", "research")])
def test_own_edits_and_refused_edits_leave_no_audit_entry(app, client, cast, kind, path):
    mine = write(client, cast, path, by="moderator")
    theirs = write(client, cast, path)

    client.patch(f"/api/v1/{path}/{mine}", json={"title": "Mine"}, headers=cast.moderator_api)
    client.patch(f"/api/v1/{path}/{theirs}", json={"title": "Own"}, headers=cast.author_api)
    refused = client.patch(
        f"/api/v1/{path}/{theirs}",
        json={"visibility": "restricted", "restricted_sectors": []},
        headers=cast.moderator_api,
    )
    unchanged = client.patch(
        f"/api/v1/{path}/{theirs}", json={"title": "Own"}, headers=cast.moderator_api
    )

    assert refused.status_code == 422 and unchanged.status_code == 200
    assert events(app, f"{kind}.edit") == []
