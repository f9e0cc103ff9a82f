#!/usr/bin/env bash
# Browser tests: Debian's Chromium, driven headless by playwright-core, against a real gateway.
# axe-core on every page and state, screenshots at 1024 and 320 px, no horizontal scrolling at
# 320 px, a keyboard-only journey and journeys with JavaScript off. See run.mjs. And the analyst's
# map.html from `map`, opened from file:// (map.mjs). And the officer's desk (desk.mjs; alone:
# `node tests/browser/desk.mjs [path/to/pis-gateway]`). PISG_BROWSER_ONLY=REGEX runs only the
# journeys whose names match it, and of pages, languages, weak, map and desk only those it names.
#
#   bash tests/browser/run.sh [path/to/pis-gateway]
#
# Builds nothing: the binary is given (default target/debug/pis-gateway). Never downloads a
# browser: playwright-core only, with /usr/bin/chromium (installed with apt-get when missing and
# running as root). Without Chromium, node or npm it prints SKIPPED and exits 0.
# Writes target/browser/report.md, results.json, gateway.log and screenshots/.
# KEEP=1 keeps the temporary directory (config, spool, emails).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=${1:-target/debug/pis-gateway}
chromium=${CHROMIUM:-/usr/bin/chromium}

skip() { echo "SKIPPED browser tests: $*"; exit 0; }

[ -x "$bin" ] || { echo "no gateway binary at $bin (run cargo build first)"; exit 1; }
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac

command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "node $(node --version) is too old (playwright-core needs 20 or later)"

if [ ! -x "$chromium" ]; then
  [ "$(id -u)" = 0 ] || skip "Chromium is not installed at $chromium and installing it needs root"
  command -v apt-get >/dev/null 2>&1 || skip "Chromium is not installed at $chromium and apt-get is unavailable"
  export DEBIAN_FRONTEND=noninteractive
  echo "installing Chromium with apt-get"
  apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } \
    || skip "Chromium could not be installed with apt-get"
  [ -x "$chromium" ] || skip "apt-get installed chromium but there is no $chromium"
fi

# playwright-core never fetches a browser; this makes sure nothing else tries to either.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  else
    node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

work=$(mktemp -d)
gw_pid=""
cleanup() {
  if [ -n "$gw_pid" ]; then
    kill "$gw_pid" 2>/dev/null || true
    wait "$gw_pid" 2>/dev/null || true
  fi
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)
# The default mail transport (files), into the temporary directory, where run.mjs reads the
# acknowledgement links. Rate limits raised far above what the suite sends, so it never gets 429.
cat > "$work/gateway.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
# Probes on a port of its own, so this run never meets another gateway on the default one.
admin_listen = "127.0.0.1:0"
public_url = "https://localhost:$port"
tls_cert = "$repo/certs-example/localhost.pem"
tls_key = "$repo/certs-example/localhost-key.pem"
signing_key = "$repo/certs-example/signing-key.pem"
[spool]
dir = "$work/spool"
[forms]
dir = "$repo/forms"
[mail]
transport = "file"
file_dir = "$work/mail"
# Every evidence file goes by one-time link, so the download page has a link to open.
max_attachment_bytes = 1
[delivery]
poll_interval_secs = 1
[public]
# Every shipped language, so the suite checks each public page in Welsh and Arabic too.
languages = ["en", "cy", "pl", "ro", "ur", "ar"]
[routing]
triage_rules = "$repo/config/triage.toml"
localities = "$repo/config/localities.toml"
[limits]
min_fill_seconds = 0
submissions_per_minute = 100000
submission_burst = 100000
pages_per_minute = 100000
page_burst = 100000
global_submissions_per_second = 100000
global_pages_per_second = 100000
navigation_per_minute = 100000
navigation_burst = 100000
global_navigation_per_second = 100000
follow_up_per_minute = 100000
follow_up_burst = 100000
follow_up_per_code_per_hour = 100000
follow_up_per_code_burst = 100000
TOML
# The shipped routes (example keys): a routes.toml beside the config file replaces its routes.
cp "$repo/config/routes.toml" "$work/routes.toml"

# Nothing from the caller's environment may override the file above.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^PISG__' || true)

"$bin" serve --config "$work/gateway.toml" > "$work/gateway.log" 2>&1 &
gw_pid=$!
base="https://localhost:$port"
healthy=""
for _ in $(seq 150); do
  if ! kill -0 "$gw_pid" 2>/dev/null; then
    echo "FAILED: the gateway exited at start"; cat "$work/gateway.log"; exit 1
  fi
  if command -v curl >/dev/null 2>&1; then
    curl -sf --cacert certs-example/ca.pem "$base/healthz" >/dev/null 2>&1 && { healthy=1; break; }
  else
    node -e 'require("https").get(process.argv[1], {ca: require("fs").readFileSync("certs-example/ca.pem")},
      r => process.exit(r.statusCode === 200 ? 0 : 1)).on("error", () => process.exit(1))' "$base/healthz" \
      && { healthy=1; break; }
  fi
  sleep 0.2
done
[ -n "$healthy" ] || { echo "FAILED: no answer from $base/healthz"; tail -n 30 "$work/gateway.log"; exit 1; }
echo "gateway up at $base (log: target/browser/gateway.log)"

# map.html for the map checks (tests/browser/map.mjs): generated submissions, mapped offline.
"$bin" map --identity tests/browser/map-fixture/analyst.key \
  --signer tests/browser/map-fixture/signing-keys.txt --locality SCARBOROUGH \
  --out "$work/map-scarborough" tests/browser/map-fixture/envelopes > "$work/map.log" 2>&1 \
  || { echo "FAILED: map"; cat "$work/map.log"; exit 1; }
"$bin" map --identity tests/browser/map-fixture/analyst.key \
  --signer tests/browser/map-fixture/signing-keys.txt --reports \
  --out "$work/map" tests/browser/map-fixture/envelopes > "$work/map.log" 2>&1 \
  || { echo "FAILED: map"; cat "$work/map.log"; exit 1; }

# The same set with room to draw only the largest clusters (the others listed): beside the map
# above as map-few/, where map.mjs looks for it.
"$bin" map --identity tests/browser/map-fixture/analyst.key \
  --signer tests/browser/map-fixture/signing-keys.txt --draw 100 \
  --out "$work/map-few" tests/browser/map-fixture/envelopes > "$work/map.log" 2>&1 \
  || { echo "FAILED: map --draw"; cat "$work/map.log"; exit 1; }

status=0
PISG_BROWSER_BIN="$bin" PISG_BROWSER_MAP_DIR="$work/map" PISG_BROWSER_BASE_URL="$base" PISG_BROWSER_MAIL_DIR="$work/mail" PISG_BROWSER_OUT="$repo/target/browser" \
  CHROMIUM="$chromium" node tests/browser/run.mjs || status=$?

kill "$gw_pid" 2>/dev/null || true
wait "$gw_pid" 2>/dev/null || true
gw_pid=""
mkdir -p target/browser
cp "$work/gateway.log" target/browser/gateway.log
if [ "$status" != 0 ]; then
  echo "--- last lines of the gateway log"
  tail -n 20 "$work/gateway.log"
fi
exit "$status"
