"""authlib's OAuth 2 client for httpx.

Authlib 1.9 warns on import that it would rather run on the httpx2 fork. The
project is on httpx, which authlib still supports, so that one warning is
filtered here; it has to be added after authlib installs its own "always"
filter, hence before the client's import and not in pyproject.toml.
"""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

warnings.filterwarnings(
    "ignore", message="The httpx module is deprecated", category=AuthlibDeprecationWarning
)

from authlib.integrations.httpx_client import OAuth2Client, OAuthError  # noqa: E402

__all__ = ["OAuth2Client", "OAuthError"]
