"""Reading and posting pages like a browser: CSRF tokens, form posts, the breadcrumb, two
HTML readers (``Page`` for forms and their errors, ``Html`` for elements, ids and text)
and copying a cookie between clients."""

import re
from html import unescape
from html.parser import HTMLParser

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token a real browser would get from the form page at ``url``."""
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in {url} (status {page.status_code})"
    return match.group(1)


def submit(client, url: str, data: dict | None = None, form_page: str | None = None, **kwargs):
    """POST ``data`` to ``url`` like a browser: with the token from ``form_page`` (or ``url``)."""
    data = {"csrf_token": csrf_token(client, form_page or url), **(data or {})}
    return client.post(url, data=data, **kwargs)


def breadcrumb(html: str) -> list[tuple[str, str, bool]]:
    """The page's breadcrumb as (text, href, is the current page), read from the one
    ``<nav aria-label="Breadcrumb">`` (the assertion fails when there is none or several)."""
    navs = re.findall(r'<nav [^>]*aria-label="Breadcrumb"[^>]*>(.*?)</nav>', html, re.S)
    assert len(navs) == 1, f"{len(navs)} breadcrumb navs"
    items = re.findall(r"<li>\s*<a ([^>]*)>(.*?)</a>\s*</li>", navs[0], re.S)
    return [
        (
            unescape(" ".join(re.sub(r"<[^>]+>", "", text).split())),
            unescape(re.search(r'href="([^"]*)"', attrs).group(1)),
            'aria-current="page"' in attrs,
        )
        for attrs, text in items
    ]


class _PageParser(HTMLParser):
    """Collects form controls, their values, the error lists beside them and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: dict[str, dict] = {}  # name -> attributes of the first control
        self.values: dict[str, str] = {}  # name -> value a browser would show
        self.error_lists: dict[str, list[str]] = {}  # ul id -> messages
        self.links: list[str] = []
        self.text: list[str] = []
        self._select = self._textarea = self._errors = None

    def handle_starttag(self, tag, attrs):
        a = {k: ("" if v is None else v) for k, v in attrs}
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name and name not in self.controls:
            self.controls[name] = a
        if tag == "input" and name and a.get("type") not in ("checkbox", "radio"):
            self.values.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "ul" and "errors" in a.get("class", "").split():
            self._errors = a.get("id")
            self.error_lists[self._errors] = []
        elif tag == "li" and self._errors:
            self.error_lists[self._errors].append("")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "ul":
            self._errors = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data
        if self._errors and self.error_lists[self._errors]:
            self.error_lists[self._errors][-1] += data.strip()
        self.text.append(data)


class Page:
    """An HTML response read the way a user (or a screen reader) meets it."""

    def __init__(self, response):
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        parser = _PageParser()
        parser.feed(self.html)
        self._parser = parser
        self.text = re.sub(r"\s+", " ", " ".join(parser.text))

    def value(self, name: str) -> str:
        """What the control ``name`` shows: input value, selected option or textarea text."""
        value = self._parser.values[name]
        return value[1:] if value.startswith("\n") else value.removeprefix("\r\n")

    def has_control(self, name: str) -> bool:
        return name in self._parser.controls

    def errors(self, name: str) -> list[str]:
        """Messages shown beside the field ``name`` (and tied to it for screen readers)."""
        control = self._parser.controls[name]
        messages = self._parser.error_lists.get(f"{control.get('id', name)}-errors", [])
        if messages:
            assert control.get("aria-invalid") == "true", f"{name} is not marked invalid"
            assert f"{control['id']}-errors" in control.get("aria-describedby", "")
        return messages

    def error_text(self, name: str) -> str:
        return " ".join(self.errors(name))

    @property
    def links(self) -> list[str]:
        return self._parser.links


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Html(HTMLParser):
    """A response read the way a user (or a screen reader) meets it."""

    def __init__(self, response):
        """``response``: a test response, or an HTML fragment (then ``status`` is None)."""
        super().__init__(convert_charrefs=True)
        if isinstance(response, str):
            self.status, self.html = None, f"<body>{response}</body>"
        else:
            self.status = response.status_code
            self.html = response.get_data(as_text=True)
        self.elements: list[tuple[str, dict, tuple]] = []  # tag, attrs, open ancestors
        self._stack: list[tuple[str, dict]] = []
        self._chunks: list[tuple[str, tuple]] = []  # text, ids of open elements
        self._values: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self.feed(self.html)
        self.close()
        self.text = " ".join(" ".join(chunk for chunk, _ in self._chunks).split())

    # parsing

    def handle_starttag(self, tag, attrs):
        a = {k: ("" if v is None else v) for k, v in attrs}
        self.elements.append((tag, a, tuple(t for t, _ in self._stack)))
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._values.setdefault(name, []).append(a.get("value", "on"))
            else:
                self._values.setdefault(name, [])
        elif tag == "select":
            self._select = name
            self._values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self._values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._values[name] = [""]
        if tag not in VOID:
            self._stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._textarea:
            self._values[self._textarea][0] += data
        ids = tuple(a["id"] for _, a in self._stack if a.get("id"))
        self._chunks.append((data, ids))

    # reading

    def text_of(self, element_id: str) -> str:
        """The text inside the element with ``element_id`` ("" when there is none)."""
        return " ".join(" ".join(c for c, ids in self._chunks if element_id in ids).split())

    def has_id(self, element_id: str) -> bool:
        return any(a.get("id") == element_id for _, a, _ in self.elements)

    def values(self, name: str) -> list[str]:
        """What the control ``name`` shows (selected options, checked boxes, typed text)."""
        return [re.sub(r"^\r?\n", "", v) for v in self._values[name]]

    def value(self, name: str) -> str:
        values = self.values(name)
        return values[0] if values else ""

    def has_control(self, name: str) -> bool:
        return name in self._values

    def errors(self, field_id: str) -> str:
        """The messages shown beside field ``field_id``."""
        return self.text_of(f"{field_id}-errors")

    def inside(self, tag: str) -> list[tuple[str, dict]]:
        """Elements nested in a ``tag`` element (e.g. the article)."""
        return [(t, a) for t, a, ancestors in self.elements if tag in ancestors]

    def links(self) -> list[str]:
        return [a["href"] for t, a, _ in self.elements if t == "a" and "href" in a]

    def forms(self) -> list[str]:
        return [a.get("action", "") for t, a, _ in self.elements if t == "form"]

    def buttons(self) -> list[str]:
        return [a.get("value", "") for t, a, _ in self.elements if t == "button"]


def copy_cookie(source, target, name: str = "session") -> str:
    """Give ``target`` the value of ``source``'s cookie ``name``, as an attacker would."""
    cookie = source.get_cookie(name)
    assert cookie is not None, f"no {name} cookie to copy"
    target.set_cookie(name, cookie.value)
    return cookie.value
