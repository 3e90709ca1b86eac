#!/usr/bin/env bash
# Whole processes side by side on the same generated data, as a Markdown table of medians:
#   itam find QUERY      vs  fzf --filter QUERY over the same haystack lines
#   itam show TAG        vs  the sqlite3 shell running the equivalent query
#   itam import (100k)   vs  sqlite3 .import of the same file into a bare table
#   itam export (all)    (no counterpart: the target is an absolute one)
# Usage: bench/compare.sh [ASSETS]   (default 1000000; the work folder is $BENCH_DIR or /tmp)
# Installs what it needs (fzf, sqlite3, hyperfine from Debian's packages).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DIR=${BENCH_DIR:-/tmp/itam-compare}
mkdir -p "$DIR"
need=()
for t in fzf sqlite3 hyperfine; do command -v "$t" >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo build --release --quiet
ITAM=$PWD/target/release/itam
export XDG_CACHE_HOME=$DIR/cache XDG_CONFIG_HOME=$DIR/config
DB=$DIR/demo-$N.db
if [ ! -f "$DB" ]; then
  echo "generating $N demo assets..." >&2
  "$ITAM" --db "$DB" demo --assets "$N" --seed 1 >&2
fi
# The haystack itam searches, one line per asset, for fzf.
HAY=$DIR/haystack-$N.txt
[ -f "$HAY" ] || sqlite3 "$DB" "SELECT a.tag || COALESCE(' ' || a.serial, '') || COALESCE(' ' || a.name, '')
  || COALESCE(' ' || m.name, '') || COALESCE(' ' || p.username, '') || COALESCE(' ' || p.full_name, '')
  || COALESCE(' ' || l.code, '') || COALESCE(' ' || l.name, '')
  FROM assets a LEFT JOIN models m ON m.id = a.model_id LEFT JOIN people p ON p.id = a.assignee_id
  LEFT JOIN locations l ON l.id = a.location_id ORDER BY a.tag" > "$HAY"
TAG=$(printf 'IT-%06d' $((N / 2)))
# A Snipe-IT CSV of 100,000 rows: an export of a 100k demo database.
CSV=$DIR/snipeit-100k.csv
if [ ! -f "$CSV" ]; then
  "$ITAM" --db "$DIR/src100k.db" demo --assets 100000 --seed 2 >&2 2>/dev/null || true
  "$ITAM" --db "$DIR/src100k.db" export --format snipeit --out "$CSV"
fi
"$ITAM" --db "$DB" find warmup >/dev/null  # build the find cache once, as any second run would

median() { # hyperfine JSON -> median seconds
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}
run() { # name, runs, prepare, command
  local out=$DIR/$1.json
  hyperfine -N --warmup 2 --runs "$2" ${3:+--prepare "$3"} --export-json "$out" "$4" >/dev/null 2>&1 \
    || hyperfine --warmup 1 --runs "$2" ${3:+--prepare "$3"} --export-json "$out" "$4" >/dev/null
  median "$out"
}
row() { # what, itam seconds, other seconds, other name
  python3 -c 'import sys
what, a, b, other = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]) if sys.argv[3] else None, sys.argv[4]
ms = lambda s: f"{s*1000:.1f} ms"
if b is None: print(f"| {what} | {ms(a)} | - | - |")
else: print(f"| {what} | {ms(a)} | {ms(b)} ({other}) | {a/b:.2f}x |")' "$@"
}
echo "| what ($N assets) | itam | other | itam / other |"
echo "|---|---|---|---|"
for q in lat74 okafor 2kuzf; do
  a=$(run "find-$q" 10 "" "$ITAM --db $DB find $q --limit 20")
  b=$(run "fzf-$q" 10 "" "sh -c 'fzf --filter $q < $HAY | head -n 20'")
  row "find \`$q\` (whole process)" "$a" "$b" "fzf --filter"
done
a=$(run show 30 "" "$ITAM --db $DB show $TAG")
b=$(run sqlite3-show 30 "" "sqlite3 $DB \"SELECT a.*, m.name, l.code, p.username FROM assets a LEFT JOIN models m ON m.id = a.model_id LEFT JOIN locations l ON l.id = a.location_id LEFT JOIN people p ON p.id = a.assignee_id WHERE a.tag = '$TAG'\"")
row "show $TAG (whole process)" "$a" "$b" "sqlite3 shell"
a=$(run import 3 "rm -f $DIR/imp.db $DIR/imp.db-wal $DIR/imp.db-shm" "$ITAM --db $DIR/imp.db import $CSV")
b=$(run sqlite3-import 3 "rm -f $DIR/bare.db" "sqlite3 $DIR/bare.db -cmd '.mode csv' '.import $CSV bare'")
row "import 100k Snipe-IT rows" "$a" "$b" "sqlite3 .import"
a=$(run export 3 "" "$ITAM --db $DB export --format csv --out $DIR/export.csv")
row "export all assets to CSV" "$a" "" ""
