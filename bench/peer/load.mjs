// One timed load phase with autocannon, the same load generator for both servers.
//
//   node load.mjs SPEC.json   SPEC: {"url", "seconds", "clients": [{"headers", "body"}, …],
//                                    "unique": bool}
//
// One connection per client, each with its own headers and body (its own token:
// Clusterwork's rate limit is per token, as for real clients); with idReplacement
// every "[<id>]" in a body becomes a fresh id per request, so that each write is new.
// Prints one JSON object: requests, seconds, every response time in ms (autocannon's
// own measure; the caller pools several phases before taking percentiles), and what
// went wrong (non-2xx, GraphQL errors, transport errors, timeouts).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
const latencies = [];
let firstBad = null;
let nextClient = 0;
const run = randomUUID();
let nextId = 0;

function freshIds(request) {
  const body = request.body.replaceAll("[<id>]", () => `${run}-${nextId++}`);
  return { ...request, body };
}

// GraphQL answers errors with status 200: a body holding "errors" is a failure too.
function verifyBody(body) {
  const good = !body.includes('"errors"');
  if (!good && firstBad === null) firstBad = body.slice(0, 500);
  return good;
}

const instance = autocannon(
  {
    url: spec.url,
    method: "POST",
    connections: spec.clients.length,
    duration: spec.seconds,
    headers: spec.clients[0].headers,
    body: spec.clients[0].body,
    requests: spec.unique ? [{ setupRequest: freshIds }] : undefined,
    setupClient(client) {
      const own = spec.clients[nextClient++ % spec.clients.length];
      client.setHeadersAndBody(own.headers, own.body);
    },
    verifyBody,
  },
  (error, result) => {
    if (error) {
      console.error(error);
      process.exit(1);
    }
    process.stdout.write(
      JSON.stringify({
        requests: latencies.length,
        seconds: result.duration,
        latencies_ms: latencies,
        non2xx: result.non2xx,
        mismatches: result.mismatches,
        errors: result.errors,
        timeouts: result.timeouts,
        first_bad_body: firstBad,
      }) + "\n",
    );
  },
);

// Every answered request with its response time, as autocannon measures it.
instance.on("response", (_client, _status, _bytes, responseTime) => {
  latencies.push(responseTime);
});
