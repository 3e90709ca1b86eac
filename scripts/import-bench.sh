#!/usr/bin/env bash
# Benchmarks for import/export (release build): export of a 1M-asset demo database, import of a
# 100k-row Snipe-IT CSV into a fresh database, and how long `itam checkout` from another process
# waits while that import runs. Usage: scripts/import-bench.sh [TMPDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-/tmp/itam-bench}
mkdir -p "$T"
ITAM=${ITAM:-target/release/itam}
[ -x "$ITAM" ] || cargo build --release

if [ ! -f "$T/1m.db" ]; then "$ITAM" --db "$T/1m.db" demo --assets 1000000; fi
if [ ! -f "$T/100k.db" ]; then "$ITAM" --db "$T/100k.db" demo --assets 100000; fi
"$ITAM" --db "$T/100k.db" export --format snipeit --out "$T/100k.csv"

echo "== export 1M assets (snipeit)"
hyperfine -w 1 -r 3 "$ITAM --db $T/1m.db export --format snipeit --out $T/1m.csv"

echo "== import 100k-row Snipe-IT CSV into a fresh database"
hyperfine -r 3 -p "rm -f $T/fresh.db $T/fresh.db-wal $T/fresh.db-shm" \
  "$ITAM --db $T/fresh.db import $T/100k.csv"

echo "== checkout from another process while a 100k import runs"
rm -f "$T"/fresh.db*
"$ITAM" --db "$T/fresh.db" person add benchuser --name "Bench User" >/dev/null
"$ITAM" --db "$T/fresh.db" add --tag BENCH-1 >/dev/null
"$ITAM" --db "$T/fresh.db" import "$T/100k.csv" > "$T/import.log" &
pid=$!
max=0
n=0
while kill -0 "$pid" 2>/dev/null; do
  s=$(date +%s%N)
  "$ITAM" --db "$T/fresh.db" checkout BENCH-1 --to benchuser >/dev/null
  "$ITAM" --db "$T/fresh.db" checkin BENCH-1 >/dev/null
  ms=$(( ($(date +%s%N) - s) / 1000000 ))
  n=$((n + 1))
  [ "$ms" -gt "$max" ] && max=$ms
  sleep 0.05
done
wait "$pid"
tail -1 "$T/import.log"
echo "checkout+checkin pairs during the import: $n, slowest pair: ${max} ms"
