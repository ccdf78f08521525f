// Timed load phases with autocannon, the same load generator for both servers.
//
//   node load.mjs    then one phase per line on stdin, as JSON:
//                    {"url", "seconds", "clients": [{"headers", "body"}, …], "unique": bool}
//
// One process serves every phase of a benchmark run (starting Node and autocannon
// costs about a second on a busy machine). One connection per client, each with its
// own headers and body (its own token: Clusterwork's rate limit is per token, as for
// real clients); with "unique", every "[<id>]" in a body becomes a fresh id per
// request, so that each write is new. (autocannon's own idReplacement announces a
// Content-Length that differs from the body it sends, and the servers then wait for
// bytes that never come.)
//
// Answers each phase with one line of JSON: requests, seconds, every response time
// in ms (autocannon's own measure; the caller pools several phases before taking
// percentiles), and what went wrong (non-2xx, GraphQL errors, transport errors,
// timeouts).
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

function phase(spec) {
  const latencies = [];
  const run = randomUUID();
  let firstBad = null;
  let nextClient = 0;
  let nextId = 0;

  const freshIds = (request) => ({
    ...request,
    body: request.body.replaceAll("[<id>]", () => `${run}-${nextId++}`),
  });

  // GraphQL answers errors with status 200: a body holding "errors" is a failure too.
  const verifyBody = (body) => {
    const good = !body.includes('"errors"');
    if (!good && firstBad === null) firstBad = body.slice(0, 500);
    return good;
  };

  return new Promise((resolve, reject) => {
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
          reject(error);
          return;
        }
        resolve({
          requests: latencies.length,
          seconds: result.duration,
          latencies_ms: latencies,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          errors: result.errors,
          timeouts: result.timeouts,
          first_bad_body: firstBad,
        });
      },
    );
    // Every answered request with its response time, as autocannon measures it.
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  let answer;
  try {
    answer = await phase(JSON.parse(line));
  } catch (error) {
    answer = { failed: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
