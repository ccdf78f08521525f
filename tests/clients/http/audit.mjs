// graphql-http's GraphQL-over-HTTP audits against a running server.
// Usage: node audit.mjs <graphql url>   (AUDIT_TOKEN: a workspace token, sent as Bearer)
// Prints one JSON array: every audit's id, name, status and, unless ok, reason.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const token = process.env.AUDIT_TOKEN;

// Every audit request carries the token, so the server treats it as a signed-in client.
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = [];
// One at a time: the order of requests, and of the output, is the audit list's.
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    ...(result.status === 'ok' ? {} : { reason: result.reason }),
  });
}
process.stdout.write(JSON.stringify(results) + '\n');
