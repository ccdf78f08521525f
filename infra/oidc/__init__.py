"""OpenID Connect relying party: discovery, ID-token validation, the login
flow, its server-side state and the sessions it opens."""
