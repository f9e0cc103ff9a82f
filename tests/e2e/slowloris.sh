#!/usr/bin/env bash
# Slow clients against the gateway: slowloris (headers that never finish) and slow body (a POST
# that trickles in), each with slowhttptest from Debian, while a genuine client keeps asking
# for a page. Passes when every genuine request is answered within 2 seconds throughout.
#
#   bash tests/e2e/slowloris.sh [path/to/pis-gateway]
#
# Without slowhttptest (and no way to install it) it prints SKIPPED and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=${1:-target/debug/pis-gateway}
skip() { echo "SKIPPED slow-client test: $*"; exit 0; }

[ -x "$bin" ] || { echo "no gateway binary at $bin (run cargo build first)"; exit 1; }
if ! command -v slowhttptest >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq slowhttptest >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq slowhttptest >/dev/null 2>&1; } \
      || skip "slowhttptest could not be installed"
  else
    skip "slowhttptest is not installed"
  fi
fi
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

work=$(mktemp -d)
gw_pid=""
cleanup() { [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
recipient=$(grep -m1 '^age1' config/example-keys/recipients.EXAMPLE.txt)
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
file_dir = "$work/outbox"
[routing]
triage_rules = "$repo/config/triage.toml"
localities = "$repo/config/localities.toml"
[limits]
# Every client here is 127.0.0.1: the attack must be survived by timeouts, not by rate limits.
pages_per_minute = 1000000
page_burst = 100000
submissions_per_minute = 1000000
submission_burst = 100000
[[routes]]
name = "police_intelligence"
mailbox = "intel@example.invalid"
view = "full"
recipients = ["$recipient"]
TOML
"$bin" serve --config "$work/gateway.toml" > "$work/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 100); do
  curl -sf --cacert certs-example/ca.pem "https://localhost:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

# A genuine client: one page request every 200 ms, recording the time each took.
probe() {
  local out=$1 until=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$until" ]; do
    curl -s -o /dev/null --max-time 5 -w '%{http_code} %{time_total}\n' --cacert certs-example/ca.pem \
      "https://localhost:$port/forms/community" >> "$out" || echo "000 5" >> "$out"
    sleep 0.2
  done
}

run() {
  local name=$1; shift
  probe "$work/$name.probe" 25 &
  local probe_pid=$!
  slowhttptest "$@" -c 1000 -i 10 -r 200 -l 20 -x 24 -p 3 -o "$work/$name" > "$work/$name.out" 2>&1 || true
  wait "$probe_pid"
  local total failed slowest
  total=$(wc -l < "$work/$name.probe")
  failed=$(awk '$1 != "200" || $2 > 2.0' "$work/$name.probe" | wc -l)
  slowest=$(awk 'BEGIN{m=0} {if ($2>m) m=$2} END{printf "%.3f", m}' "$work/$name.probe")
  local p99
  p99=$(awk '{print $2}' "$work/$name.probe" | sort -n | awk '{a[NR]=$1} END{i=int(NR*0.99); if(i<1)i=1; printf "%.3f", a[i]}')
  local verdict
  verdict=$(sed 's/\x1b\[[0-9;]*m//g' "$work/$name.out" | grep -E "service available" | tail -n 1 | tr -s ' ' | sed 's/^ *//' || true)
  echo "$name: genuine page requests $((total - failed))/$total answered within 2 s (p99 ${p99} s, slowest ${slowest} s); slowhttptest: ${verdict:-no verdict}"
  [ "$failed" -eq 0 ]
}

status=0
run slowloris -H -u "https://localhost:$port/forms/community" || status=1
run slowbody -B -s 8192 -t POST -u "https://localhost:$port/api/v1/submissions" || status=1
if [ "$status" -ne 0 ]; then
  echo "FAILED: genuine clients were not served during a slow-client attack"
  tail -n 20 "$work/gateway.log"
fi
exit "$status"
