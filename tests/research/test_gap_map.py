"""The gap map's page of all research by domain and design (/gap-map/research) counts
exactly what each viewer may see, against a hand-built fixture (the evidence-and-gap map
itself has tests of its own in tests/evidence).

Counted: published research summaries (per domain and study design) and published practice
examples per domain, split by whether any published research the viewer may see is linked
to them. Drafts, pending, rejected and archived items are never counted, not even for their
author; members-only items count for verified members only; restricted items only for
verified members of the listed sectors (and moderators).
"""

import re
from html.parser import HTMLParser

import pytest

from kx import taxonomy
from kx.accounts.models import User
from kx.database import transaction
from kx.evidence import gap_map as maps
from kx.evidence.models import EvidenceLink
from kx.extensions import db
from kx.practice import services as practice_services
from kx.records import services as records
from kx.research import services

DOMAINS = list(taxonomy.DOMAINS)
DESIGNS = list(taxonomy.STUDY_DESIGNS)
RESEARCH_CAPTION = (
    "Number of published research summaries per domain (rows) and study design (columns)"
)
PRACTICE_CAPTION = (
    "Published practice examples per domain, by whether any research is linked to them"
)


# --------------------------------------------------------------------------- helpers


def add_research(
    app, author, title, domains, design, visibility="public", status="published", sectors=()
):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {
            "title": title,
            "domains": domains,
            "study_design": design,
            "visibility": visibility,
            "restricted_sectors": list(sectors),
        }
        item = services.save_research(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_practice(app, author, title, domains, visibility="public", status="published", sectors=()):
    with app.app_context():
        user = db.session.get(User, author.id)
        data = {
            "title": title,
            "domains": domains,
            "visibility": visibility,
            "restricted_sectors": list(sectors),
            "body": "How the service works.",
        }
        item = practice_services.save_practice(user, data)
        with transaction():
            records.set_status(item, status)
        return item.id


def add_link(app, research_id, practice_id, relation="supports"):
    with app.app_context(), transaction():
        db.session.add(
            EvidenceLink(research_id=research_id, practice_id=practice_id, relation=relation)
        )


class _Tables(HTMLParser):
    """Every table on a page as ``caption -> rows of cell texts`` (th and td alike)."""

    def __init__(self):
        super().__init__()
        self.tables, self._rows, self._caption = {}, None, None
        self._cell = self._in_caption = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption.strip()] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def read_gap_map(client) -> tuple[dict, dict]:
    """The two gap-map tables as a user reads them: ``cells[domain][design]`` and
    ``practices[domain] = (with, without)``, keyed by slug via the visible labels."""
    response = client.get("/gap-map/research")
    assert response.status_code == 200
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    research_table = parser.tables[RESEARCH_CAPTION]
    practice_table = parser.tables[PRACTICE_CAPTION]
    domain_by_label = {name: slug for slug, name in taxonomy.DOMAINS.items()}
    design_by_label = {name: slug for slug, name in taxonomy.STUDY_DESIGNS.items()}

    header, *body = research_table
    assert header[0] == "Domain" and header[-1] == "All designs"
    columns = [design_by_label[name] for name in header[1:-1]]
    assert columns == DESIGNS
    cells = {}
    for row in body:
        if row[0] == "All domains":
            continue
        cells[domain_by_label[row[0]]] = dict(zip(columns, map(int, row[1:-1]), strict=True))
        assert int(row[-1]) == sum(cells[domain_by_label[row[0]]].values())
    practices = {domain_by_label[row[0]]: (int(row[1]), int(row[2])) for row in practice_table[1:]}
    return cells, practices


def expected(research: dict, practices: dict) -> tuple[dict, dict]:
    """Zeros everywhere except the given ``(domain, design) -> n`` and ``domain -> (w, wo)``."""
    cells = {d: dict.fromkeys(DESIGNS, 0) for d in DOMAINS}
    for (domain, design), count in research.items():
        cells[domain][design] = count
    return cells, {d: practices.get(d, (0, 0)) for d in DOMAINS}


# --------------------------------------------------------------------------- fixture


@pytest.fixture
def world(app, make_user):
    """The hand-built fixture (see the expectations in each test)."""
    author = make_user(sector="academic")
    people = {
        "author": author,
        "police": make_user(sector="law-enforcement"),
        "academic": make_user(sector="academic"),
        "unverified": make_user(sector="law-enforcement", verified=False),
        "moderator": make_user(role="moderator", sector="policy"),
    }
    r = {
        "public rct 1": add_research(app, author, "R1", ["policing", "prevention"], "rct"),
        "public rct 2": add_research(app, author, "R2", ["policing"], "rct"),
        "members cohort": add_research(app, author, "R3", ["treatment"], "cohort", "members"),
        "restricted qual": add_research(
            app,
            author,
            "R4",
            ["policing"],
            "qualitative",
            "restricted",
            sectors=["law-enforcement"],
        ),
        "draft": add_research(app, author, "R5", ["policing"], "rct", status="draft"),
        "pending": add_research(app, author, "R6", ["education"], "other", status="pending"),
        "archived": add_research(app, author, "R7", ["policing"], "rct", status="archived"),
        "rejected": add_research(app, author, "R8", ["desistance"], "rct", status="rejected"),
    }
    p1 = add_practice(app, author, "P1", ["policing"])
    p2 = add_practice(app, author, "P2", ["policing", "treatment"])
    add_practice(app, author, "P3", ["prevention"], "members")
    p4 = add_practice(app, author, "P4", ["policing"], status="draft")
    p5 = add_practice(app, author, "P5", ["education"])
    p6 = add_practice(app, author, "P6", ["policing"], "restricted", sectors=["law-enforcement"])
    add_link(app, r["public rct 1"], p1, "supports")
    add_link(app, r["members cohort"], p2, "evaluates")
    add_link(app, r["public rct 2"], p4, "supports")  # draft practice: never counted
    add_link(app, r["draft"], p5, "supports")  # draft research is no evidence yet
    add_link(app, r["archived"], p5, "evaluates")  # nor is archived research
    add_link(app, r["restricted qual"], p6, "supports")
    return people


ANONYMOUS = expected(
    {("policing", "rct"): 2, ("prevention", "rct"): 1},
    {"policing": (1, 1), "treatment": (0, 1), "education": (0, 1)},
)
ACADEMIC_MEMBER = expected(
    {("policing", "rct"): 2, ("prevention", "rct"): 1, ("treatment", "cohort"): 1},
    {"policing": (2, 0), "treatment": (1, 0), "prevention": (0, 1), "education": (0, 1)},
)
POLICE_MEMBER = expected(
    {
        ("policing", "rct"): 2,
        ("prevention", "rct"): 1,
        ("treatment", "cohort"): 1,
        ("policing", "qualitative"): 1,
    },
    {"policing": (3, 0), "treatment": (1, 0), "prevention": (0, 1), "education": (0, 1)},
)


def test_anonymous_visitors_count_public_published_items_only(client, world):
    assert read_gap_map(client) == ANONYMOUS


def test_unverified_accounts_count_like_anonymous_visitors(client, world, login):
    login(client, world["unverified"])
    assert read_gap_map(client) == ANONYMOUS


def test_verified_members_count_members_only_items(client, world, login):
    login(client, world["academic"])
    assert read_gap_map(client) == ACADEMIC_MEMBER


def test_restricted_items_count_for_members_of_the_listed_sector(client, world, login):
    login(client, world["police"])
    assert read_gap_map(client) == POLICE_MEMBER


def test_authors_see_their_own_published_items_counted_but_not_their_drafts(client, world, login):
    """The author (an academic) wrote every item: their own restricted items count for
    them, as authors always see their own work; their drafts and pending items do not."""
    login(client, world["author"])
    assert read_gap_map(client) == POLICE_MEMBER


def test_moderators_count_every_published_item(client, world, login):
    login(client, world["moderator"])
    assert read_gap_map(client) == POLICE_MEMBER


def test_the_page_agrees_with_the_service(app, client, world):
    with app.app_context():
        data = maps.gap_map(None)
    cells, practices = read_gap_map(client)
    assert cells == data["cells"]
    assert practices == {
        d: (c["with_evidence"], c["without_evidence"]) for d, c in data["practices"].items()
    }


def test_cells_link_to_the_filtered_list_which_shows_the_same_number(client, world, login):
    login(client, world["police"])
    page = client.get("/gap-map/research").get_data(as_text=True)
    assert 'href="/research?domain=policing&amp;study_design=rct"' in page
    assert 'href="/research?domain=policing&amp;study_design=qualitative"' in page
    assert "study_design=cohort&amp;domain" not in page
    # a zero cell has no link
    assert 'href="/research?domain=education&amp;study_design=rct"' not in page
    listing = client.get("/research?domain=policing&study_design=rct").get_data(as_text=True)
    assert "2 summaries match your filters" in listing
    assert ">R1</a>" in listing and ">R2</a>" in listing and ">R5</a>" not in listing
    listing = client.get("/research?domain=policing&study_design=qualitative")
    assert ">R4</a>" in listing.get_data(as_text=True)


def test_practices_without_evidence_link_to_the_practice_list(client, world):
    page = client.get("/gap-map/research").get_data(as_text=True)
    assert 'href="/practices?domain=policing&amp;evidence_level=none"' in page
    assert 'href="/practices?domain=prevention&amp;evidence_level=none"' not in page  # zero

    listing = client.get("/practices?domain=policing&evidence_level=none").get_data(as_text=True)
    listed = set(re.findall(r'href="/practices/\d+">([^<]+)</a>', listing))
    cell = re.search(r'evidence_level=none" aria-label="(\d+) Policing', page)
    assert len(listed) == int(cell.group(1))


def test_the_table_is_accessible(client, world):
    page = client.get("/gap-map/research").get_data(as_text=True)
    assert f'<caption id="gap-caption">{RESEARCH_CAPTION}</caption>' in page
    assert f"<caption>{PRACTICE_CAPTION}</caption>" in page
    assert page.count("<h1") == 1
    assert '<th scope="col" class="num">Randomised controlled trial</th>' in page
    assert '<th scope="row">Policing</th>' in page
    # counts are text, and a cell's link says what it counts
    assert 'aria-label="2 Randomised controlled trial summaries in Policing"' in page


def test_an_empty_database_shows_zeros_everywhere(client):
    cells, practices = read_gap_map(client)
    assert cells == expected({}, {})[0]
    assert practices == expected({}, {})[1]


def test_research_that_only_informs_a_practice_is_not_counted_as_its_evidence(
    app, client, make_user
):
    """The same rule as the evidence level: only research that evaluates or supports."""
    from kx.practice.services import save_practice
    from kx.research.services import save_research

    moderator = make_user(role="moderator")
    with app.app_context():
        from kx.accounts.models import User
        from kx.extensions import db

        actor = db.session.get(User, moderator.id)
        practice = save_practice(
            actor,
            {
                "title": "Informed only",
                "domains": ["desistance"],
                "submit": True,
                "anonymised_confirmed": True,
            },
        )
        study = save_research(
            actor,
            {
                "title": "Background study",
                "domains": ["desistance"],
                "study_design": "cohort",
                "submit": True,
            },
        )
        practice_id, study_id = practice.id, study.id
    add_link(app, study_id, practice_id, "informs")
    assert read_gap_map(client)[1]["desistance"] == (0, 1)


def test_the_map_page_links_to_this_page(client):
    page = client.get("/gap-map").get_data(as_text=True)

    assert 'href="/gap-map/research"' in page
