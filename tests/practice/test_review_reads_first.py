"""Review that reads first: a queue card offers no Approve button, only the way to the
item in full; the review page shows every section (or every changed field in full) with
its findings, then Approve. The API's review endpoint is unchanged."""

import re

import pytest

from tests.support.browser import Html, submit
from tests.support.practice import FORM, add_practice, create, created_id, post_form, row

pytestmark = pytest.mark.usefixtures("_index_later")

LONG_TAIL = "The last paragraph of the challenges, which no card shows."


def _approve_forms(page: Html) -> list[str]:
    return re.findall(r'<input type="hidden" name="decision" value="approve">', page.html)


@pytest.fixture
def pending(people):
    return created_id(create(people.author_client, "submit", challenges=LONG_TAIL))


def test_the_queue_card_cannot_publish(people, pending):
    queue = Html(people.moderator_client.get("/review"))

    assert FORM["title"] in queue.text
    assert _approve_forms(queue) == []
    assert "Approve and publish" not in queue.text
    assert "Read it in full to approve" in queue.text
    assert LONG_TAIL not in queue.text
    assert f"/review/practice/{pending}" in queue.links()


def test_the_review_page_shows_the_item_in_full_before_approve(app, people, pending):
    page = Html(people.moderator_client.get(f"/review/practice/{pending}"))

    assert page.status == 200
    for text in (FORM["summary"], FORM["outcomes"], FORM["implementation"], LONG_TAIL):
        assert text in page.text
    assert "Counsellors answer anonymously" in page.text  # the Markdown rendered
    assert len(_approve_forms(page)) == 1
    assert page.html.index(LONG_TAIL) < page.html.index('value="approve"')

    response = submit(
        people.moderator_client,
        f"/review/practice/{pending}",
        {"decision": "approve"},
        form_page=f"/review/practice/{pending}",
    )

    assert response.status_code == 302 and response.location == "/review"
    assert row(app, pending).status == "published"


def test_a_changed_published_item_is_reviewed_field_by_field_in_full(app, people):
    published = add_practice(app, people.author, submit=True, approve_by=people.moderator)
    new_outcomes = "Fewer repeat referrals.\n\nA second paragraph of new outcomes."
    post_form(
        people.author_client,
        f"/practices/{published}/edit",
        {**FORM, "outcomes": new_outcomes},
        "save",
    )

    queue = Html(people.moderator_client.get("/review"))
    page = Html(people.moderator_client.get(f"/review/practice/{published}"))

    assert _approve_forms(queue) == []
    assert "The changed fields in full" in page.text
    assert "A second paragraph of new outcomes." in page.text
    assert "Approve the changes" in page.text


@pytest.mark.parametrize("who", ["author", "other"])
def test_only_moderators_open_the_review_page(people, pending, who):
    assert getattr(people, f"{who}_client").get(f"/review/practice/{pending}").status_code == 403


def test_an_item_with_nothing_waiting_has_no_review_page(app, people):
    published = add_practice(app, people.author, submit=True, approve_by=people.moderator)
    draft = created_id(create(people.author_client, "draft"))

    for item in (published, draft, 999999):
        assert people.moderator_client.get(f"/review/practice/{item}").status_code == 404


def test_the_api_still_approves_in_one_call(client, app, people, pending, api_token):
    response = client.post(
        f"/api/v1/review/practice/{pending}",
        json={"decision": "approve"},
        headers=api_token(people.moderator),
    )

    assert response.status_code == 200
    assert row(app, pending).status == "published"
