#!/usr/bin/env bash
# Builds ../assets/map.js (the map page's script: app.mjs with cytoscape and cytoscape-fcose)
# and LICENSES.txt from the npm packages. The outputs are committed and built into the binary
# (include_str!), so running `map` needs no Node.js; run this only to change or upgrade them:
#   bash crates/reader/src/map/frontend/build.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

out=../assets
mkdir -p "$out"

# Exact versions from package-lock.json; no install scripts (esbuild's binary comes from its
# platform package).
npm ci --ignore-scripts --no-audit --no-fund

# Everything bundled must be MIT: check, and collect the licence texts.
: > LICENSES.txt
banner="pis-gateway map.js | includes"
for pkg in cytoscape cytoscape-fcose cose-base layout-base; do
  dir=node_modules/$pkg
  version=$(node -p "require('./$dir/package.json').version")
  licence=$(node -p "require('./$dir/package.json').license")
  if [[ "$licence" != "MIT" ]]; then
    echo "$pkg $version is licensed '$licence', not MIT: stop and review" >&2
    exit 1
  fi
  file=$(ls "$dir"/LICENSE* 2>/dev/null | head -n 1 || true)
  [[ -n "$file" ]] || { echo "$pkg $version has no licence file" >&2; exit 1; }
  { echo "==== $pkg $version ($licence)"; cat "$file"; echo; } >> LICENSES.txt
  banner="$banner $pkg $version (MIT),"
  echo "$pkg $version"
done

npx --no-install esbuild app.mjs \
  --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none \
  --banner:js="/*! ${banner%,} | licences: src/map/frontend/LICENSES.txt */" \
  --log-level=warning \
  --outfile="$out/map.js"

# Guards: the page must not be able to reach anything; and the script is inlined into an HTML
# <script> element, so it must not contain the text that would end it.
if grep -oE 'https?://[^"'\'' )]*' "$out/map.js" | grep -v '^http://www\.w3\.org/'; then
  echo "$out/map.js mentions a URL (above): check it is harmless" >&2; exit 1
fi
if grep -qi '</script' "$out/map.js"; then
  echo "$out/map.js contains </script" >&2; exit 1
fi
if grep -qE 'new Function|\beval\(' "$out/map.js"; then
  echo "$out/map.js evaluates strings (the page's CSP forbids it)" >&2; exit 1
fi
printf '%-22s %7d bytes  %6d gzipped\n' "$out/map.js" "$(wc -c < "$out/map.js")" "$(gzip -9c < "$out/map.js" | wc -c)"
