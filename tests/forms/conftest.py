from tests.support.practice import browser, people  # noqa: F401  (the page tests' fixtures)
