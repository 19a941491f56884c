#!/usr/bin/env bash
# Prints the bin folder of Node.js <major>, fetched once from the npm registry into .cache/node/<major>
# (the node-<platform>-<arch> packages hold the official binaries). The CLI is tested on several
# Node versions; this machine has one.
set -euo pipefail
major=${1:?usage: scripts/fetch-node.sh <major version>}
cd "$(dirname "$0")/.."
dir=.cache/node/$major
if [ ! -x "$dir/bin/node" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  package=node-$(node -p 'process.platform + "-" + process.arch')@$major
  tarball=$(npm pack --silent --pack-destination "$dir" "$package" | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
  rm "$dir/$tarball"
fi
echo "$PWD/$dir/bin"
