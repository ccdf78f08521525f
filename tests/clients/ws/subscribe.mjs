// Subscribes to clusterEvents with a standard JavaScript client, as an
// application would, and reports on stdout, one JSON object a line:
//   {"event": {...}}        each event received
//   {"errors": [...]}       a result that carries GraphQL errors
//   {"closed": 4403, ...}   the socket closed before the last wanted event
//   {"done": true}          the event at `until` arrived
//   {"complete": true}      the server completed the operation
// Usage: node subscribe.mjs '{"client": "graphql-ws" | "apollo", "url": "ws://…/graphql",
//                             "token": "…", "clusterId": "…", "after": 0, "until": 12,
//                             "fields": "position type data"}'   (fields: optional)
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);
// The event's fields to select; `data` (the event's facts) where a test reads them.
const QUERY = `subscription ($c: ID!, $after: Int) {
  clusterEvents(clusterId: $c, after: $after) { ${options.fields ?? "position type"} }
}`;
const GIVE_UP_MS = 60_000;

const variables = { c: options.clusterId, after: options.after };
let finished = false;

function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// Node 20 has no global WebSocket, which graphql-ws and Apollo's link both
// expect (as in a browser): `ws` is the implementation graphql-ws documents.
globalThis.WebSocket ??= WebSocket;
const wsClient = createClient({
  url: options.url,
  connectionParams: { Authorization: `Bearer ${options.token}` },
  retryAttempts: 0,
  on: {
    closed: (event) => {
      if (!finished) report({ closed: event.code, reason: event.reason });
    },
  },
});

async function finish(code) {
  finished = true;
  await wsClient.dispose();
  process.exit(code);
}

function received(data) {
  const event = data.clusterEvents;
  report({ event });
  if (event.position >= options.until) finish(0);
}

setTimeout(() => {
  report({ timeout: GIVE_UP_MS });
  finish(2);
}, GIVE_UP_MS).unref();

if (options.client === "graphql-ws") {
  try {
    for await (const result of wsClient.iterate({ query: QUERY, variables })) {
      if (result.errors) report({ errors: result.errors });
      if (result.data) received(result.data);
    }
    report({ complete: true });
  } catch (error) {
    // graphql-ws rejects with the CloseEvent; `closed` above has reported it.
    if (typeof error?.code !== "number") report({ error: String(error?.message ?? error?.type) });
  }
  await finish(0);
} else if (options.client === "apollo") {
  const apollo = new ApolloClient({ link: new GraphQLWsLink(wsClient), cache: new InMemoryCache() });
  apollo
    .subscribe({ query: gql(QUERY), variables, fetchPolicy: "no-cache" })
    .subscribe({
      next: (result) => {
        // Apollo 4 hands GraphQL errors over as one CombinedGraphQLErrors.
        if (result.error) report({ errors: result.error.errors ?? [{ message: result.error.message }] });
        if (result.data) received(result.data);
      },
      error: (error) => {
        report({ error: String(error?.message ?? error) });
        finish(0);
      },
      complete: () => {
        report({ complete: true });
        finish(0);
      },
    });
} else {
  report({ error: `unknown client ${options.client}` });
  process.exit(2);
}
