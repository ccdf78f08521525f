#!/usr/bin/env bash
# Copies GraphiQL's browser builds from the npm releases pinned in package-lock.json into
# infra/static/graphiql, with their licences, so the server ships every file the page loads.
# Run it (make graphiql-assets) after changing a version in package.json, then commit the result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/../../infra/static/graphiql"
cd "$here"
npm ci --no-audit --no-fund
m="$here/node_modules"

rm -rf "$dest"
mkdir -p "$dest"
cp "$m/react/umd/react.production.min.js" "$dest/react.production.min.js"
cp "$m/react-dom/umd/react-dom.production.min.js" "$dest/react-dom.production.min.js"
cp "$m/graphiql/graphiql.min.js" "$dest/graphiql.min.js"
cp "$m/graphiql/graphiql.min.css" "$dest/graphiql.min.css"
cp "$m/@graphiql/plugin-explorer/dist/index.umd.js" "$dest/plugin-explorer.umd.js"
cp "$m/@graphiql/plugin-explorer/dist/style.css" "$dest/plugin-explorer.css"
# Source-map comments would make browsers' developer tools fetch maps that are not shipped.
sed -i -e 's|^//# sourceMappingURL=.*$||' -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$dest"/*.js "$dest"/*.css

mkdir -p "$dest/licenses"
cp "$m/react/LICENSE" "$dest/licenses/react.LICENSE"
cp "$m/react-dom/LICENSE" "$dest/licenses/react-dom.LICENSE"
cp "$m/graphiql/LICENSE" "$dest/licenses/graphiql.LICENSE"
cp "$m/@graphiql/react/LICENSE" "$dest/licenses/graphiql-react.LICENSE"
cp "$m/graphiql-explorer/LICENSE" "$dest/licenses/graphiql-explorer.LICENSE"
cp "$m/graphql/LICENSE" "$dest/licenses/graphql.LICENSE"
cp "$m/graphql-ws/LICENSE.md" "$dest/licenses/graphql-ws.LICENSE"

node - "$m" "$dest/VERSIONS" <<'JS'
// Which release each vendored file comes from, read from the installed packages themselves.
const [modules, out] = process.argv.slice(2);
const fs = require("fs");
const names = ["react", "react-dom", "graphiql", "@graphiql/react", "@graphiql/plugin-explorer", "graphiql-explorer", "graphql", "graphql-ws"];
const lines = names.map((n) => {
  const p = JSON.parse(fs.readFileSync(`${modules}/${n}/package.json`, "utf8"));
  return `${n}@${p.version} (${p.license})`;
});
fs.writeFileSync(out, lines.join("\n") + "\n");
JS
echo "refreshed $dest"
