"""Fixtures for the page tests: a browser signed in as anyone and the cast of people."""

from tests.support.practice import browser, people  # noqa: F401  (the page tests' fixtures)
