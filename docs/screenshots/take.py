"""Screenshots of kx with the demo content for the README: the home page, a practice page
and a search, each at 1280 and 390 pixels wide, written beside this script.

Run with ``make screenshots``: a fresh SQLite database and search index in a temporary
folder, the demo loaded through the real CLI, the app served on a free loopback port and
photographed by Debian's Chromium (/usr/bin/chromium) through Playwright.
"""

import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from kx import create_app
from kx.extensions import db
from kx.practice.models import Practice

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def pages(app) -> dict[str, str]:
    """name -> path of the pages to photograph."""
    with app.app_context():
        practice = db.session.scalar(select(Practice).where(Practice.title.contains("helpline")))
    return {"home": "/", "practice": f"/practices/{practice.id}", "search": "/search?q=helpline"}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kx-screenshots-") as folder:
        app = create_app(
            {
                "SECRET_KEY": "screenshots",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/kx.db",
                "SEARCH_INDEX_DIR": f"{folder}/index",
            }
        )
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["demo", "load"]):
            result = runner.invoke(args=command)
            if result.exit_code:
                raise SystemExit(result.output)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                for width, viewport in WIDTHS.items():
                    page = browser.new_page(
                        base_url=f"http://127.0.0.1:{server.server_port}", viewport=viewport
                    )
                    for name, path in pages(app).items():
                        page.goto(path)
                        target = HERE / f"{name}-{width}.png"
                        page.screenshot(path=target)
                        print(target.relative_to(HERE.parent.parent))
                    page.close()
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
