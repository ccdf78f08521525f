// Starts GraphiQL (vendored under /static/graphiql) on the page the server renders at /graphql.
// A file of its own rather than an inline script, so the page's policy allows scripts from 'self' only.
"use strict";

const DEFAULT_QUERY = `# Clusterwork GraphiQL
#
# Put your token in the Headers pane below:
#   {"Authorization": "Bearer <token>"}
# (after single sign-on in this browser, the session cookie signs queries instead).
# Run with Ctrl-Enter or the play button.

{
  viewer {
    name
    memberships { cluster { id name continuity { gaps } } member { roles } }
  }
}
`;

// ?query=…&variables=…&headers=… prefill the editors, so a link can share an operation.
const parameters = Object.fromEntries(new URLSearchParams(window.location.search));

function updateURL(changes) {
  Object.assign(parameters, changes);
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    // Headers hold bearer tokens: they never go into the address bar or its history.
    if (value && key !== "headers") search.set(key, value);
  }
  history.replaceState(null, "", `?${search}`);
}

const fetchURL = window.location.origin + window.location.pathname;
const subscriptionURL = new URL(fetchURL);
subscriptionURL.protocol = subscriptionURL.protocol === "https:" ? "wss:" : "ws:";

// GraphiQL's bundled graphql-ws client sends the Headers pane as the connection_init payload,
// which is where the server reads a subscription's Authorization.
const fetcher = GraphiQL.createFetcher({
  url: fetchURL,
  subscriptionUrl: subscriptionURL.toString(),
});

function ClusterworkGraphiQL() {
  const [query, setQuery] = React.useState(parameters.query || DEFAULT_QUERY);
  const [variables, setVariables] = React.useState(parameters.variables);
  const explorer = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);
  return React.createElement(GraphiQL, {
    fetcher,
    plugins: [explorer],
    defaultEditorToolsVisibility: true,
    query,
    variables,
    headers: parameters.headers,
    onEditQuery: (value) => {
      setQuery(value);
      updateURL({ query: value });
    },
    onEditVariables: (value) => {
      setVariables(value);
      updateURL({ variables: value });
    },
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(ClusterworkGraphiQL),
);
