"""Markdown is rendered once and sanitised: nothing executable or remote survives."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from kx.text import render_markdown

XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](%6A%61vascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "![tracker](https://evil.example/pixel.png)",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


@pytest.mark.parametrize("payload", XSS)
def test_nothing_executable_or_remote_survives(payload):
    for tag, attrs in elements(render_markdown(payload)):
        assert tag in {"p", "a", "table", "thead", "tbody", "tr", "th", "td", "br"}, tag
        assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
        href = attrs.get("href")
        # a browser reads "%6A%61vascript:" as a relative path, as urlsplit does
        assert href is None or urlsplit(href).scheme in {"", "http", "https", "mailto"}, href


def test_images_show_their_alt_text_only():
    assert render_markdown("![a diagram of the pathway](https://example.org/x.png)") == (
        "<p>a diagram of the pathway</p>\n"
    )


def test_links_are_kept_and_marked_as_user_content():
    html = render_markdown("[the study](https://doi.org/10.1007/s10508-014-0270-x)")
    assert 'href="https://doi.org/10.1007/s10508-014-0270-x"' in html
    assert 'rel="nofollow noopener ugc"' in html


def test_common_markdown_renders_and_headings_sit_below_the_page_title():
    html = render_markdown(
        "# Outcomes\n\n*Fewer* referrals:\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Outcomes</h2>" in html
    assert "<em>Fewer</em>" in html
    assert "<li>one</li>" in html
    assert "<td>1</td>" in html


def test_empty_text_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
