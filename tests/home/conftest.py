"""The home page tests share the practice page tests' signed-in browsers and cast."""

from tests.support.practice import browser, people  # noqa: F401  (fixtures)
