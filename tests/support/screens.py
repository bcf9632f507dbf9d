"""What the browser journeys check on any page at any width: the two screen sizes, axe-core's
serious and critical violations, whether the page scrolls sideways, and signing in."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 800}
BLOCKING = ("serious", "critical")

#: The outermost elements reaching past the right edge of the window (what to fix).
_WIDER_THAN_WINDOW = """() => {
  const edge = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")].filter(
    (el) => el.getBoundingClientRect().right > edge + 0.5 && el.getClientRects().length);
  const outer = wide.filter((el) => !wide.includes(el.parentElement));
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className ? "." + String(el.className).split(" ").join(".") : "");
  return outer.slice(0, 5).map(
    (el) => name(el) + " to " + Math.round(el.getBoundingClientRect().right) + " px");
}"""


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def sideways(page) -> list[str]:
    """A problem when the page is wider than its window (it would scroll sideways)."""
    width, window = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    if width <= window:
        return []
    return [f"{width} px wide in a {window} px window: {page.evaluate(_WIDER_THAN_WINDOW)}"]


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the form; the account menu's Sign out button is then on the page."""
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", include_hidden=True)).to_be_attached()
