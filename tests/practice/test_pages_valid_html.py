"""The Nu HTML Checker on the pages members fill in day to day: the review page of a
submission and of an edit, the queue, the home page of an author and of a moderator, an
import's result with notes and skipped entries, and a practice with its years."""

import pytest

from tests.support.browser import csrf_token
from tests.support.html import vnu_problems
from tests.support.practice import FORM, add_practice, create, created_id, post_form

pytestmark = pytest.mark.usefixtures("_index_later")


def test_the_pages_members_fill_are_valid_html(app, people, tmp_path):
    author, moderator = people.author_client, people.moderator_client
    pending = created_id(create(author, "submit", start_year="2019", end_year="2021"))
    add_practice(app, people.author, title="A draft", submit=False)
    published = add_practice(
        app, people.author, submit=True, approve_by=people.moderator, title="Published"
    )
    post_form(author, f"/practices/{published}/edit", {**FORM, "outcomes": "New\n\nMore"}, "save")
    token = csrf_token(author, "/research/import")
    imported = author.post(
        "/research/import",
        data={"csrf_token": token, "bibtex": "@article{a, title={T}, year={n.d.}}\n@misc{b}"},
    )
    pages = {
        "review page": moderator.get(f"/review/practice/{pending}"),
        "review page of an edit": moderator.get(f"/review/practice/{published}"),
        "queue": moderator.get("/review"),
        "author's home": author.get("/"),
        "moderator's home": moderator.get("/"),
        "import result": imported,
        "practice with years": author.get(f"/practices/{pending}"),
        "practice form": author.get(f"/practices/{pending}/edit"),
    }
    files = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        file = tmp_path / f"{len(files)}.html"
        file.write_bytes(response.data)
        files[str(file)] = name
    problems = vnu_problems(files)
    assert not problems, "\n".join(problems)
