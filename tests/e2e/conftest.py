"""Browser journeys: the app from the ``app`` fixture, served on a free loopback port by a
thread of this process (so a test can look at the database with ``app.app_context()``),
driven by Playwright's sync API in Debian's Chromium.

Never let a tool download a browser: the tests use ``/usr/bin/chromium`` and fail, never
skip, when it is missing.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 10_000
_HTTP_ERROR = "Failed to load resource: the server responded with a status of"


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser journey (``-m e2e`` / ``-m 'not e2e'``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def live_server(app) -> Iterator[SimpleNamespace]:
    """``app`` served by werkzeug in a background thread; ``.url`` is its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kx-live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless; one per test module."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "Install it with `apt-get install chromium` (make test does this as root); "
            "never `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a page in a fresh browser context (its own cookies: one person each).

    Relative URLs go to the live server. Console errors, uncaught page errors (a CSP
    violation, a failed script) and failed stylesheets or scripts fail the test. On failure
    each page's screenshot lands in test-results/.
    """
    contexts, pages, problems = [], [], []

    def open_page(name: str = "page"):
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def on_console(message):
            # An error status on a page is the test's to assert; "on_response" below
            # catches failed stylesheets and scripts.
            if message.type == "error" and not message.text.startswith(_HTTP_ERROR):
                problems.append(f"{name}: console: {message.text}")

        def on_page_error(error):
            problems.append(f"{name}: page error: {error}")

        def on_response(response):
            sent = response.request
            if response.status >= 400 and sent.resource_type != "document":
                problems.append(f"{name}: {response.status} for {sent.url}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("response", on_response)
        pages.append((name, page))
        return page

    yield open_page

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        for name, page in pages:
            if not page.is_closed():
                page.screenshot(path=RESULTS / f"{request.node.name}-{name}-failed.png")
    for context in contexts:
        context.close()
    if report is not None and report.passed:
        assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot to test-results/<test>-<label>.png; returns the path."""

    def save(page, label: str) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{request.node.name}-{label}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save
