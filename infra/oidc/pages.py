"""The few HTML pages of the login: signed in, refused, sign out, signed out."""

from __future__ import annotations

from html import escape

from infra.web import STATIC_PATH

# A stylesheet the server ships, not an inline style: the pages' policy allows only its own files.
_STYLESHEET = f"{STATIC_PATH}/clusterwork/page.css"

VIEWER_QUERY = "{ viewer { name memberships { cluster { id name } member { id roles } } } }"


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f'<link rel=stylesheet href="{_STYLESHEET}"></head><body><h1>{escape(title)}</h1>{body}</body></html>'
    )


def signed_in_page(name: str | None, token: str, expires_in: int, base_url: str) -> str:
    graphiql = f"{base_url}/graphql"
    return _page(
        "Signed in to Clusterwork",
        f"""
<p>You are signed in as <strong>{escape(name or "a member")}</strong>.</p>
<h2>GraphiQL</h2>
<p>Open <a href="{escape(graphiql)}">{escape(graphiql)}</a>. In this browser your session
cookie signs every request, so no header is needed. Try:</p>
<pre>{escape(VIEWER_QUERY)}</pre>
<h2>Other clients</h2>
<p>Send the header <code>Authorization: Bearer &lt;token&gt;</code> with this workspace
token. It expires in {expires_in // 60} minutes; sign in again for a new one.</p>
<textarea readonly aria-label="workspace token">{escape(token)}</textarea>
<form method="post" action="{escape(base_url)}/auth/logout">
<button type="submit">Sign out</button></form>
""",
    )


def refused_page(status: int, message: str) -> str:
    return _page(
        "Sign-in refused",
        f"""
<p>{escape(message)}</p>
<p>Start again from your cluster's sign-in link. If this keeps happening, give your
coordinator this message and the time (HTTP {status}).</p>
""",
    )


def sign_out_page(base_url: str) -> str:
    return _page(
        "Sign out of Clusterwork",
        f"""
<p>Signing out ends this browser's session on the server.</p>
<form method="post" action="{escape(base_url)}/auth/logout">
<button type="submit">Sign out</button></form>
""",
    )


def signed_out_page(ended: bool) -> str:
    said = "Your session has ended." if ended else "There was no session to end."
    return _page("Signed out", f"<p>{said} Tokens you copied stay valid until they expire.</p>")
