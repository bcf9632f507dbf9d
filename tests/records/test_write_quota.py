"""Writes by accounts awaiting verification are bounded: at most 20 practice examples and
research summaries in all, at most 30 saves an hour; verified members are not counted."""

import pytest

from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.research.models import Research
from kx.research.services import save_research
from tests.support.browser import submit

FORM = {
    "title": "Confidential helpline for worried adults",
    "body": "Counsellors answer **anonymously** and refer callers to treatment.",
    "domains": ["prevention"],
    "visibility": "public",
    "action": "draft",
}


def drafts(app, user, count: int, model=Practice) -> list[int]:
    """``count`` drafts written through the service, as ``user``."""
    from kx.accounts.models import User

    ids = []
    with app.app_context():
        author = db.session.get(User, user.id)
        for n in range(count):
            if model is Practice:
                item = save_practice(author, {"title": f"Draft {n}", "domains": ["prevention"]})
            else:
                item = save_research(author, {"title": f"Summary draft {n}"})
            ids.append(item.id)
    return ids


def items_of(app, user) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(db.select(db.func.count()).where(model.author_id == user.id))
            for model in (Practice, Research)
        )


def test_an_unverified_account_keeps_at_most_20_items_api(app, client, make_user, api_token):
    newcomer = make_user(verified=False)
    drafts(app, newcomer, 12)
    drafts(app, newcomer, 8, model=Research)
    headers = api_token(newcomer)
    response = client.post(
        "/api/v1/practices",
        json={"title": "One too many", "domains": ["prevention"]},
        headers=headers,
    )
    assert response.status_code == 422
    assert "at most 20 drafts" in response.get_json()["error"]["message"]
    response = client.post("/api/v1/research", json={"title": "One too many"}, headers=headers)
    assert response.status_code == 422
    assert items_of(app, newcomer) == 20
    # editing an existing draft is still allowed
    with app.app_context():
        first = db.session.scalar(
            db.select(Practice.id).where(Practice.author_id == newcomer.id).order_by(Practice.id)
        )
    response = client.patch(
        f"/api/v1/practices/{first}", json={"title": "Renamed draft"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()


def test_an_unverified_account_at_its_quota_is_told_so_on_the_form(app, make_user, login):
    newcomer = make_user(verified=False)
    drafts(app, newcomer, 20)
    browser = app.test_client()
    login(browser, newcomer)
    response = submit(browser, "/practices/new", {**FORM, "title": "My twenty-first"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Accounts awaiting verification can keep at most 20 drafts" in page
    assert "My twenty-first" in page  # what was typed comes back
    assert items_of(app, newcomer) == 20


def test_importing_references_counts_towards_the_quota(app, client, make_user, api_token):
    newcomer = make_user(verified=False)
    drafts(app, newcomer, 19)
    bibtex = "\n".join(
        f"@article{{key{n}, title={{Study {n}}}, author={{Doe, Jane}}, year={{2020}}, "
        f"journal={{Journal}}}}"
        for n in range(2)
    )
    response = client.post(
        "/api/v1/research/import", json={"bibtex": bibtex}, headers=api_token(newcomer)
    )
    assert response.status_code == 422, response.get_json()
    assert items_of(app, newcomer) == 19


def test_verified_members_have_no_item_quota(app, client, make_user, api_token):
    member = make_user()
    drafts(app, member, 20)
    response = client.post(
        "/api/v1/practices",
        json={"title": "Twenty-first", "domains": ["prevention"]},
        headers=api_token(member),
    )
    assert response.status_code == 201


@pytest.fixture
def one_draft(app, make_user):
    newcomer = make_user(verified=False)
    return newcomer, drafts(app, newcomer, 1)[0]


def test_an_unverified_account_saves_at_most_30_times_an_hour_api(
    app, client, one_draft, api_token
):
    newcomer, practice_id = one_draft  # its creation was the first save
    headers = api_token(newcomer)
    for n in range(29):
        response = client.patch(
            f"/api/v1/practices/{practice_id}", json={"title": f"Take {n}"}, headers=headers
        )
        assert response.status_code == 200, (n, response.get_json())
    response = client.patch(
        f"/api/v1/practices/{practice_id}", json={"title": "Take 30"}, headers=headers
    )
    assert response.status_code == 429
    assert "at most 30 per hour" in response.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.get(Practice, practice_id).title == "Take 28"


def test_an_unverified_account_saving_too_fast_keeps_its_text_on_the_form(app, one_draft, login):
    newcomer, practice_id = one_draft
    from kx.accounts.models import User

    with app.app_context():
        author = db.session.get(User, newcomer.id)
        for n in range(29):
            save_practice(author, {"title": f"Take {n}"}, db.session.get(Practice, practice_id))
    browser = app.test_client()
    login(browser, newcomer)
    response = submit(
        browser,
        f"/practices/{practice_id}/edit",
        {**FORM, "title": "Worth keeping"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Accounts awaiting verification can save at most 30 per hour" in page
    assert "Worth keeping" in page
