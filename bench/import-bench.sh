#!/usr/bin/env bash
# Benchmarks for import/export (release build): export of a 1M-asset demo database, import of a
# 100k-row Snipe-IT CSV into a fresh database (and its dry run), where the import's time goes
# (ITAM_TIMING=1: plan, staging, write lock), and how long `itam checkout` from another process
# waits while that import runs. Usage: bench/import-bench.sh [TMPDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-/tmp/itam-bench}
mkdir -p "$T"
TARGET=${CARGO_TARGET_DIR:-target}
ITAM=${ITAM:-$TARGET/release/itam}
[ -x "$ITAM" ] || cargo build --release

if [ ! -f "$T/1m.db" ]; then "$ITAM" --db "$T/1m.db" demo --assets 1000000; fi
if [ ! -f "$T/100k.db" ]; then "$ITAM" --db "$T/100k.db" demo --assets 100000; fi
"$ITAM" --db "$T/100k.db" export --format snipeit --out "$T/100k.csv"

echo "== export 1M assets (snipeit)"
hyperfine -w 1 -r 3 "$ITAM --db $T/1m.db export --format snipeit --out $T/1m.csv"

echo "== import 100k-row Snipe-IT CSV into a fresh database"
hyperfine -r 3 -p "rm -f $T/fresh.db $T/fresh.db-wal $T/fresh.db-shm" \
  "$ITAM --db $T/fresh.db import $T/100k.csv"

echo "== dry run of the same import"
rm -f "$T"/fresh.db*
"$ITAM" --db "$T/fresh.db" init >/dev/null
hyperfine -r 3 "$ITAM --db $T/fresh.db import --dry-run $T/100k.csv"

echo "== where an import's time goes (3 runs)"
for _ in 1 2 3; do
  rm -f "$T"/fresh.db*
  ITAM_TIMING=1 "$ITAM" --db "$T/fresh.db" import "$T/100k.csv" 2>&1 >/dev/null | paste -sd' ' -
done

echo "== checkout from another process while a 100k import runs"
rm -f "$T"/fresh.db*
"$ITAM" --db "$T/fresh.db" person add benchuser --name "Bench User" >/dev/null
"$ITAM" --db "$T/fresh.db" add --tag BENCH-1 >/dev/null
ITAM_TIMING=1 "$ITAM" --db "$T/fresh.db" import "$T/100k.csv" > "$T/import.log" 2> "$T/import.err" &
pid=$!
max=0
maxin=0
n=0
# Checkout and the check-in that resets it are timed separately (start to exit, including any
# wait for the import's write lock): whichever lands in the lock window is the one that waits.
while kill -0 "$pid" 2>/dev/null; do
  s=$(date +%s%N)
  "$ITAM" --db "$T/fresh.db" checkout BENCH-1 --to benchuser >/dev/null
  m=$(date +%s%N)
  "$ITAM" --db "$T/fresh.db" checkin BENCH-1 >/dev/null
  e=$(date +%s%N)
  out=$(( (m - s) / 1000000 ))
  in=$(( (e - m) / 1000000 ))
  n=$((n + 1))
  [ "$out" -gt "$max" ] && max=$out
  [ "$in" -gt "$maxin" ] && maxin=$in
  sleep 0.02
done
wait "$pid"
tail -1 "$T/import.log"
grep "write lock held" "$T/import.err" || true
echo "checkout/checkin pairs during the import: $n, slowest checkout: ${max} ms, slowest checkin: ${maxin} ms"
