"""The few HTML pages of the login: signed in, refused, sign out, signed out."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5}textarea{width:100%;height:7rem;font-family:monospace}"
    "code,pre{background:#f3f3f3;padding:.1rem .3rem}"
)

VIEWER_QUERY = "{ viewer { name memberships { cluster { id name } member { id roles } } } }"


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
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
