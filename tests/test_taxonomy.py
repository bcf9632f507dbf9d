from kx import taxonomy


def test_countries_are_iso_alpha2_codes_with_names():
    countries = taxonomy.countries()
    assert countries["GB"] == "United Kingdom"
    assert countries["DE"] == "Germany"
    assert len(countries) == 249
    assert all(len(code) == 2 and code.isupper() for code in countries)


def test_study_designs_are_ordered_strongest_first():
    designs = list(taxonomy.STUDY_DESIGNS)
    assert designs[:3] == ["systematic-review", "rct", "quasi-experimental"]
    assert designs[-1] == "other"


def test_labels_fall_back_to_the_slug():
    assert taxonomy.label("domains", "risk-assessment") == "Risk assessment"
    assert taxonomy.label("domains", "unknown") == "unknown"
    assert taxonomy.label("countries", "NL") == "Netherlands"
