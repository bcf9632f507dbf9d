"""Helpers for the forum tests."""

import re

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def send(client, url: str, data: dict | None = None, **kwargs):
    """POST like a browser: with the session's CSRF token, from the forum page when signed
    in (the header's sign-out form carries one) or from the sign-in page otherwise."""
    token = None
    for page in ("/forum", "/login"):
        match = _CSRF.search(client.get(page).get_data(as_text=True))
        if match:
            token = match.group(1)
            break
    assert token, "no CSRF token found"
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)
