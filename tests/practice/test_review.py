"""The workflow through the pages: every state transition of a practice example and who may
make it (author, another member, an unverified account, a moderator, an anonymous visitor),
the review queue and "my items"."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from kx.audit import AuditEvent
from kx.extensions import db
from tests.support.browser import Html, submit
from tests.support.practice import (
    FORM,
    add_practice,
    add_research,
    create,
    created_id,
    form_data,
    post_form,
    revision_count,
    row,
    titles_on_list,
)

pytestmark = pytest.mark.usefixtures("_index_later")


def audit(app, action: str) -> list[SimpleNamespace]:
    with app.app_context():
        return [
            SimpleNamespace(actor_id=e.actor_id, target_id=e.target_id, details=e.details)
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        ]


def edit(client, practice_id: int, action: str, **changes):
    data = form_data(**changes)
    if action == "submit":
        data.setdefault("anonymised_confirmed", "y")
    return post_form(client, f"/practices/{practice_id}/edit", data, action)


def decide(client, kind: str, item_id: int, decision: str, reason: str = "", **extra):
    return submit(
        client,
        f"/review/{kind}/{item_id}",
        {"decision": decision, "reason": reason, **extra},
        form_page="/my-items",  # any page of the signed-in user carries a token
    )


@pytest.fixture
def draft(app, people):
    return created_id(create(people.author_client, "draft"))


@pytest.fixture
def pending(app, people):
    return created_id(create(people.author_client, "submit"))


@pytest.fixture
def published(app, people):
    return add_practice(app, people.author, submit=True, approve_by=people.moderator)


# --------------------------------------------------------------------------- draft -> pending


def test_the_author_submits_a_draft_for_review(app, people, draft):
    response = edit(people.author_client, draft, "submit")

    assert response.status_code == 302
    stored = row(app, draft)
    assert stored.status == "pending"
    assert stored.submitted_at is not None
    assert stored.anonymised_confirmed is True
    assert "Submitted for review" in Html(people.author_client.get(response.location)).text
    assert FORM["title"] not in titles_on_list(people.anonymous_client)
    assert people.anonymous_client.get(f"/practices/{draft}").status_code == 404
    assert people.other_client.get(f"/practices/{draft}").status_code == 404


def test_a_draft_is_seen_only_by_its_author_and_moderators(app, people, draft):
    assert people.author_client.get(f"/practices/{draft}").status_code == 200
    assert people.moderator_client.get(f"/practices/{draft}").status_code == 200
    for client in (people.other_client, people.unverified_client, people.anonymous_client):
        assert client.get(f"/practices/{draft}").status_code == 404


def test_save_draft_takes_a_pending_item_back_to_draft(app, people, pending):
    edit(people.author_client, pending, "draft")
    assert row(app, pending).status == "draft"


# --------------------------------------------------------------------------- review


def test_the_queue_lists_pending_items_with_findings_author_and_date(app, people):
    practice_id = add_practice(
        app,
        people.author,
        title="Pending with a phone number",
        body="Referrals on 020 7946 0958 please.",
        submit=True,
    )
    research_id = add_research(
        app,
        people.other,
        title="Pending research summary",
        summary="Contact the lead author at lead.author@example.org.",
    )
    add_practice(app, people.author, title="Just a draft", submit=False)

    page = Html(people.moderator_client.get("/review"))

    assert page.status == 200
    assert "Pending with a phone number" in page.text
    assert "Pending research summary" in page.text
    assert "Just a draft" not in page.text
    assert "Practice example" in page.text and "Research summary" in page.text
    assert "Alex Author" in page.text and "Olivia Other" in page.text
    assert "Phone number" in page.text and "020 7946 0958" in page.text
    assert "E-mail address" in page.text and "lead.author@example.org" in page.text
    assert f"/review/practice/{practice_id}" in page.forms()
    assert f"/review/research/{research_id}" in page.forms()
    assert f'<label for="reason-practice-{practice_id}">' in page.html
    assert row(app, practice_id).submitted_at.strftime("%-d %b %Y") in page.text


def test_the_queue_says_when_it_is_empty(people):
    assert "Nothing is waiting for review." in Html(people.moderator_client.get("/review")).text


@pytest.mark.parametrize("who", ["author", "other", "unverified"])
def test_only_moderators_see_the_queue(people, who):
    assert getattr(people, f"{who}_client").get("/review").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_the_queue(people):
    response = people.anonymous_client.get("/review")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_moderator_approves_and_the_item_is_listed(app, people, pending):
    response = decide(people.moderator_client, "practice", pending, "approve")

    assert response.status_code == 302
    assert response.location == "/review"
    stored = row(app, pending)
    assert stored.status == "published"
    assert stored.published_at is not None
    assert FORM["title"] in titles_on_list(people.anonymous_client)
    assert "Published:" in Html(people.moderator_client.get("/review")).text
    [event] = audit(app, "practice.approve")
    assert (event.actor_id, event.target_id) == (people.moderator.id, pending)


def test_rejecting_needs_a_reason_and_keeps_the_item_pending(app, people, pending):
    response = decide(people.moderator_client, "practice", pending, "reject", "   ")

    assert response.status_code == 422
    page = Html(response)
    assert "Give a reason" in page.errors(f"reason-practice-{pending}")
    assert row(app, pending).status == "pending"
    assert audit(app, "practice.reject") == []


def test_the_author_sees_the_moderators_reason_and_resubmits(app, people, pending):
    reason = "Please remove the name of the town in the outcomes section."
    decide(people.moderator_client, "practice", pending, "reject", reason)

    stored = row(app, pending)
    assert (stored.status, stored.review_note) == ("rejected", reason)
    [event] = audit(app, "practice.reject")
    assert event.details["reason"] == reason

    detail = Html(people.author_client.get(f"/practices/{pending}"))
    assert "A moderator sent this back" in detail.text and reason in detail.text
    mine = Html(people.author_client.get("/my-items"))
    assert reason in mine.text_of("items-rejected") or reason in mine.text
    assert reason in Html(people.author_client.get(f"/practices/{pending}/edit")).text
    assert people.other_client.get(f"/practices/{pending}").status_code == 404

    response = edit(people.author_client, pending, "submit", outcomes="Fewer repeat referrals.")

    assert response.status_code == 302
    assert row(app, pending).status == "pending"


@pytest.mark.parametrize("who", ["author", "other", "unverified"])
def test_members_cannot_review(app, people, pending, who):
    client = getattr(people, f"{who}_client")
    for decision in ("approve", "reject"):
        assert decide(client, "practice", pending, decision, "no").status_code == 403
    assert row(app, pending).status == "pending"


def test_anonymous_visitors_cannot_review(app, people, pending):
    response = people.anonymous_client.post(
        f"/review/practice/{pending}", data={"decision": "approve"}
    )
    assert response.status_code in (302, 400)
    assert row(app, pending).status == "pending"


def test_only_pending_items_can_be_reviewed(app, people, draft, published):
    for item in (draft, published):
        response = decide(people.moderator_client, "practice", item, "approve")
        assert response.status_code == 422
        assert "Only pending items can be reviewed" in Html(response).text
    assert row(app, draft).status == "draft"
    assert row(app, published).status == "published"


def test_reviewing_a_missing_item_is_404(people):
    assert decide(people.moderator_client, "practice", 999999, "approve").status_code == 404


def test_a_moderator_reviews_from_the_detail_page(app, people, pending):
    page = Html(people.moderator_client.get(f"/practices/{pending}"))
    assert f"/review/practice/{pending}" in page.forms()

    response = decide(
        people.moderator_client, "practice", pending, "approve", next=f"/practices/{pending}"
    )

    assert response.location == f"/practices/{pending}"
    assert row(app, pending).status == "published"


def test_a_research_summary_is_approved_from_the_queue(app, people):
    research_id = add_research(app, people.other, title="A summary to approve")

    response = decide(people.moderator_client, "research", research_id, "approve")

    assert response.status_code == 302
    [event] = audit(app, "research.approve")
    assert event.target_id == research_id


def test_a_moderators_own_submission_publishes_directly(app, people):
    response = create(people.moderator_client, "submit")

    practice_id = created_id(response)
    assert row(app, practice_id).status == "published"
    assert "Saved and published" in Html(people.moderator_client.get(response.location)).text
    assert FORM["title"] in titles_on_list(people.anonymous_client)


# --------------------------------------------------------------------------- editing published


def test_editing_a_published_item_waits_for_review_then_stores_a_revision(app, people, published):
    before = revision_count(app, published)
    form = Html(people.author_client.get(f"/practices/{published}/edit"))
    assert "save" in form.buttons() and "draft" not in form.buttons()

    response = edit(people.author_client, published, "save", outcomes="Waiting times halved.")

    assert response.status_code == 302
    stored = row(app, published)
    assert stored.status == "published" and stored.outcomes == FORM["outcomes"]
    assert (
        "A moderator will review your changes"
        in Html(people.author_client.get(response.location)).text
    )
    assert (
        "Waiting times halved."
        not in Html(people.anonymous_client.get(f"/practices/{published}")).text
    )
    decide(people.moderator_client, "practice", published, "approve")
    assert row(app, published).outcomes == "Waiting times halved."
    assert revision_count(app, published) == before + 1
    page = Html(people.anonymous_client.get(f"/practices/{published}"))
    assert "Waiting times halved." in page.text


def test_an_edit_that_adds_an_email_is_shown_to_the_moderator_only(app, people, published):
    response = edit(
        people.author_client,
        published,
        "save",
        body=FORM["body"] + " Questions to sam.worker@example.org.",
    )

    assert response.status_code == 302
    assert row(app, published).status == "published"
    assert FORM["title"] in titles_on_list(people.anonymous_client)
    assert "sam.worker" not in Html(people.anonymous_client.get(f"/practices/{published}")).text
    queue = Html(people.moderator_client.get("/review"))
    assert "sam.worker@example.org" in queue.text


def test_a_moderators_edit_of_a_published_item_stays_published(app, people, published):
    response = edit(people.moderator_client, published, "save", outcomes="Checked by moderation.")
    assert response.status_code == 302
    assert row(app, published).status == "published"
    assert row(app, published).outcomes == "Checked by moderation."


# --------------------------------------------------------------------------- archive


def test_the_author_archives_a_published_item(app, people, published):
    response = submit(
        people.author_client, f"/practices/{published}/archive", form_page=f"/practices/{published}"
    )

    assert response.status_code == 302
    assert row(app, published).status == "archived"
    assert FORM["title"] not in titles_on_list(people.anonymous_client)
    assert people.anonymous_client.get(f"/practices/{published}").status_code == 404
    assert "Archived" in Html(people.author_client.get(f"/practices/{published}")).text
    assert FORM["title"] in Html(people.author_client.get("/my-items")).text_of("items-archived")
    assert audit(app, "practice.archive") == []  # the author's own action is not staff action


def test_a_moderator_archives_anothers_item_and_it_is_audited(app, people, published):
    submit(
        people.moderator_client,
        f"/practices/{published}/archive",
        form_page=f"/practices/{published}",
    )
    assert row(app, published).status == "archived"
    [event] = audit(app, "practice.archive")
    assert event.actor_id == people.moderator.id


def test_an_archived_item_can_be_submitted_again(app, people, published):
    submit(people.author_client, f"/practices/{published}/archive", form_page="/my-items")

    edit(people.author_client, published, "submit")

    assert row(app, published).status == "pending"


def test_only_published_items_can_be_archived(app, people, draft):
    response = submit(people.author_client, f"/practices/{draft}/archive", form_page="/my-items")

    assert response.status_code == 302
    assert row(app, draft).status == "draft"
    assert "Only published items" in Html(people.author_client.get(response.location)).text


def test_other_members_cannot_archive(app, people, published, draft):
    assert (
        submit(people.other_client, f"/practices/{published}/archive", form_page="/my-items")
    ).status_code == 403
    assert (
        submit(people.other_client, f"/practices/{draft}/archive", form_page="/my-items")
    ).status_code == 404
    anonymous = people.anonymous_client.post(f"/practices/{published}/archive")
    assert anonymous.status_code in (302, 400)
    assert row(app, published).status == "published"


# --------------------------------------------------------------------------- delete


def test_deleting_asks_for_confirmation_first(app, people, published):
    page = Html(people.author_client.get(f"/practices/{published}/delete"))

    assert page.status == 200
    assert "Delete for good" in page.text
    assert f"/practices/{published}/delete" in page.forms()
    assert f"/practices/{published}" in page.links()
    assert row(app, published) is not None


def test_the_author_deletes_an_item_with_its_revisions(app, people, published):
    response = submit(
        people.author_client,
        f"/practices/{published}/delete",
        {"confirm": "yes"},
        form_page=f"/practices/{published}",
    )

    assert response.status_code == 302
    assert response.location == "/my-items"
    assert row(app, published) is None
    assert revision_count(app, published) == 0
    assert "is deleted" in Html(people.author_client.get("/my-items")).text
    assert people.author_client.get(f"/practices/{published}").status_code == 404


def test_a_moderator_deletes_anothers_item_and_it_is_audited(app, people, published):
    submit(
        people.moderator_client,
        f"/practices/{published}/delete",
        {"confirm": "yes"},
        form_page="/my-items",
    )
    assert row(app, published) is None
    [event] = audit(app, "practice.delete")
    assert event.actor_id == people.moderator.id


def test_other_members_cannot_delete(app, people, published, draft):
    for item, status in ((published, 403), (draft, 404)):
        for who in ("other", "unverified"):
            client = getattr(people, f"{who}_client")
            response = submit(
                client, f"/practices/{item}/delete", {"confirm": "yes"}, form_page="/my-items"
            )
            assert response.status_code == status, (who, item)
    assert row(app, published) is not None and row(app, draft) is not None


# --------------------------------------------------------------------------- editing: who


def test_another_members_id_gets_403_or_404_on_edit(app, people, published, draft):
    assert people.other_client.get(f"/practices/{published}/edit").status_code == 403
    assert people.other_client.get(f"/practices/{draft}/edit").status_code == 404
    assert people.unverified_client.get(f"/practices/{published}/edit").status_code == 403
    response = edit(people.other_client, published, "save", title="Hijacked")
    assert response.status_code == 403
    response = edit(people.other_client, draft, "draft", title="Hijacked")
    assert response.status_code == 404
    anonymous = people.anonymous_client.get(f"/practices/{published}/edit")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    assert row(app, published).title == FORM["title"]
    assert row(app, draft).title == FORM["title"]


def test_a_moderator_may_edit_anothers_item(app, people, draft):
    assert people.moderator_client.get(f"/practices/{draft}/edit").status_code == 200
    edit(people.moderator_client, draft, "draft", title="Tidied title")
    stored = row(app, draft)
    assert stored.title == "Tidied title"
    assert stored.author_id == people.author.id


def test_the_form_cannot_set_the_author_or_status(app, people, draft):
    edit(people.author_client, draft, "draft", author_id=str(people.other.id), status="published")
    stored = row(app, draft)
    assert (stored.author_id, stored.status) == (people.author.id, "draft")


# --------------------------------------------------------------------------- my items


def test_my_items_groups_both_kinds_by_status(app, people):
    ids = {
        "draft": add_practice(app, people.author, title="My draft practice", submit=False),
        "pending": add_practice(app, people.author, title="My pending practice", submit=True),
        "published": add_practice(
            app,
            people.author,
            title="My published practice",
            submit=True,
            approve_by=people.moderator,
        ),
    }
    add_research(app, people.author, title="My research draft", submit=False)
    add_practice(app, people.other, title="Someone else's draft", submit=False)

    page = Html(people.author_client.get("/my-items"))

    assert page.status == 200
    assert "My draft practice" in page.text_of("items-draft")
    assert "My research draft" in page.text_of("items-draft")
    assert "Research summary" in page.text_of("items-draft")
    assert "My pending practice" in page.text_of("items-pending")
    assert "My published practice" in page.text_of("items-published")
    assert "Nothing was sent back" in page.text
    assert "Someone else's draft" not in page.text
    for practice_id in ids.values():
        assert f"/practices/{practice_id}" in page.links()


def test_my_items_needs_a_signed_in_user(people):
    response = people.anonymous_client.get("/my-items")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_navigation_shows_my_items_and_review_to_the_right_people(people):
    anonymous = Html(people.anonymous_client.get("/practices"))
    member = Html(people.author_client.get("/practices"))
    moderator = Html(people.moderator_client.get("/practices"))

    assert "/practices" in anonymous.links() and "/my-items" not in anonymous.links()
    assert "/my-items" in member.links() and "/review" not in member.links()
    assert "/review" in moderator.links()
    assert 'aria-current="page"' in member.html
