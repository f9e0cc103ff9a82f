#!/usr/bin/env bash
# End-to-end through a real MTA: the gateway submits over SMTP with STARTTLS to Postfix on
# 127.0.0.1, Postfix delivers into a Maildir, and the attachment is decrypted with Debian's `age`.
#
#   bash tests/e2e/postfix.sh [path/to/pis-gateway]
#
# Needs root (to install and run Postfix). Without Postfix or age it prints SKIPPED and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=${1:-target/debug/pis-gateway}

skip() { echo "SKIPPED postfix end-to-end: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root to run Postfix"
[ -x "$bin" ] || { echo "no gateway binary at $bin (run cargo build first)"; exit 1; }
if ! command -v postfix >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || skip "Postfix is not installed and apt-get is unavailable"
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
  apt-get install -y -qq postfix >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postfix >/dev/null 2>&1; } \
    || skip "Postfix could not be installed"
fi
command -v age >/dev/null 2>&1 || skip "the age CLI is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

work=$(mktemp -d)
# Postfix's delivery agents run as other users and must reach the Maildir and the map.
chmod 755 "$work"
smtp_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gw_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
gw_pid=""
restore_postfix() { :; }
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null || true
  restore_postfix
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# Postfix's own instance, configured from scratch for this run: a package installed with
# "No configuration" has no main.cf, and these machines run nothing else on it. The previous
# main.cf and master.cf, if any, are restored afterwards.
pf=/etc/postfix
for f in main.cf master.cf; do
  [ -f "$pf/$f" ] && cp "$pf/$f" "$work/$f.saved"
done
restore_postfix() {
  postfix stop >/dev/null 2>&1 || true
  for f in main.cf master.cf; do
    if [ -f "$work/$f.saved" ]; then cp "$work/$f.saved" "$pf/$f"; elif [ "$f" = main.cf ]; then rm -f "$pf/$f"; fi
  done
}
mkdir -p "$work/mail"
[ -f "$pf/master.cf" ] || cp /usr/share/postfix/master.cf.dist "$pf/master.cf"
: > "$pf/main.cf"
mail_uid=$(id -u nobody); mail_gid=$(id -g nobody)
chown -R "$mail_uid:$mail_gid" "$work/mail"
printf 'intel@example.test intel/\n' > "$work/vmailbox"
postconf -e "myhostname = localhost" "mydomain = localhost" "mydestination =" \
   "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
   "virtual_mailbox_domains = example.test" "virtual_mailbox_base = $work/mail" \
   "virtual_mailbox_maps = texthash:$work/vmailbox" \
   "virtual_uid_maps = static:$mail_uid" "virtual_gid_maps = static:$mail_gid" \
   "smtpd_tls_cert_file = $repo/certs-example/localhost.pem" \
   "smtpd_tls_key_file = $repo/certs-example/localhost-key.pem" \
   "smtpd_tls_security_level = encrypt" "smtpd_relay_restrictions = permit_mynetworks, reject" \
   "maillog_file_prefixes = /var, /dev/stdout, $work" "maillog_file = $work/postfix.log" "compatibility_level = 3.6" "alias_maps =" "alias_database =" \
   "smtpd_tls_received_header = yes"
# Listen on a free port instead of 25; no chroot (nothing has set one up).
postconf -MX smtp/inet >/dev/null 2>&1 || true
postconf -M "$smtp_port/inet=$smtp_port inet n - n - - smtpd"
postconf -F '*/*/chroot = n'
postconf -M "postlog/unix-dgram=postlog unix-dgram n - n - 1 postlogd"
postfix check >/dev/null 2>&1 || true
postfix start >/dev/null 2>&1 || true
postfix status >/dev/null 2>&1 || skip "Postfix would not start: $(tail -n 5 "$work/postfix.log" 2>/dev/null)"

for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$smtp_port") 2>/dev/null && break
  sleep 0.2
done

# The gateway, with a fresh key pair for the police intelligence inbox.
age-keygen -o "$work/intel.key" 2>/dev/null
recipient=$(age-keygen -y "$work/intel.key")
cat > "$work/gateway.toml" <<TOML
[server]
listen = "127.0.0.1:$gw_port"
# Probes on a port of its own, so this run never meets another gateway on the default one.
admin_listen = "127.0.0.1:0"
public_url = "https://localhost:$gw_port"
tls_cert = "$repo/certs-example/localhost.pem"
tls_key = "$repo/certs-example/localhost-key.pem"
signing_key = "$repo/certs-example/signing-key.pem"
[spool]
dir = "$work/spool"
[forms]
dir = "$repo/forms"
[mail]
transport = "smtp"
from = "pis-gateway@localhost"
smtp_host = "localhost"
smtp_port = $smtp_port
smtp_tls = "starttls"
smtp_ca_file = "$repo/certs-example/ca.pem"
[delivery]
retry_initial_secs = 1
retry_max_delay_secs = 2
poll_interval_secs = 1
[limits]
min_fill_seconds = 0
[[routes]]
name = "police_intelligence"
mailbox = "intel@example.test"
view = "full"
recipients = ["$recipient"]
TOML
"$bin" serve --config "$work/gateway.toml" > "$work/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 100); do
  curl -sf --cacert certs-example/ca.pem "https://localhost:$gw_port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

body='{"form":"community","answers":{"gate.immediate_danger":"no","gate.crime_against_you":"no","what_happened":"Children are collected from the flat by a taxi late at night, most weekends.","places":[{"street_or_landmark":"Flats above the takeaway","postcode":"YO24 3BZ"}],"when_known":"ONGOING","when":"2026-10","how_know":"SAW_OR_HEARD_MYSELF","risk_to_you":"yes","contact_ok":"no"}}'
# One evidence file rides along: a PNG with a text chunk that must not survive cleaning.
python3 - "$work/photo.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\0" + bytes(v for x in range(8) for v in (x * 30, y * 40, 128)) for y in range(6))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 6, 8, 2, 0, 0, 0)) \
    + chunk(b"tEXt", b"Comment\0POSTFIX-CANARY") + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
printf '%s' "$body" > "$work/submission.json"
reply=$(curl -s --cacert certs-example/ca.pem \
  -F "submission=<$work/submission.json;type=application/json" \
  -F "attachments=@$work/photo.png;type=image/png;filename=IMG_0001.png" \
  "https://localhost:$gw_port/api/v1/submissions")
reference=$(printf '%s' "$reply" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reference"])')
echo "submitted $reference over HTTPS"

mail=""
for _ in $(seq 150); do
  mail=$(grep -l "$reference" "$work"/mail/intel/new/* 2>/dev/null | head -n 1 || true)
  [ -n "$mail" ] && break
  sleep 0.2
done
if [ -z "$mail" ]; then
  echo "FAILED: no mail for $reference in the Maildir"
  echo "--- gateway log"; tail -n 30 "$work/gateway.log"
  echo "--- postfix log"; tail -n 30 "$work/postfix.log" 2>/dev/null || true
  exit 1
fi
grep -q "^Subject: \[OFFICIAL-SENSITIVE\] PIS $reference ROUTINE" "$mail" || { echo "FAILED: subject"; exit 1; }
grep -q "with ESMTPS" "$mail" || { echo "FAILED: Postfix did not receive it over TLS"; grep -i '^Received:' "$mail"; exit 1; }
# The report and its evidence file, each armored: <reference>.age, then <reference>-1.age.
python3 - "$mail" "$work" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", "")
begin, end = "-----BEGIN AGE ENCRYPTED FILE-----", "-----END AGE ENCRYPTED FILE-----"
blocks, at = [], 0
while (i := text.find(begin, at)) >= 0:
    j = text.index(end, i) + len(end)
    blocks.append(text[i:j] + "\n")
    at = j
assert len(blocks) == 2, f"{len(blocks)} armored parts, expected the report and one file"
for name, block in zip(["attachment.age", "file-1.age"], blocks):
    open(f"{sys.argv[2]}/{name}", "w").write(block)
PY
grep -q "filename=\"$reference-1.age\"" "$mail" || { echo "FAILED: no $reference-1.age part"; exit 1; }
if grep -q "IMG_0001\|POSTFIX-CANARY" "$mail"; then echo "FAILED: the file's name or metadata is in the mail"; exit 1; fi
age -d -i "$work/intel.key" "$work/attachment.age" > "$work/plain.json"
age -d -i "$work/intel.key" "$work/file-1.age" > "$work/file-1.png"
python3 - "$work/plain.json" "$reference" "$work/file-1.png" <<'PY'
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
assert doc["reference"] == sys.argv[2], doc["reference"]
assert doc["schema"] == "pis-gateway/submission/v1"
assert doc["answers"]["what_happened"].startswith("Children are collected")
png = open(sys.argv[3], "rb").read()
assert png.startswith(b"\x89PNG"), "the file is a PNG"
assert b"POSTFIX-CANARY" not in png, "the text chunk was removed"
facts = doc["attachments"][0]
assert facts["type"] == "png" and (facts["width"], facts["height"]) == (8, 6), facts
assert facts["sha256_sealed"] == hashlib.sha256(png).hexdigest(), "the signed hash matches the file"
PY
echo "postfix end-to-end: $reference and its evidence file delivered by Postfix over STARTTLS into a Maildir and decrypted with age"
