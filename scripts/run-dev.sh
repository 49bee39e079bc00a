#!/usr/bin/env bash
# One machine, everything local: installs dependencies (as root), builds, creates an SQLite
# topology store with demo users and dev certificates under var/dev, and runs
# parley-frontend on 127.0.0.1 in the foreground (Ctrl-C stops it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
if [ "$(id -u)" -eq 0 ]; then
  scripts/install-deps.sh
else
  echo "run-dev: not root, skipping dependency installation (run scripts/install-deps.sh as root once)"
fi
TARGETS="parley-frontend parleyctl" scripts/build.sh
bin=$here/build/src
dev=$here/var/dev
domain=parley.test
pool=fe.parley.test
mkdir -p "$dev"
store=$dev/topology.db
ctl() { "$bin/tools/parleyctl/parleyctl" --store "$store" "$@"; }
if [ ! -f "$store" ]; then
  ctl topology init --domain "$domain" --site HQ --pool "$pool"
  ctl user add "alice@$domain" --name "Alice Liddell" --line tel:+15550101 --password alice-demo-pw
  ctl user add "bob@$domain" --name "Bob Builder" --line tel:+15550102 --password bob-demo-pw
  ctl user add "carol@$domain" --name "Carol Danvers" --line tel:+15550103 --password carol-demo-pw
fi
[ -f "$dev/certs/pool.crt" ] || ctl cert dev --dir "$dev/certs" --pool "$pool"
cat > "$dev/frontend.json" <<JSON
{
  "store": "$store",
  "pool": "$pool",
  "listen": [
    {"transport": "tls", "address": "127.0.0.1", "port": 5061},
    {"transport": "udp", "address": "127.0.0.1", "port": 5060},
    {"transport": "tcp", "address": "127.0.0.1", "port": 5060}
  ],
  "tls": {"certificate": "$dev/certs/pool.crt", "private_key": "$dev/certs/pool.key"},
  "auth": {"algorithms": ["MD5"]},
  "log_level": "info"
}
JSON
cat <<TXT

Parley Front End for $domain on 127.0.0.1 (TLS 5061; UDP/TCP 5060 for lab tools).
Demo users: alice, bob, carol @$domain, passwords alice-demo-pw, bob-demo-pw, carol-demo-pw.

Sign in with baresip: make a config dir per user, e.g. ~/.baresip-alice, holding
  config:    sip_cafile $dev/certs/ca.crt
             net_interface 127.0.0.1
  accounts:  <sip:alice@$domain;transport=tls>;auth_pass=alice-demo-pw;outbound="sip:127.0.0.1:5061;transport=tls";regint=600
then: baresip -f ~/.baresip-alice      and dial: /dial sip:bob@$domain
linphone-cli works the same way: proxy sip:127.0.0.1:5061;transport=tls, identity sip:alice@$domain.
Digest: this lab offers MD5 only, because baresip 1.0 (libre) and sipp 3.6 answer nothing
else; production configs offer SHA-256 first (auth.algorithms, docs/admin-guide.md).
Who is signed in: $bin/tools/parleyctl/parleyctl --store $store registrations

TXT
exec "$bin/frontend/parley-frontend" --config "$dev/frontend.json"
