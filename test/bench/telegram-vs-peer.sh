#!/usr/bin/env bash
# npm run bench:telegram-vs-peer [-- N C]: tussenin and the conventional grammY peer (../shared/tgbench)
# under the same webhook load driver and fake Bot API, one after the other on this machine, and one
# table side by side. Needs Postgres on 127.0.0.1 (trust auth) for the peer and the Postgres row.
# tussenin runs with Telegram's global and per-chat pacing opened up (TELEGRAM_MESSAGES_PER_SECOND,
# TELEGRAM_CHAT_BURST): the driver's residents answer in milliseconds, faster than Telegram lets a bot
# answer one chat, and the peer paces nothing; with the defaults the pace, not the bot, is measured.
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
N=${1:-400}; C=${2:-32}
src=${TGBENCH:-$here/../shared/tgbench}
[ -d "$src" ] || { echo "tgbench not found at $src (set TGBENCH)"; exit 2; }
work=$(mktemp -d)/tgbench
cp -r "$src" "$work" && (cd "$work" && npm ci --no-audit --no-fund --silent >/dev/null) || { echo "could not install tgbench"; exit 2; }
open_env="TELEGRAM_MESSAGES_PER_SECOND=100000 TELEGRAM_CHAT_BURST=100000"

row() { # name, output file
  python3 - "$1" "$2" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def grab(pattern, default='?'):
    m = re.search(pattern, text)
    return m.group(1) if m else default
ups = grab(r'throughput ([\d.]+) updates/s')
p50 = grab(r'reply latency ms\s+p50 ([\d.]+)')
p99 = grab(r'reply latency ms.*?p99 ([\d.]+)')
cpu = grab(r'([\d.]+) ms/update; peak rss', None) or grab(r'bot pid \d+\s+cpu [\d.]+% of one core, ([\d.]+) ms/update')
rss = grab(r'peak rss (\d+) MB', None) or grab(r'\(peak (\d+)\)')
ok = grab(r'handoffs rows: (\d+)', '-')
print(f"| {name:<28} | {ups:>9} | {p50:>8} | {p99:>8} | {cpu:>8} | {rss:>8} | {ok:>8} |")
PY
}

"$work/bench-peer.sh" "$N" "$C" > "$work/peer.out" 2>&1
TUSSENIN=$here APP_ENV="$open_env" "$work/bench-tussenin.sh" "$N" "$C" postgres > "$work/pg.out" 2>&1
TUSSENIN=$here APP_ENV="$open_env" "$work/bench-tussenin.sh" "$N" "$C" pglite > "$work/pglite.out" 2>&1

echo "$N residents x 10 updates, $C at a time, $(nproc) cores; reply latency in ms; CPU ms per update; peak RSS MB"
echo "| bot                          | updates/s | p50 ms   | p99 ms   | CPU/upd  | RSS MB   | handoffs |"
echo "|------------------------------|-----------|----------|----------|----------|----------|----------|"
row "grammY peer (Postgres)" "$work/peer.out"
row "tussenin (Postgres)" "$work/pg.out"
row "tussenin (PGlite)" "$work/pglite.out"
rm -rf "$(dirname "$work")"
