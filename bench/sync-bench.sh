#!/usr/bin/env bash
# The sync benchmark: a first sync of an osquery results log (100,000 devices x 40 installs by
# default) into a copy of a large database, while another process checks an asset out and in
# back to back and times each command. Then the same file again (it must change nothing).
# Usage: bench/sync-bench.sh ITAM SOURCE_DB WORKDIR   (ITAM: a release build of itam)
set -euo pipefail
ITAM=$1; SRC=$2; WORK=$3
mkdir -p "$WORK"
DB=$WORK/sync.db; FEED=$WORK/feed.jsonl; LAT=$WORK/checkout-ms.txt
rm -f "$DB" "$DB-wal" "$DB-shm" "$LAT" "$WORK/done"
[ -f "$FEED" ] || python3 "$(dirname "$0")/sync-feed.py" "$SRC" "$FEED"
sqlite3 "$SRC" ".backup $DB"
"$ITAM" --db "$DB" init >/dev/null
A=$(sqlite3 "$DB" "SELECT tag FROM assets WHERE status = 'in_stock' AND id % 10 <> 3 LIMIT 1")
P=$(sqlite3 "$DB" "SELECT username FROM people WHERE active = 1 LIMIT 1")
( while [ ! -f "$WORK/done" ]; do
    s=$(date +%s%N); "$ITAM" --db "$DB" checkout "$A" --to "$P" >/dev/null; m=$(date +%s%N)
    "$ITAM" --db "$DB" checkin "$A" >/dev/null; e=$(date +%s%N)
    echo "$(( (m - s) / 1000000 )) $(( (e - m) / 1000000 ))" >> "$LAT"
    sleep 0.02
  done ) &
LOOP=$!
sleep 1
/usr/bin/time -f "first sync: wall %e s, user %U s, system %S s, %P CPU, max RSS %M KB" \
  "$ITAM" --db "$DB" sync "$FEED" --source osquery > "$WORK/first.txt"
head -2 "$WORK/first.txt"
touch "$WORK/done"; wait $LOOP
echo "check-out/check-in pairs during the sync: $(wc -l < "$LAT")"
echo "longest check-out: $(cut -d' ' -f1 "$LAT" | sort -n | tail -1) ms, longest check-in: $(cut -d' ' -f2 "$LAT" | sort -n | tail -1) ms"
echo "median check-out: $(cut -d' ' -f1 "$LAT" | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}') ms"
/usr/bin/time -f "same file again: wall %e s, user %U s, system %S s" \
  "$ITAM" --db "$DB" sync "$FEED" --source osquery > "$WORK/second.txt"
head -2 "$WORK/second.txt"
echo "load: $(uptime)"
