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
# tussenin runs as it is deployed (the Dockerfile's `node dist/src/main.js`), as the peer runs its plain
# JavaScript: through tsx, TypeScript's loader alone holds about 70 MB more.
(cd "$here" && npm run build --silent >/dev/null) || { echo "could not build tussenin (npm run build)"; exit 2; }
sed -i 's#setsid node --import tsx src/main.ts#setsid node dist/src/main.js#' "$work/bench-tussenin.sh"
grep -q 'setsid node dist/src/main.js' "$work/bench-tussenin.sh" || { echo "bench-tussenin.sh no longer starts tussenin as expected"; exit 2; }
open_env="TELEGRAM_MESSAGES_PER_SECOND=100000 TELEGRAM_CHAT_BURST=100000"

# CPU ticks Postgres spent so far: the postmaster's own and its ended children's (each connection's
# backend is a child that ends with the run, so its time lands in the postmaster's cumulative fields).
pg_ticks() {
  local pm; pm=$(pgrep -o -x postgres 2>/dev/null) || { echo 0; return; }
  cut -d' ' -f14-17 "/proc/$pm/stat" 2>/dev/null | awk '{print $1+$2+$3+$4}' || echo 0
}
hz=$(getconf CLK_TCK)

run() { # output file, then the command
  local out=$1; shift
  local before after; before=$(pg_ticks)
  "$@" > "$out" 2>&1
  after=$(pg_ticks)
  echo "postgres cpu ticks: $((after - before)) at $hz/s" >> "$out"
}

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
updates = grab(r'updates sent\s+(\d+)', None)
ticks, hz = grab(r'postgres cpu ticks: (\d+) at', None), grab(r'postgres cpu ticks: \d+ at (\d+)/s', None)
db = f"{int(ticks) * 1000 / int(hz) / int(updates):.2f}" if ticks and hz and updates and 'PGlite' not in name else '-'
print(f"| {name:<28} | {ups:>9} | {p50:>8} | {p99:>8} | {cpu:>8} | {db:>8} | {rss:>8} | {ok:>8} |")
PY
}

run "$work/peer.out" "$work/bench-peer.sh" "$N" "$C"
run "$work/pg.out" env TUSSENIN="$here" APP_ENV="$open_env" "$work/bench-tussenin.sh" "$N" "$C" postgres
run "$work/pglite.out" env TUSSENIN="$here" APP_ENV="$open_env" "$work/bench-tussenin.sh" "$N" "$C" pglite

echo "$N residents x 10 updates (the peer's script has 9), $C at a time, $(nproc) cores; reply latency in ms;"
echo "CPU ms per update of the bot's process and of Postgres (PGlite runs inside the bot); peak RSS MB"
echo "| bot                          | updates/s | p50 ms   | p99 ms   | CPU/upd  | DB CPU   | RSS MB   | handoffs |"
echo "|------------------------------|-----------|----------|----------|----------|----------|----------|----------|"
row "grammY peer (Postgres)" "$work/peer.out"
row "tussenin (Postgres)" "$work/pg.out"
row "tussenin (PGlite)" "$work/pglite.out"
rm -rf "$(dirname "$work")"
