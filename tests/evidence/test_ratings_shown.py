"""A practice's rating where a reader meets it: the list, its page ("at a glance"), search
results and the API, the same everywhere for the same reader, and never built from a study
the reader may not see."""

import re

import pytest

from kx.accounts.models import User
from kx.evidence import services
from kx.extensions import db
from kx.practice.services import get_practice
from kx.research.services import get_research
from tests.support.browser import Html
from tests.support.practice import add_practice, add_research

TITLE = "Circles of support for men leaving prison"
POSITIVE = {
    "outcome": "sexual-reoffending",
    "direction": "positive",
    "effect_measure": "OR",
    "effect_size": 0.62,
    "ci_low": 0.41,
    "ci_high": 0.93,
    "sample_size": 1412,
}
NO_EFFECT = {"outcome": "sexual-reoffending", "direction": "no-effect"}


def link(app, user, practice_id, research_id, relation="evaluates", findings=()):
    with app.app_context():
        actor = db.session.get(User, user.id)
        services.link_evidence(
            actor,
            get_practice(practice_id, actor),
            get_research(research_id, actor),
            relation,
            "",
            list(findings),
        )


@pytest.fixture
def practice(app, people):
    """A published practice with a public trial in its favour and a members-only
    systematic review that found no effect: promising to everyone, no effect to members."""
    practice_id = add_practice(app, people.moderator, submit=True, title=TITLE)
    trial = add_research(app, people.moderator, title="A randomised trial", study_design="rct")
    review = add_research(
        app,
        people.moderator,
        title="A members-only review",
        study_design="systematic-review",
        visibility="members",
    )
    link(app, people.moderator, practice_id, trial, findings=[POSITIVE])
    link(app, people.moderator, practice_id, review, "contradicts", [NO_EFFECT])
    return practice_id


def slugs(fragment: str) -> list[str]:
    return re.findall(r'class="badge badge--rating badge--rating-([a-z-]+)"', fragment)


def on_list(client, practice_id) -> str:
    html = client.get("/practices").get_data(as_text=True)
    card = re.search(
        rf'<article aria-labelledby="practice-{practice_id}-title">(.*?)</article>', html, re.S
    )
    return slugs(card.group(1))[0]


def on_page(client, practice_id) -> str:
    page = Html(client.get(f"/practices/{practice_id}"))
    assert page.status == 200
    glance = page.html.split('id="at-a-glance"', 1)[1]
    facts = re.search(r"<dt>Rating</dt><dd>(.*?)</dd>", page.html, re.S).group(1)
    assert slugs(facts)[0] == slugs(glance)[0]
    return slugs(glance)[0]


def in_search(client, practice_id) -> str:
    html = client.get("/search?q=circles").get_data(as_text=True)
    hit = re.search(
        rf'<article class="hit" aria-labelledby="hit-practice-{practice_id}">(.*?)</article>',
        html,
        re.S,
    )
    return slugs(hit.group(1))[0]


def in_api(client, practice_id, headers=None) -> dict:
    item = client.get(f"/api/v1/practices/{practice_id}", headers=headers).get_json()
    listed = client.get("/api/v1/practices", headers=headers).get_json()["items"]
    found = client.get("/api/v1/search?q=circles", headers=headers).get_json()["items"]
    (in_list,) = [p["rating"] for p in listed if p["id"] == practice_id]
    (in_search_,) = [p["rating"] for p in found if p["type"] == "practice"]
    assert item["rating"] == in_list == in_search_
    return item["rating"]


def test_the_same_rating_on_the_list_page_search_and_api(app, people, practice):
    client = people.anonymous_client

    assert on_list(client, practice) == "promising"
    assert on_page(client, practice) == "promising"
    assert in_search(client, practice) == "promising"
    rating = in_api(client, practice)
    assert rating["overall"] == "promising"
    assert rating["studies"] == 1
    assert rating["outcomes"] == [
        {
            "outcome": "sexual-reoffending",
            "rating": "promising",
            "studies": 1,
            "strongest_design": "rct",
        }
    ]
    assert "randomised controlled trial found a positive effect" in rating["reason"]


def test_a_members_only_study_changes_a_members_rating_but_never_the_public_one(
    app, people, practice, api_token
):
    member = people.other_client
    member_api = api_token(people.other)

    assert on_list(member, practice) == "no-effect"
    assert on_page(member, practice) == "no-effect"
    assert in_search(member, practice) == "no-effect"
    assert in_api(member, practice, member_api)["overall"] == "no-effect"
    assert in_api(member, practice, member_api)["studies"] == 2

    anonymous = people.anonymous_client
    assert on_list(anonymous, practice) == "promising"
    assert on_page(anonymous, practice) == "promising"
    assert in_search(anonymous, practice) == "promising"
    assert in_api(anonymous, practice)["overall"] == "promising"
    page = Html(anonymous.get(f"/practices/{practice}"))
    assert "members-only review" not in page.text


def test_the_list_shows_the_rating_with_its_studies_and_strongest_design(app, people, practice):
    unrated = add_practice(app, people.moderator, submit=True, title="Not studied yet")
    html = people.anonymous_client.get("/practices").get_data(as_text=True)

    rated_card = re.search(
        rf'<article aria-labelledby="practice-{practice}-title">(.*?)</article>', html, re.S
    ).group(1)
    assert "Promising" in Html(rated_card).text
    assert "1 study, strongest: Randomised controlled trial" in Html(rated_card).text
    assert on_list(people.anonymous_client, unrated) == "insufficient"


def test_at_a_glance_shows_the_reason_outcomes_effects_and_both_sides(app, people, practice):
    page = Html(people.other_client.get(f"/practices/{practice}"))
    glance = page.text_of("at-a-glance")

    assert "How ratings are worked out" in glance
    assert "/methods" in page.links()
    assert "found no benefit" in glance  # the rating's reason
    assert "Rating for each outcome studied" in glance  # the table's caption
    assert "Sexual reoffending" in glance
    assert "Odds ratio 0.62 (confidence interval 0.41 to 0.93), n = 1,412" in glance
    favour = page.text_of("favour-heading") + " " + glance.split("Evidence against")[0]
    assert "Evidence in favour (1)" in favour and "A randomised trial" in favour
    against = glance.split("Evidence against", 1)[1]
    assert against.startswith(" (1)")
    assert "A members-only review" in against and "no effect" in against
    for heading in ("Mechanism", "Moderators", "Implementation", "Economic cost"):
        assert heading in glance
    assert "Not described" in glance  # no mechanism written
    table = [(t, a) for t, a in page.inside("table") if t == "th"]
    assert {a.get("scope") for _, a in table} == {"col", "row"}


def test_a_draft_study_is_not_evidence_at_a_glance(app, people):
    practice_id = add_practice(app, people.moderator, submit=True, title=TITLE)
    draft = add_research(app, people.author, title="My unpublished trial", submit=False)
    link(app, people.author, practice_id, draft, findings=[POSITIVE])

    page = Html(people.author_client.get(f"/practices/{practice_id}"))

    glance = page.text_of("at-a-glance")
    assert "Evidence in favour (0)" in glance
    assert "My unpublished trial" not in glance
    assert on_page(people.author_client, practice_id) == "insufficient"


def test_a_contradicting_study_without_findings_is_evidence_against(app, people):
    practice_id = add_practice(app, people.moderator, submit=True, title=TITLE)
    cohort = add_research(app, people.moderator, title="A cohort study", study_design="cohort")
    link(app, people.moderator, practice_id, cohort, "contradicts")

    glance = Html(people.anonymous_client.get(f"/practices/{practice_id}")).text_of("at-a-glance")

    against = glance.split("Evidence against", 1)[1]
    assert against.startswith(" (1)")
    assert "A cohort study" in against
    assert "contradicts this practice; no findings recorded" in against
    assert "Evidence in favour (0)" in glance
    assert on_page(people.anonymous_client, practice_id) == "no-effect"
