"""A browser stand-in: an httpx client with cookies that follows redirects and
fills in the identity provider's login and consent forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

MAX_FORMS = 5  # login, consent, and a little slack


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The first POST form of a page, with its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.form: Form | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form is None and found.get("method", "").lower() == "post":
            self.form, self._inside = Form(found.get("action", "")), True
        elif tag == "input" and self._inside and self.form is not None and found.get("name"):
            self.form.fields[found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def first_post_form(page: str) -> Form | None:
    parser = _FormParser()
    parser.feed(page)
    return parser.form


def browser(accept: str = "application/json") -> httpx.Client:
    """A fresh browser (no cookies) that asks our callback for ``accept``."""
    return httpx.Client(follow_redirects=True, timeout=30, headers={"Accept": accept})


def sign_in(client: httpx.Client, login_url: str, login: str, base_url: str) -> httpx.Response:
    """Follows ``login_url`` through the provider's forms back to our callback;
    the callback's response."""
    response = client.get(login_url)
    for _ in range(MAX_FORMS):
        if str(response.url).startswith(base_url):
            return response
        form = first_post_form(response.text)
        assert form is not None, f"no form at {response.url}: {response.text[:500]}"
        data = dict(form.fields)
        if "login" in data:
            data.update(login=login, password="any password will do")
        response = client.post(urljoin(str(response.url), form.action), data=data)
    raise AssertionError(f"still not back at {base_url} after {MAX_FORMS} forms: {response.url}")
