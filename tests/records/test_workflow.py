"""The workflow that practice examples and research summaries share, at the service level:
every state transition and who may make it (the author, another member, an unverified
member, a moderator, an anonymous visitor), revisions, reverts, the audit log, DOI
clashes, evidence links and the derived evidence level.

draft --submit--> pending --approve--> published --archive--> archived
                          --reject--> rejected --submit--> pending
A moderator's own submission publishes at once. An author's edit of a published item
waits for review beside the published version (tests/records/test_pending_edits.py); a
moderator's applies at once. Each test runs inside one application context and calls the
services directly, with the actor passed explicitly, as views and the API do.
"""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from kx.accounts.models import User
from kx.audit import AuditEvent
from kx.errors import Conflict, Forbidden, Invalid, NotFound
from kx.evidence import services as evidence_services
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice import services as practice_services
from kx.practice.models import Practice
from kx.records import services as records
from kx.records.models import Revision, can_view, text_diff, visible_to
from kx.research import services as research_services
from kx.research.models import Research
from kx.search import indexing


@pytest.fixture(autouse=True)
def _no_indexing(monkeypatch):
    """Each save of a published item updates the search index after its commit (about half
    a second with Whoosh); these tests are about the workflow, so the outbox is left as is."""
    monkeypatch.setattr(indexing, "apply_outbox", lambda timeout=None: 0)


@pytest.fixture
def people(app, make_user):
    """The cast, as ORM objects inside an application context held for the whole test."""
    ids = {
        "author": make_user(sector="treatment").id,
        "other": make_user(sector="academic").id,
        "police": make_user(sector="law-enforcement").id,
        "unverified": make_user(verified=False, sector="treatment").id,
        "moderator": make_user(role="moderator", sector="ngo").id,
    }
    with app.app_context():
        cast = {name: db.session.get(User, user_id) for name, user_id in ids.items()}
        # a signed-out visitor exactly as views pass one: current_user's object
        yield SimpleNamespace(**cast, anonymous=app.login_manager.anonymous_user())


# --------------------------------------------------------------------------- helpers

KINDS = ["practice", "research"]


def save(kind, actor, item=None, **fields):
    """Save through the kind's service with the smallest valid data for a new item."""
    if kind == "practice":
        data = {"title": "A practice", "domains": ["treatment"]} if item is None else {}
        if fields.get("submit"):
            data["anonymised_confirmed"] = True
        data.update(fields)
        return practice_services.save_practice(actor, data, item)
    data = {"title": "A study", "authors": ["A. Author"], "domains": ["treatment"]}
    data = data if item is None else {}
    data.update(fields)
    return research_services.save_research(actor, data, item)


def model(kind):
    return Practice if kind == "practice" else Research


def published(kind, author, moderator, **fields):
    """Submitted by ``author`` and approved (a moderator's own item publishes at once)."""
    item = save(kind, author, submit=True, **fields)
    if item.status == "pending":
        records.review(item, moderator, "approve")
    assert item.status == "published"
    return item


def approved_edit(kind, author, moderator, item, **fields):
    """``author``'s edit of published ``item``, approved by ``moderator``."""
    save(kind, author, item, **fields)
    records.review(item, moderator, "approve")
    return item


def visible_ids(kind, viewer) -> set[int]:
    cls = model(kind)
    return set(db.session.scalars(select(cls.id).where(visible_to(cls, viewer))))


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def revisions(item) -> list[Revision]:
    return records.revisions_of(item)


def count(kind) -> int:
    cls = model(kind)
    return db.session.scalar(select(func.count(cls.id)))


# --------------------------------------------------------------------------- drafts


@pytest.mark.parametrize("kind", KINDS)
def test_a_member_saves_a_draft_only_they_and_moderators_see(people, kind):
    item = save(kind, people.author)

    assert item.status == "draft" and item.author_id == people.author.id
    assert item.published_at is None and item.submitted_at is None
    [first] = revisions(item)
    assert first.author_id == people.author.id and "title" in first.fields_changed
    for viewer in (people.author, people.moderator):
        assert can_view(item, viewer) and item.id in visible_ids(kind, viewer)
    for viewer in (people.other, people.police, people.unverified, None):
        assert not can_view(item, viewer) and item.id not in visible_ids(kind, viewer)


@pytest.mark.parametrize("kind", KINDS)
def test_an_anonymous_visitor_cannot_write(people, kind):
    for visitor in (None, people.anonymous):
        with pytest.raises(Forbidden):
            save(kind, visitor)
    assert count(kind) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_an_unverified_member_may_keep_drafts_but_not_submit(people, kind):
    draft = save(kind, people.unverified)
    assert draft.status == "draft"

    with pytest.raises(Forbidden):
        save(kind, people.unverified, draft, submit=True)
    with pytest.raises(Forbidden):
        save(kind, people.unverified, submit=True, title="Straight to review")

    db.session.refresh(draft)
    assert draft.status == "draft"
    assert count(kind) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_another_member_cannot_edit_a_draft(people, kind):
    item = save(kind, people.author)
    for intruder in (people.other, people.police, people.unverified):
        with pytest.raises(Forbidden):
            save(kind, intruder, item, title="Taken over")
    db.session.refresh(item)
    assert len(revisions(item)) == 1 and item.title != "Taken over"


# --------------------------------------------------------------------------- submission


def test_submitting_a_practice_needs_the_anonymisation_confirmation(people):
    with pytest.raises(Invalid) as refused:
        practice_services.save_practice(
            people.author, {"title": "Unconfirmed", "domains": ["policing"], "submit": True}
        )
    assert "anonymised_confirmed" in refused.value.fields
    assert count("practice") == 0

    draft = save("practice", people.author)
    with pytest.raises(Invalid):
        practice_services.save_practice(
            people.author, {"submit": True, "anonymised_confirmed": False}, draft
        )
    db.session.refresh(draft)
    assert draft.status == "draft" and not draft.anonymised_confirmed


@pytest.mark.parametrize("kind", KINDS)
def test_a_members_submission_waits_for_review(people, kind):
    item = save(kind, people.author)
    item = save(kind, people.author, item, submit=True)

    assert item.status == "pending" and item.submitted_at is not None
    assert item.published_at is None
    if kind == "practice":
        assert item.anonymised_confirmed
    assert can_view(item, people.moderator) and can_view(item, people.author)
    assert not can_view(item, people.other) and not can_view(item, None)


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderators_own_submission_publishes_directly(people, kind):
    item = save(kind, people.moderator, submit=True)

    assert item.status == "published" and item.published_at is not None
    assert item.id in visible_ids(kind, None)


@pytest.mark.parametrize("kind", KINDS)
def test_submit_false_takes_an_item_back_to_draft(people, kind):
    item = save(kind, people.author, submit=True)
    item = save(kind, people.author, item, submit=False)
    assert item.status == "draft"


def test_a_practice_without_a_domain_is_refused(people):
    with pytest.raises(Invalid) as refused:
        practice_services.save_practice(people.author, {"title": "No domain"})
    assert "domains" in refused.value.fields


@pytest.mark.parametrize("kind", KINDS)
def test_restricted_visibility_needs_sectors(people, kind):
    with pytest.raises(Invalid) as refused:
        save(kind, people.author, visibility="restricted")
    assert "restricted_sectors" in refused.value.fields


@pytest.mark.parametrize("kind", KINDS)
def test_workflow_fields_cannot_be_set_directly(people, kind):
    for field in ("status", "author", "author_id", "id", "created_at", "published_at"):
        with pytest.raises(Invalid) as refused:
            save(kind, people.author, **{field: "published" if field == "status" else 1})
        assert field in refused.value.fields
    assert count(kind) == 0


# --------------------------------------------------------------------------- review


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_approves_and_the_decision_is_audited(people, kind):
    item = save(kind, people.author, submit=True)

    records.review(item, people.moderator, "approve")

    assert item.status == "published" and item.published_at is not None
    assert item.review_note == ""
    assert item.id in visible_ids(kind, None)
    [event] = audit(f"{kind}.approve")
    assert (event.actor_id, event.target_type, event.target_id) == (
        people.moderator.id,
        kind,
        item.id,
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_rejection_needs_a_reason(people, kind, reason):
    item = save(kind, people.author, submit=True)

    with pytest.raises(Invalid) as refused:
        records.review(item, people.moderator, "reject", reason)

    assert "reason" in refused.value.fields
    db.session.refresh(item)
    assert item.status == "pending"
    assert audit(f"{kind}.reject") == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_rejection_with_a_reason_reaches_the_author_and_the_audit_log(people, kind):
    item = save(kind, people.author, submit=True)

    records.review(item, people.moderator, "reject", "  Remove the town name in the body. ")

    assert item.status == "rejected"
    assert item.review_note == "Remove the town name in the body."
    assert can_view(item, people.author) and not can_view(item, people.other)
    [event] = audit(f"{kind}.reject")
    assert event.actor_id == people.moderator.id
    assert event.details["reason"] == "Remove the town name in the body."


@pytest.mark.parametrize("kind", KINDS)
def test_only_moderators_review(people, kind):
    item = save(kind, people.author, submit=True)

    for reviewer in (people.author, people.other, people.police, people.unverified):
        for decision in ("approve", "reject"):
            with pytest.raises(Forbidden):
                records.review(item, reviewer, decision, "A reason")

    db.session.refresh(item)
    assert item.status == "pending"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def in_state(kind, people, state):
    """A fresh item of ``people.author``'s in workflow ``state``."""
    item = save(kind, people.author, submit=state != "draft", title=f"In state {state}")
    if state in ("published", "archived"):
        records.review(item, people.moderator, "approve")
    if state == "archived":
        records.archive(item, people.author)
    if state == "rejected":
        records.review(item, people.moderator, "reject", "Not yet.")
    assert item.status == state
    return item


@pytest.mark.parametrize("kind", KINDS)
def test_only_pending_items_can_be_reviewed(people, kind):
    for state in ("draft", "published", "rejected", "archived"):
        item = in_state(kind, people, state)
        for decision in ("approve", "reject"):
            with pytest.raises(Invalid):
                records.review(item, people.moderator, decision, "Again")
        db.session.refresh(item)
        assert item.status == state, state


def test_an_unknown_decision_is_refused(people):
    item = save("practice", people.author, submit=True)
    with pytest.raises(Invalid) as refused:
        records.review(item, people.moderator, "publish")
    assert "decision" in refused.value.fields
    assert item.status == "pending"


@pytest.mark.parametrize("kind", KINDS)
def test_the_author_fixes_and_resubmits_a_rejected_item(people, kind):
    item = save(kind, people.author, submit=True, title="First try")
    records.review(item, people.moderator, "reject", "Needs a clearer summary.")

    edited = save(kind, people.author, item, title="Second try")
    assert edited.status == "rejected"  # an edit alone keeps the state
    resubmitted = save(kind, people.author, item, submit=True)
    assert resubmitted.status == "pending"
    records.review(resubmitted, people.moderator, "approve")

    assert resubmitted.status == "published" and resubmitted.review_note == ""
    assert resubmitted.title == "Second try"


@pytest.mark.parametrize("kind", KINDS)
def test_another_member_cannot_resubmit_someone_elses_rejected_item(people, kind):
    item = save(kind, people.author, submit=True)
    records.review(item, people.moderator, "reject", "No.")
    with pytest.raises(Forbidden):
        save(kind, people.other, item, submit=True)
    db.session.refresh(item)
    assert item.status == "rejected"


# ------------------------------------------------------------------ edits of published items


@pytest.mark.parametrize("kind", KINDS)
def test_an_authors_approved_edit_of_a_published_item_stays_published_with_a_revision(people, kind):
    item = published(kind, people.author, people.moderator, title="Before")
    first_published = item.published_at
    before = len(revisions(item))

    save(kind, people.author, item, title="After", countries=["NL", "DE"])
    assert item.title == "Before" and len(revisions(item)) == before
    records.review(item, people.moderator, "approve")

    assert item.title == "After"
    assert item.status == "published" and item.published_at == first_published
    history = revisions(item)
    assert len(history) == before + 1
    latest = history[-1]
    assert latest.author_id == people.author.id
    assert set(latest.fields_changed) == {"title", "countries"}
    changes = latest.changes_from(history[-2])
    assert changes["title"] == ("Before", "After")
    assert changes["countries"] == ([], ["DE", "NL"])
    assert "-Before" in text_diff("Before", "After") and "+After" in text_diff("Before", "After")


@pytest.mark.parametrize("kind", KINDS)
def test_saving_without_changes_stores_no_revision(people, kind):
    item = save(kind, people.author, title="Same")
    save(kind, people.author, item, title="Same")
    assert len(revisions(item)) == 1


def test_an_edit_that_adds_an_identifier_waits_with_its_warning(people):
    item = published("practice", people.author, people.moderator, body="A clean account.")

    practice_services.save_practice(
        people.author, {"body": "Contact the lead at lead.worker@example.org for details."}, item
    )

    assert item.status == "published" and item.body == "A clean account."
    assert item.identifier_warnings == []
    edit = records.pending_edit(item)
    assert [w["kind"] for w in edit.identifier_warnings] == ["email"]
    assert item.id in visible_ids("practice", None)


def test_an_edit_that_keeps_an_already_reviewed_warning_stays_published(people):
    item = save("practice", people.author, submit=True, body="Ring the desk on 020 7946 0018.")
    assert [w["kind"] for w in item.identifier_warnings] == ["phone"]
    records.review(item, people.moderator, "approve")  # the moderator accepted the number

    practice_services.save_practice(people.author, {"title": "A better title"}, item)

    assert item.status == "published"


def test_a_moderators_edit_with_an_identifier_stays_published(people):
    item = published("practice", people.author, people.moderator)

    practice_services.save_practice(
        people.moderator, {"body": "Write to office.lead@example.org."}, item
    )

    assert item.status == "published" and item.identifier_warnings
    assert revisions(item)[-1].author_id == people.moderator.id


def test_research_edits_keep_the_summary_published_and_carry_their_warnings(people):
    item = published("research", people.author, people.moderator)

    research_services.save_research(
        people.author, {"limitations": "Ask the team at team.lead@example.org."}, item
    )

    assert item.status == "published"
    assert [w["kind"] for w in records.pending_edit(item).identifier_warnings] == ["email"]
    records.review(item, people.moderator, "approve")
    assert [w["kind"] for w in item.identifier_warnings] == ["email"]


@pytest.mark.parametrize("kind", KINDS)
def test_another_member_cannot_edit_a_published_item_but_a_moderator_can(people, kind):
    item = published(kind, people.author, people.moderator, title="Original")
    for intruder in (people.other, people.police, people.unverified, None):
        with pytest.raises(Forbidden):
            save(kind, intruder, item, title="Vandalised")
    save(kind, people.moderator, item, title="Tidied by a moderator")
    assert item.title == "Tidied by a moderator" and item.status == "published"


# --------------------------------------------------------------------------- archive


@pytest.mark.parametrize("kind", KINDS)
def test_the_author_archives_their_published_item(people, kind):
    item = published(kind, people.author, people.moderator)

    records.archive(item, people.author)

    assert item.status == "archived"
    assert item.id not in visible_ids(kind, None)
    assert item.id not in visible_ids(kind, people.other)
    assert can_view(item, people.author) and can_view(item, people.moderator)
    assert audit(f"{kind}.archive") == []  # authors' own actions are not staff actions


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_archives_another_members_item_with_an_audit_entry(people, kind):
    item = published(kind, people.author, people.moderator)

    records.archive(item, people.moderator)

    assert item.status == "archived"
    [event] = audit(f"{kind}.archive")
    assert (event.actor_id, event.target_id) == (people.moderator.id, item.id)


@pytest.mark.parametrize("kind", KINDS)
def test_other_members_cannot_archive(people, kind):
    item = published(kind, people.author, people.moderator)
    for intruder in (people.other, people.police, people.unverified, None):
        with pytest.raises(Forbidden):
            records.archive(item, intruder)
    assert item.status == "published"


@pytest.mark.parametrize("kind", KINDS)
def test_only_published_items_can_be_archived(people, kind):
    for state in ("draft", "pending", "rejected", "archived"):
        item = in_state(kind, people, state)
        with pytest.raises(Invalid):
            records.archive(item, people.author)
        with pytest.raises(Invalid):
            records.archive(item, people.moderator)
        assert item.status == state, state


@pytest.mark.parametrize("kind", KINDS)
def test_an_archived_item_can_be_resubmitted(people, kind):
    item = published(kind, people.author, people.moderator)
    records.archive(item, people.author)

    save(kind, people.author, item, submit=True)

    assert item.status == "pending"


# --------------------------------------------------------------------------- delete


def linked_pair(people):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.other, people.moderator)
    link = evidence_services.link_evidence(people.other, practice, study, "supports", "Fits.")
    return practice, study, link


@pytest.mark.parametrize("deleted", KINDS)
def test_the_author_deletes_an_item_with_its_links_and_revisions(people, deleted):
    practice, study, link = linked_pair(people)
    item = practice if deleted == "practice" else study
    author = people.author if deleted == "practice" else people.other
    kind, item_id, link_id = item.item_type, item.id, link.id

    records.delete(item, author)
    db.session.expire_all()

    assert db.session.get(model(kind), item_id) is None
    assert db.session.get(EvidenceLink, link_id) is None
    assert (
        db.session.scalar(
            select(func.count(Revision.id)).where(
                Revision.item_type == kind, Revision.item_id == item_id
            )
        )
        == 0
    )
    survivor = study if deleted == "practice" else practice
    assert db.session.get(model(survivor.item_type), survivor.id) is not None
    assert audit(f"{kind}.delete") == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_deletes_another_members_item_with_an_audit_entry(people, kind):
    item = published(kind, people.author, people.moderator, title="To be removed")
    item_id = item.id

    records.delete(item, people.moderator)

    assert db.session.get(model(kind), item_id) is None
    [event] = audit(f"{kind}.delete")
    assert event.actor_id == people.moderator.id and event.target_id == item_id
    assert event.details["title"] == "To be removed"


@pytest.mark.parametrize("kind", KINDS)
def test_other_members_cannot_delete(people, kind):
    item = published(kind, people.author, people.moderator)
    for intruder in (people.other, people.police, people.unverified, None):
        with pytest.raises(Forbidden):
            records.delete(item, intruder)
    db.session.expire_all()
    assert db.session.get(model(kind), item.id) is not None


def test_a_signed_out_visitor_is_refused_not_crashed(people):
    practice, _study, link = linked_pair(people)
    pending = save("practice", people.author, submit=True, title="Pending")
    revision = revisions(practice)[0]
    visitor = people.anonymous
    attempts = {
        "archive": lambda: records.archive(practice, visitor),
        "delete": lambda: records.delete(practice, visitor),
        "review": lambda: records.review(pending, visitor, "approve"),
        "revert": lambda: records.revert(practice, visitor, revision.id),
        "unlink": lambda: evidence_services.unlink_evidence(visitor, link),
    }
    outcomes = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except Forbidden:
            outcomes[name] = "Forbidden"
        except Exception as exc:  # the bug: anything but Forbidden
            outcomes[name] = type(exc).__name__
        else:
            outcomes[name] = "allowed"
    assert outcomes == dict.fromkeys(attempts, "Forbidden")
    assert practice.status == "published" and pending.status == "pending"


def test_my_items_is_empty_for_a_signed_out_visitor(people):
    published("practice", people.author, people.moderator)
    published("research", people.author, people.moderator)
    mine = {"author": "me"}

    assert db.session.scalars(practice_services.practice_query(people.anonymous, mine)).all() == []
    assert db.session.scalars(research_services.research_query(people.anonymous, mine)).all() == []


def test_my_items_lists_exactly_the_viewers_own_items_in_any_state(people):
    own = [in_state("practice", people, state) for state in ("draft", "pending", "published")]
    published("practice", people.other, people.moderator)
    mine = {"author": "me"}

    found = db.session.scalars(practice_services.practice_query(people.author, mine)).all()
    assert {p.id for p in found} == {p.id for p in own}
    assert db.session.scalars(practice_services.practice_query(None, mine)).all() == []


# --------------------------------------------------------------------------- revert


@pytest.mark.parametrize("kind", KINDS)
def test_a_moderator_reverts_to_an_earlier_revision(people, kind):
    item = published(kind, people.author, people.moderator, title="Good title", countries=["IE"])
    good = revisions(item)[-1]
    approved_edit(
        kind,
        people.author,
        people.moderator,
        item,
        title="Worse title",
        countries=["FR", "BE"],
        domains=["education"],
    )
    before = len(revisions(item))

    changed = records.revert(item, people.moderator, good.id)

    assert set(changed) == {"title", "countries", "domains"}
    assert item.title == "Good title"
    assert item.countries == ["IE"] and item.domains == ["treatment"]
    assert item.status == "published"
    history = revisions(item)
    assert len(history) == before + 1
    assert history[-1].author_id == people.moderator.id
    assert history[-1].snapshot == good.snapshot
    [event] = audit(f"{kind}.revert")
    assert event.details["revision"] == good.id
    assert set(event.details["fields"]) == set(changed)


def test_reverting_a_summary_saved_without_authors_keeps_authors_a_list(people):
    item = research_services.save_research(people.author, {"title": "No authors yet"})
    first = revisions(item)[0]
    research_services.save_research(people.author, {"title": "Renamed"}, item)

    changed = records.revert(item, people.moderator, first.id)

    assert changed == ["title"]
    assert item.authors == []
    assert first.snapshot["authors"] == []


def test_after_a_revert_the_warnings_describe_the_restored_text(people):
    item = published(
        "practice", people.author, people.moderator, body="Mail desk.lead@example.org."
    )
    with_email = revisions(item)[-1]
    approved_edit("practice", people.author, people.moderator, item, body="A clean body.")
    assert item.identifier_warnings == []

    records.revert(item, people.moderator, with_email.id)

    assert "desk.lead@example.org" in item.body
    assert [w["kind"] for w in item.identifier_warnings] == ["email"]
    # ...so that the author's next, unrelated edit does not count the old e-mail as new
    save("practice", people.author, item, title="Only the title changes")
    assert item.status == "published"


@pytest.mark.parametrize("kind", KINDS)
def test_only_moderators_revert(people, kind):
    item = save(kind, people.author, title="One")
    first = revisions(item)[0]
    save(kind, people.author, item, title="Two")

    for actor in (people.author, people.other, people.police, people.unverified):
        with pytest.raises(Forbidden):
            records.revert(item, actor, first.id)

    assert item.title == "Two" and len(revisions(item)) == 2
    assert audit(f"{kind}.revert") == []


@pytest.mark.parametrize("kind", KINDS)
def test_reverting_to_another_items_revision_is_not_found(people, kind):
    item = save(kind, people.author, title="Mine")
    stranger = save(kind, people.other, title="Theirs")
    [foreign] = revisions(stranger)

    with pytest.raises(NotFound):
        records.revert(item, people.moderator, foreign.id)
    with pytest.raises(NotFound):
        records.revert(item, people.moderator, foreign.id + 10_000)
    assert item.title == "Mine"


def test_a_practice_and_a_study_with_the_same_id_do_not_share_revisions(people):
    practice = save("practice", people.author, title="Practice")
    study = save("research", people.author, title="Study")
    assert {r.item_type for r in revisions(practice)} == {"practice"}
    assert {r.item_type for r in revisions(study)} == {"research"}
    if practice.id == study.id:
        [study_revision] = revisions(study)
        with pytest.raises(NotFound):
            records.revert(practice, people.moderator, study_revision.id)


# --------------------------------------------------------------------------- DOIs


def test_a_duplicate_doi_is_a_conflict_in_any_spelling(people):
    first = published("research", people.author, people.moderator, doi="10.1234/ABC.5")
    assert first.doi == "10.1234/abc.5"

    for spelling in ("10.1234/abc.5", "https://doi.org/10.1234/ABC.5", "doi:10.1234/Abc.5"):
        with pytest.raises(Conflict) as clash:
            research_services.save_research(people.other, {"title": "Again", "doi": spelling})
        assert "doi" in clash.value.fields
    assert count("research") == 1

    second = research_services.save_research(people.other, {"title": "Second"})
    with pytest.raises(Conflict):
        research_services.save_research(people.other, {"doi": "10.1234/abc.5"}, second)
    db.session.refresh(second)
    assert second.doi is None


def test_saving_an_item_with_its_own_doi_is_not_a_conflict(people):
    item = research_services.save_research(people.author, {"title": "Own", "doi": "10.1234/own"})
    research_services.save_research(
        people.author, {"title": "Own, retitled", "doi": "https://doi.org/10.1234/OWN"}, item
    )
    assert item.title == "Own, retitled" and item.doi == "10.1234/own"


def test_an_invalid_doi_is_refused(people):
    with pytest.raises(Invalid) as refused:
        research_services.save_research(people.author, {"title": "Bad", "doi": "not a doi"})
    assert "doi" in refused.value.fields


# --------------------------------------------------------------------------- evidence links


def test_a_verified_member_links_research_to_a_practice(people):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.moderator, people.moderator)

    link = evidence_services.link_evidence(people.other, practice, study, "evaluates", " Note ")

    assert (link.relation, link.note, link.created_by_id) == ("evaluates", "Note", people.other.id)
    assert [x.id for x in evidence_services.evidence_for_practice(practice, None)] == [link.id]
    assert [x.id for x in evidence_services.practices_for_research(study, None)] == [link.id]


@pytest.mark.parametrize("actor", ["unverified", "anonymous", "none"])
def test_unverified_and_anonymous_visitors_cannot_link(people, actor):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.author, people.moderator)
    who = None if actor == "none" else getattr(people, actor)

    with pytest.raises(Forbidden):
        evidence_services.link_evidence(who, practice, study, "supports")

    assert db.session.scalar(select(func.count(EvidenceLink.id))) == 0


def test_linking_to_an_item_the_member_cannot_see_is_not_found(people):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.author, people.moderator)
    someone_elses_draft = save("research", people.author, title="Draft study")
    restricted = published(
        "practice",
        people.author,
        people.moderator,
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )

    with pytest.raises(NotFound):
        evidence_services.link_evidence(people.other, practice, someone_elses_draft, "supports")
    with pytest.raises(NotFound):
        evidence_services.link_evidence(people.other, restricted, study, "supports")
    evidence_services.link_evidence(people.police, restricted, study, "informs")  # may see it


def test_a_relation_outside_the_vocabulary_is_refused(people):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.author, people.moderator)
    with pytest.raises(Invalid) as refused:
        evidence_services.link_evidence(people.other, practice, study, "proves")
    assert "relation" in refused.value.fields


def test_the_same_pair_cannot_be_linked_twice(people):
    practice = published("practice", people.author, people.moderator)
    study = published("research", people.author, people.moderator)
    evidence_services.link_evidence(people.other, practice, study, "supports")
    with pytest.raises(Conflict):
        evidence_services.link_evidence(people.police, practice, study, "contradicts")


def test_the_links_creator_or_a_moderator_removes_it_and_no_one_else(people):
    practice, study, link = linked_pair(people)  # made by people.other

    for intruder in (people.author, people.police, people.unverified, None):
        with pytest.raises(Forbidden):
            evidence_services.unlink_evidence(intruder, link)
    evidence_services.unlink_evidence(people.other, link)
    assert db.session.scalar(select(func.count(EvidenceLink.id))) == 0
    assert audit("evidence.delete") == []

    again = evidence_services.link_evidence(people.other, practice, study, "informs")
    again_id = again.id
    evidence_services.unlink_evidence(people.moderator, again)
    assert db.session.get(EvidenceLink, again_id) is None
    [event] = audit("evidence.delete")
    assert event.actor_id == people.moderator.id and event.target_id == again_id


def test_a_link_is_found_only_when_both_ends_are_visible(people):
    practice = published("practice", people.author, people.moderator, visibility="members")
    study = published("research", people.author, people.moderator)
    link = evidence_services.link_evidence(people.other, practice, study, "supports")

    assert evidence_services.get_link(link.id, people.other).id == link.id
    for outsider in (None, people.unverified):
        with pytest.raises(NotFound):
            evidence_services.get_link(link.id, outsider)
        assert evidence_services.practices_for_research(study, outsider) == []
    with pytest.raises(NotFound):
        evidence_services.get_link(link.id + 1000, people.moderator)


# --------------------------------------------------------------------------- evidence level


@pytest.fixture
def evidence(people):
    """One practice with research of every strength, visibility and relation linked to it."""
    practice = published("practice", people.author, people.moderator, title="Evidenced")

    def study(title, design, relation, status="published", **fields):
        if status == "published":
            item = published(
                "research",
                people.moderator,
                people.moderator,
                title=title,
                study_design=design,
                **fields,
            )
        else:  # a draft of the moderator's, which only staff and its author see
            item = save("research", people.moderator, title=title, study_design=design, **fields)
        evidence_services.link_evidence(people.moderator, practice, item, relation, title)
        return item

    study("Public cohort study", "cohort", "supports")
    study("Members-only trial", "rct", "evaluates", visibility="members")
    study(
        "Police-only review",
        "systematic-review",
        "supports",
        visibility="restricted",
        restricted_sectors=["law-enforcement"],
    )
    study("Public review that informs", "systematic-review", "informs")
    study("Public review that contradicts", "systematic-review", "contradicts")
    study("Unpublished trial", "rct", "supports", status="draft")
    return practice


EXPECTED_LEVELS = {
    "none": "cohort",
    "anonymous": "cohort",
    "unverified": "cohort",
    "other": "rct",  # a verified member: the members-only trial counts
    "author": "rct",
    "police": "systematic-review",  # law enforcement also sees the restricted review
    "moderator": "systematic-review",  # sees everything, but the draft trial is no evidence
}


def test_evidence_level_is_the_strongest_visible_supporting_design(people, evidence):
    for viewer, level in EXPECTED_LEVELS.items():
        who = None if viewer == "none" else getattr(people, viewer)

        assert evidence_services.evidence_level(evidence, who) == level, viewer
        statement = practice_services.practice_query(who)
        for candidate in ("systematic-review", "rct", "cohort", "none"):
            found = db.session.scalars(
                evidence_services.filter_by_evidence_level(statement, who, candidate)
            ).all()
            assert (evidence in found) == (candidate == level), (viewer, candidate)


def test_informs_and_contradicts_alone_give_no_evidence_level(people):
    practice = published("practice", people.author, people.moderator)
    for relation, design in (("informs", "rct"), ("contradicts", "systematic-review")):
        study = published(
            "research", people.other, people.moderator, title=relation, study_design=design
        )
        evidence_services.link_evidence(people.other, practice, study, relation)

    assert evidence_services.evidence_level(practice, people.moderator) is None
    found = db.session.scalars(
        evidence_services.filter_by_evidence_level(
            practice_services.practice_query(None), None, "none"
        )
    ).all()
    assert practice in found


def test_evidence_lists_only_research_the_viewer_may_see(people, evidence):
    titles = {
        viewer: {link.note for link in evidence_services.evidence_for_practice(evidence, who)}
        for viewer, who in (
            ("anonymous", None),
            ("member", people.other),
            ("police", people.police),
        )
    }
    assert "Members-only trial" not in titles["anonymous"]
    assert "Members-only trial" in titles["member"]
    assert "Police-only review" not in titles["member"]
    assert "Police-only review" in titles["police"]
    assert "Unpublished trial" not in titles["police"]
