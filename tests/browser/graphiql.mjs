// Drives Debian's Chromium (headless, through playwright-core) through GraphiQL at <base>/graphql:
// the network is limited to the server's origin, the token goes into the Headers pane, a query
// and a clusterEvents subscription run, and everything the browser saw is printed as JSON.
//
// node graphiql.mjs '{"baseUrl": …, "token": …, "clusterId": …, "head": N, "admit": …, "screenshot": …}'
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const config = JSON.parse(process.argv[2]);
const origin = new URL(config.baseUrl).origin;
const host = new URL(config.baseUrl).host;
// Every wait is bounded: a slow shared machine gets time, a broken page a clear failure.
const STEP_MS = 45_000;

const report = {
  foreign: [],
  consoleErrors: [],
  failedRequests: [],
  websockets: [],
  steps: [],
  queryResult: null,
  subscriptionHistory: null,
  subscriptionLive: null,
};

function step(name) {
  report.steps.push(name);
}

function sameOrigin(url) {
  const parsed = new URL(url);
  return parsed.origin === origin || parsed.protocol === "data:" || parsed.protocol === "blob:";
}

// The text of the CodeMirror 5 editor inside `selector` (GraphiQL 3 keeps its instance on the node).
async function editorText(page, selector) {
  return page.$eval(`${selector} .CodeMirror`, (node) => node.CodeMirror.getValue());
}

// Types into a CodeMirror editor as a user pasting would: focus, select all, insert.
async function typeInto(page, selector, text) {
  await page.click(`${selector} .CodeMirror-lines`);
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
  const now = await editorText(page, selector);
  if (now !== text) throw new Error(`the editor ${selector} holds ${JSON.stringify(now)}`);
}

// GraphiQL parses the query editor a moment after a change, and picks the transport (HTTP or the
// WebSocket) from that parse: running before it would send a subscription over HTTP.
async function parsed(page, operation) {
  await page.waitForFunction(
    (kind) =>
      document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.documentAST
        ?.definitions?.[0]?.operation === kind,
    operation,
  );
}

// The result pane's JSON once `accept` says it is the awaited one.
async function waitForResult(page, accept, what) {
  const deadline = Date.now() + STEP_MS;
  let last = "";
  while (Date.now() < deadline) {
    last = await editorText(page, ".graphiql-response");
    try {
      const parsed = JSON.parse(last);
      if (accept(parsed)) return parsed;
    } catch {
      // Not JSON yet: the pane is empty or still being filled.
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: the result pane shows ${last.slice(0, 500)}`);
}

async function admitOutsideTheBrowser() {
  const response = await fetch(`${config.baseUrl}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${config.token}` },
    body: JSON.stringify({ query: config.admit, variables: { c: config.clusterId } }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`admitting a subject failed: ${JSON.stringify(body.errors)}`);
}

const userDataDir = await mkdtemp(join(tmpdir(), "clusterwork-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1400, height: 900 },
    timeout: STEP_MS,
  });
  context.setDefaultTimeout(STEP_MS);

  // Anything not from the server's origin is refused and recorded.
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (sameOrigin(url)) return route.continue();
    report.foreign.push(url);
    return route.abort("blockedbyclient");
  });
  await context.routeWebSocket(
    (url) => new URL(url).host !== host,
    (ws) => {
      report.foreign.push(ws.url());
      ws.close();
    },
  );

  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (message) => {
    if (message.type() === "error") report.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => report.consoleErrors.push(String(error)));
  page.on("requestfailed", (request) =>
    report.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on("response", (response) => {
    if (response.status() >= 400) report.failedRequests.push(`${response.url()}: ${response.status()}`);
  });
  page.on("websocket", (ws) => report.websockets.push(ws.url()));

  step("open /graphql");
  await page.goto(`${config.baseUrl}/graphql`, { waitUntil: "load" });
  await page.locator(".graphiql-query-editor .CodeMirror").waitFor({ state: "visible" });
  await page.locator(".graphiql-execute-button").waitFor({ state: "visible" });
  step("GraphiQL rendered");

  await page.getByText("Headers", { exact: true }).click();
  await typeInto(
    page,
    ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
    JSON.stringify({ Authorization: `Bearer ${config.token}` }),
  );
  step("Authorization in the Headers pane");

  await typeInto(page, ".graphiql-query-editor", config.query);
  await parsed(page, "query");
  await page.click(".graphiql-execute-button");
  report.queryResult = await waitForResult(page, (r) => r.data || r.errors, "the query");
  step("query answered");

  await typeInto(page, ".graphiql-query-editor", config.subscription);
  await parsed(page, "subscription");
  await page.click(".graphiql-execute-button");
  report.subscriptionHistory = await waitForResult(
    page,
    (r) => r.errors || r.data?.clusterEvents?.position === config.head,
    "the subscription's history",
  );
  step("subscription history");

  await admitOutsideTheBrowser();
  report.subscriptionLive = await waitForResult(
    page,
    (r) => r.errors || r.data?.clusterEvents?.position === config.head + 1,
    "the subscription's live event",
  );
  step("subscription live event");

  await page.click(".graphiql-execute-button"); // stops the subscription

  // The explorer plugin shows the operation in the editor, built from the introspected schema.
  await page.click('.graphiql-sidebar button[aria-label="Show GraphiQL Explorer"]');
  await page.locator(".graphiql-explorer-root .graphiql-explorer-node.graphiql-explorer-clusterEvents").waitFor();
  step("explorer plugin shows the subscription");
  if (config.screenshot) await page.screenshot({ path: config.screenshot });

  // A dialog adds styles of its own as it opens: the page's policy must allow them.
  await page.click('.graphiql-sidebar button[aria-label="Open settings dialog"]');
  await page.getByRole("dialog").waitFor({ state: "visible" });
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  step("settings dialog opened and closed");
  // Anything the page logs as it settles (a late CSP report, a socket error) is still collected.
  await page.waitForTimeout(500);
} catch (error) {
  report.error = String(error?.stack ?? error);
} finally {
  if (context) await context.close();
  await rm(userDataDir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report));
