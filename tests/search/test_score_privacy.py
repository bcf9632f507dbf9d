"""Scores and ranking reveal nothing about documents the viewer may not see: relevance
statistics (how rare a word is, how long texts are) come from the viewer's audience
alone, so two worlds that differ only in hidden documents answer a viewer identically,
score for score."""

import pytest

TEXT = "Practitioners describe how the service was set up and who it reaches."

QUERIES = ["helpline", "helpline OR kestrel", "kestrel", "confidential helpline", "help*"]


@pytest.fixture
def visible(kx):
    """What an anonymous visitor and members see: public and members-only items in which
    "helpline" and "kestrel" are about as common as each other."""
    kx.practice("Confidential helpline", f"A helpline, a helpline and a helpline. {TEXT}")
    kx.practice("Kestrel team", f"The kestrel team meets the kestrel panel weekly. {TEXT}")
    kx.practice("Both", f"A helpline and a kestrel. {TEXT}")
    kx.research("Helpline study", f"Callers of one helpline were followed up. {TEXT}")
    kx.practice(
        "Members' kestrel notes", f"Kestrel notes for members. {TEXT}", visibility="members"
    )


def hidden_from(kx, audience: str) -> None:
    """Documents outside ``audience`` that hold "helpline" many times, and long ones."""
    restricted = {"visibility": "restricted", "restricted_sectors": ["law-enforcement"]}
    long_text = " ".join(["Helpline escalation helpline triage."] * 60)
    for n in range(6):
        kx.practice(f"Restricted helpline {n}", f"{long_text} {TEXT}", **restricted)
    kx.research("Restricted helpline review", long_text, **restricted)
    if audience == "anonymous":
        for n in range(6):
            kx.practice(f"Members helpline {n}", f"{long_text} {TEXT}", visibility="members")
    kx.practice("Draft helpline", long_text, submit=False)


def answers(client, headers=None) -> list:
    """The API's items (order and score) and totals for every query, as the viewer."""
    taken = []
    for q in QUERIES:
        body = client.get("/api/v1/search", query_string={"q": q}, headers=headers or {})
        assert body.status_code == 200, body.get_data(as_text=True)
        body = body.get_json()
        taken.append(
            (
                q,
                body["total"],
                [(item["type"], item["id"], item["score"]) for item in body["items"]],
                body["facets"],
            )
        )
    return taken


@pytest.mark.parametrize("audience", ["anonymous", "academic"])
def test_hidden_documents_change_no_score_and_no_order(
    client, kx, visible, make_user, api_token, audience
):
    headers = api_token(make_user(sector="academic")) if audience == "academic" else None
    before = answers(client, headers)
    assert any(item[2] > 0 for _q, _total, items, _facets in before for item in items)

    hidden_from(kx, audience)

    assert answers(client, headers) == before


def test_a_hidden_word_does_not_move_a_visible_hit(kx, visible):
    """The classic probe: one visible hit's score for a word, before and after hidden
    documents with that word appear, for the page's viewers too."""
    before = {v: kx.search("helpline", v).hits for v in (None, "academic")}

    hidden_from(kx, "academic")  # restricted to law enforcement: hidden from both

    for viewer, hits in before.items():
        after = kx.search("helpline", viewer).hits
        assert [(h.id, h.score) for h in after] == [(h.id, h.score) for h in hits], viewer


def test_scores_follow_what_the_viewer_sees(kx, visible):
    """The weighting is per audience, not switched off: a word that is rare among the
    items a viewer sees counts for more than a common one."""
    rare = kx.practice("Osprey", f"An osprey and a helpline. {TEXT}")

    [hit] = kx.search("osprey").hits
    scores = {h.id: h.score for h in kx.search("osprey OR helpline").hits}

    assert hit.id == rare and hit.score > 0
    assert scores[rare] == max(scores.values())


def test_the_openapi_document_says_what_score_means(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    hit = next(s for name, s in schemas.items() if "score" in s.get("properties", {}))

    description = hit["properties"]["score"]["description"]
    assert "only from the items the caller may see" in description


BIRDS = [
    "kestrel",
    "osprey",
    "heron",
    "falcon",
    "merlin",
    "plover",
    "curlew",
    "dunlin",
    "godwit",
    "avocet",
    "bittern",
    "egret",
    "grebe",
    "lapwing",
    "linnet",
    "ouzel",
    "petrel",
    "redpoll",
    "shrike",
    "siskin",
]


def test_hidden_documents_do_not_choose_the_related_items(kx):
    """The "related items" are found through a document's characteristic words, weighed by how
    rare they are among what the viewer may see: hidden documents that make some of those
    words common must not push the visible items sharing them out of the box."""
    # The first five words twice: the most characteristic of the subject.
    subject = kx.practice("Bird panel", " ".join(BIRDS[:5] * 2 + BIRDS[5:]))
    for bird in BIRDS:
        kx.practice(f"{bird.title()} notes", f"Notes of the {bird} group.")
    before = {viewer: kx.related("practice", subject, viewer, 25) for viewer in (None, "academic")}

    restricted = {"visibility": "restricted", "restricted_sectors": ["law-enforcement"]}
    for n in range(12):  # the first five words become common, but only in hidden items
        kx.practice(f"Restricted {n}", " ".join(BIRDS[:5] * 3), **restricted)

    for viewer, related in before.items():
        assert len(related) == 15, related  # one item per characteristic word kept
        assert kx.related("practice", subject, viewer, 25) == related, viewer
