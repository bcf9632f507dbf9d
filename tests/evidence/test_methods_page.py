"""The public page that explains the rating rule."""

from kx import taxonomy
from kx.evidence.ratings import RATED_DESIGNS


def test_methods_page_explains_every_rating_and_the_designs_that_rate(client):
    response = client.get("/methods")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in taxonomy.RATINGS.values():
        assert name in html
    for design in RATED_DESIGNS:
        assert taxonomy.label("study_designs", design) in html
    assert "never leaves a practice" in html


def test_every_page_links_to_the_methods(client):
    assert 'href="/methods"' in client.get("/").get_data(as_text=True)
