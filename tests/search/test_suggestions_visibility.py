""" "Did you mean" offers only word forms that a document the viewer may see holds as
written. Candidates used to be checked by stem only, so
"evaluations", written only in a restricted or deleted item, was offered to anyone who
could see an item saying "evaluate" (both stem to "evalu")."""

from tests.support.search import VIEWERS

TEXT = "Practitioners describe how the service was set up and who it reaches."
RESTRICTED = {"visibility": "restricted", "restricted_sectors": ["law-enforcement"]}


def test_a_form_only_a_restricted_item_holds_is_not_offered_to_outsiders(kx):
    kx.practice("Public item", f"We evaluate the helpline every year. {TEXT}")
    kx.practice("Restricted item", f"Two evaluations of the triage desk. {TEXT}", **RESTRICTED)

    for viewer in (None, "unverified", "academic"):
        assert kx.search("evaluationz", viewer).suggestion is None, viewer
    for viewer in ("le", "moderator"):
        assert kx.search("evaluationz", viewer).suggestion == "evaluations", viewer


def test_a_form_only_a_members_item_holds_is_not_offered_to_visitors(client, kx):
    kx.practice("Public item", f"We evaluate the helpline every year. {TEXT}")
    kx.practice("Members item", f"Two evaluations of the triage desk. {TEXT}", visibility="members")

    body = client.get("/api/v1/search", query_string={"q": "evaluationz"}).get_json()
    assert body["suggestion"] is None
    page = client.get("/search", query_string={"q": "evaluationz"}).get_data(as_text=True)
    assert "Did you mean" not in page and "evaluations" not in page
    assert kx.search("evaluationz", "academic").suggestion == "evaluations"


def test_the_visible_form_is_offered_instead_of_a_hidden_nearer_one(kx):
    kx.practice("Public item", f"A quillwort grows by the pond. {TEXT}")
    kx.practice("Restricted item", f"Quillworts grow by the pond. {TEXT}", **RESTRICTED)

    assert kx.search("quilworts", None).suggestion == "quillwort"
    assert kx.search("quilworts", "le").suggestion == "quillworts"


def test_after_deleting_the_only_item_with_a_form_it_is_no_longer_offered(kx):
    kx.practice("Keeps the stem", f"We evaluate the helpline every year. {TEXT}")
    only = kx.practice("Only evaluations", f"Two evaluations of the triage desk. {TEXT}")
    for viewer in VIEWERS:
        assert kx.search("evaluationz", viewer).suggestion == "evaluations", viewer

    kx.delete("practice", only)

    for viewer in VIEWERS:
        assert kx.search("evaluationz", viewer).suggestion is None, viewer


def test_after_restricting_or_archiving_the_item_its_forms_leave_with_it(kx):
    kx.practice("Keeps the stem", f"We evaluate the helpline every year. {TEXT}")
    item = kx.practice("Only evaluations", f"Two evaluations of the triage desk. {TEXT}")

    kx.edit_practice(item, **RESTRICTED)

    assert kx.search("evaluationz", None).suggestion is None
    assert kx.search("evaluationz", "academic").suggestion is None
    assert kx.search("evaluationz", "le").suggestion == "evaluations"

    kx.archive("practice", item)

    for viewer in VIEWERS:
        assert kx.search("evaluationz", viewer).suggestion is None, viewer


def test_reindex_rebuilds_the_word_list_from_what_is_published(app, kx):
    kx.practice("Keeps the stem", f"We evaluate the helpline every year. {TEXT}")
    only = kx.practice("Only evaluations", f"Two evaluations of the triage desk. {TEXT}")
    kx.delete("practice", only)

    result = app.test_cli_runner().invoke(args=["search", "reindex"])

    assert result.exit_code == 0, result.output
    words = kx.words()
    assert "evaluate" in words and "helpline" in words
    assert "evaluations" not in words and "triage" not in words
    for viewer in VIEWERS:
        assert kx.search("evaluationz", viewer).suggestion is None, viewer
