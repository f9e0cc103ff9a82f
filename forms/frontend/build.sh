#!/usr/bin/env bash
# Builds ../static/govuk-frontend.css and ../static/app.js from the npm package govuk-frontend.
# The outputs are committed, so running the gateway needs no Node.js; run this only to
# change or upgrade them:  bash forms/frontend/build.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

out=../static
pkg=node_modules/govuk-frontend

# Exact versions from package-lock.json. Install scripts are not needed (esbuild's binary
# comes from its platform package; sass is pure JS).
npm ci --ignore-scripts --no-audit --no-fund

version=$(node -p "require('./$pkg/package.json').version")
licence=$(node -p "require('./$pkg/package.json').license")
if [[ "$licence" != "MIT" ]]; then
  echo "govuk-frontend $version is licensed '$licence', not MIT: stop and review" >&2
  exit 1
fi
# The npm tarball carries no licence file; LICENSE-govuk-frontend.txt is the upstream
# LICENSE.txt (github.com/alphagov/govuk-frontend). Prefer the package's copy if it ever has one.
for f in "$pkg"/LICENSE "$pkg"/LICENSE.txt "$pkg"/LICENSE.md; do
  if [[ -f "$f" ]]; then cp "$f" LICENSE-govuk-frontend.txt; break; fi
done

# Styles. --quiet-deps hides govuk-frontend's own Sass deprecation warnings (it is loaded
# through the load path); main.scss's @import of it is the one deprecation of ours.
npx --no-install sass \
  --style=compressed --no-source-map \
  --load-path=node_modules \
  --quiet-deps --silence-deprecation=import \
  main.scss "$out/govuk-frontend.css"

# Script.
npx --no-install esbuild app.mjs \
  --bundle --minify --format=iife --target=es2017 \
  --legal-comments=inline \
  --banner:js="/*! pis-gateway app.js | includes GOV.UK Frontend $version (MIT, Copyright (C) 2017 Crown Copyright (Government Digital Service)) | see forms/frontend/LICENSE-govuk-frontend.txt */" \
  --log-level=warning \
  --outfile="$out/app.js"

# Guards: no GDS Transport, no @font-face, no url() other than /static/, no remote URLs in code.
css="$out/govuk-frontend.css"
if grep -qi -e '@font-face' -e 'GDS Transport' "$css"; then
  echo "$css references a web font" >&2; exit 1
fi
if grep -oE 'url\([^)]*\)' "$css" | grep -v '^url("\?/static/[^/"]*"\?)$'; then
  echo "$css has a url() outside /static/ (above)" >&2; exit 1
fi
if grep -oE 'https?://[^"'\'' )]*' "$out/app.js" | grep -v '^http://www\.w3\.org/'; then
  echo "$out/app.js mentions a URL (above): check it is harmless" >&2; exit 1
fi

echo "govuk-frontend $version"
urls=$(grep -oE 'url\([^)]*\)' "$css" | sort -u | tr '\n' ' ' || true)
echo "url()s in $css: ${urls:-none}"
for f in "$css" "$out/app.js"; do
  printf '%-30s %7d bytes  %6d gzipped\n' "$f" "$(wc -c < "$f")" "$(gzip -9c < "$f" | wc -c)"
done
# The start page carries its share of these rules inline: the browser suite says whether
# ../static/start-inline.css still matches, and writes the new one (see forms/README.md).
echo "then: PISG_BROWSER_ONLY=start-styles bash tests/browser/run.sh, and copy target/browser/start-inline.css to forms/static/ if it says so"
