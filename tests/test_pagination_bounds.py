"""Page numbers out of range: ``page=9223372036854775807`` answered
500 on the practice and research lists and the forum (SQLite cannot hold the offset). Every
paginated page and API list takes any ``page`` and ``per_page``: a page shows the last
page it serves (empty) or the first for nonsense, the API answers 422 with its JSON error.
"""

import pytest

from kx.accounts.models import User
from kx.extensions import db
from kx.forum import services as forum
from kx.practice import services as practices
from kx.research import services as research
from kx.search import saved
from kx.web import MAX_PAGE

HUGE = "9223372036854775807"
BAD_PAGES = [HUGE, "0", "-1", "abc", "1e3", str(10**30)]
BAD_PER_PAGE = [str(10**20), "0", "-1", "abc"]


@pytest.fixture
def site(app, make_user, login, api_token):
    """A moderator's browser and token, and one item of each kind with its id."""
    moderator = make_user(role="moderator")
    with app.app_context():
        user = db.session.get(User, moderator.id)
        practice = practices.save_practice(
            user,
            {
                "title": "Paged practice",
                "domains": ["treatment"],
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        study = research.save_research(
            user, {"title": "Paged study", "domains": ["treatment"], "submit": True}
        )
        thread = forum.create_thread(
            user,
            category="treatment",
            kind="research-need",
            title="Paged thread",
            body="A research need with one post.",
        )
        theme, _token = saved.save(user, "Paged theme", {"q": "paged"})
        ids = {
            "practice": practice.id,
            "research": study.id,
            "thread": thread.id,
            "theme": theme.id,
        }
    client = app.test_client()
    login(client, moderator)
    return {"client": client, "headers": api_token(moderator), **ids}


HTML_LISTS = [
    "/practices",
    "/practices?evidence_level=none",
    "/research",
    "/research?domain=treatment",
    "/forum/treatment",
    "/forum/research-needs",
    "/forum/threads/{thread}",
    "/search?q=paged",
    "/search",
    "/themes/{theme}",
]
API_LISTS = [
    "/api/v1/practices",
    "/api/v1/practices?evidence_level=none",
    "/api/v1/research",
    "/api/v1/practices/{practice}/revisions",
    "/api/v1/research/{research}/revisions",
    "/api/v1/forum/threads",
    "/api/v1/forum/categories",
    "/api/v1/search?q=paged",
    "/api/v1/tokens",
    "/api/v1/review",
]


def _with(url: str, site: dict, **params) -> str:
    url = url.format(**site)
    extra = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{url}{'&' if '?' in url else '?'}{extra}"


@pytest.mark.parametrize("page", BAD_PAGES)
def test_html_lists_show_a_page_for_any_page_number(site, page):
    client = site["client"]
    for url in HTML_LISTS:
        response = client.get(_with(url, site, page=page))
        assert response.status_code == 200, (url, page, response.status_code)


def test_a_page_beyond_the_last_is_empty_and_nonsense_is_the_first(site):
    client = site["client"]
    beyond = client.get(f"/practices?page={HUGE}").get_data(as_text=True)
    assert "Paged practice" not in beyond
    for page in ("0", "-1", "abc"):
        first = client.get(f"/practices?page={page}").get_data(as_text=True)
        assert "Paged practice" in first, page
    assert "Paged study" not in client.get(f"/research?page={MAX_PAGE + 1}").get_data(as_text=True)
    assert "Paged thread" in client.get(f"/forum/treatment?page={page}").get_data(as_text=True)


@pytest.mark.parametrize(
    "name, value", [("page", p) for p in BAD_PAGES[:4]] + [("per_page", p) for p in BAD_PER_PAGE]
)
def test_api_lists_refuse_page_numbers_out_of_range_with_a_json_error(site, name, value):
    for url in API_LISTS:
        response = site["client"].get(_with(url, site, **{name: value}), headers=site["headers"])
        assert response.status_code == 422, (url, name, value, response.status_code)
        error = response.get_json()["error"]
        assert error["status"] == 422 and name in error["fields"], (url, error)


def test_api_lists_serve_their_largest_page(site):
    for url in API_LISTS:
        response = site["client"].get(
            _with(url, site, page=1_000_000, per_page=100), headers=site["headers"]
        )
        assert response.status_code == 200, (url, response.status_code)
        assert response.get_json()["items"] == [], url
