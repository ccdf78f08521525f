// An institution's OpenID Connect provider for development and tests:
// panva's oidc-provider (OpenID Certified) with its development login and
// consent pages, where any login name and password sign in.
//
// Configured by environment variables:
//   ISSUER        the issuer URL, e.g. http://127.0.0.1:3000 (required)
//   PORT, HOST    where to listen (default 3000, 127.0.0.1)
//   CLIENTS       JSON list of {client_id, client_secret, redirect_uris} (required)
//   EMAIL_DOMAIN  accounts' e-mail is <login>@<EMAIL_DOMAIN> (default example.org)
//   ACCOUNTS      optional JSON {"<login>": {"name": "...", "email": "..."}}
// Prints "ready <issuer>" once it listens.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const issuer = required('ISSUER');
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
const clients = JSON.parse(required('CLIENTS'));
const emailDomain = process.env.EMAIL_DOMAIN || 'example.org';
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
}

// A fresh RSA key per start: each institution signs with its own key.
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

async function findAccount(ctx, id) {
  const known = accounts[id] || {};
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        name: known.name || id,
        email: known.email || `${id}@${emailDomain}`,
        email_verified: true,
      };
    },
  };
}

const provider = new Provider(issuer, {
  clients,
  findAccount,
  jwks: { keys: [signingKey()] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Name and e-mail in the ID token itself, as Keycloak, Entra ID and Google do.
  conformIdTokenClaims: false,
  pkce: { methods: ['S256'], required: () => true },
  features: { devInteractions: { enabled: true } },
});

const server = provider.listen(port, host, () => console.log(`ready ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
