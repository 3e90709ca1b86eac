#!/usr/bin/env bash
# Benchmarks on PostgreSQL over the local Unix socket (release build), for docs/BENCHMARKS.md:
#   1. building an ASSETS-asset database (default 1,000,000): itam init + itam demo --seed 1
#   2. `itam show TAG` against psql running the same statements (bench/pg-show.sql), hyperfine
#   3. scan to committed: RUNS `itam checkout` and `itam checkin` of one asset, each timed from
#      process start to exit (the CLI's whole write: connect, lock, write, seal, commit), p50/p99
#   4. a 100,000-row Snipe-IT import into a fresh database (ITAM_TIMING=1 shows where it goes)
#   5. live refresh: a second process LISTENs on itam_events (examples/pg_listen.rs prints each
#      notification's arrival time) while RUNS writes are made; arrival vs the writer's exit
# The load average is printed before and after. The big database is dropped at the end.
#
# Usage: bench/pg-bench.sh [TMPDIR]
#   PG_URL   a cluster's base URL as .ci/pg-cluster.sh prints it (postgresql:///postgres?host=..);
#            without it a throw-away cluster is started in TMPDIR/pg and stopped at the end
#   ASSETS   assets in the big database (default 1000000); RUNS (default 200)
#   KEEP=1   keep the big database (to run again without building it)
#   LOOKUP_INDEXES=1  add plain btree indexes on the columns the store looks names up by
#            (people.username, assets.tag, ...) after init. Only for comparing with figures
#            taken before the store's `col = ?` look-ups became `lower(col) = lower(?)`, which
#            the schema's lower() unique indexes serve; not needed since.
# The scan-to-committed figure that matters is the TUI's, in process: benches/tui_latency.rs
# with ITAM_BENCH_DB set to the big database's URL (it runs on a TEMPLATE copy).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-/tmp/itam-pg-bench}
ASSETS=${ASSETS:-1000000}
RUNS=${RUNS:-200}
mkdir -p "$T"
T=$(realpath "$T")
TARGET=${CARGO_TARGET_DIR:-target}
ITAM=${ITAM:-$TARGET/release/itam}
LISTEN=${LISTEN:-$TARGET/release/examples/pg_listen}
[ -x "$ITAM" ] || cargo build --release
[ -x "$LISTEN" ] || cargo build --release --example pg_listen
export XDG_CONFIG_HOME="$T/xdg/config" XDG_DATA_HOME="$T/xdg/data"
unset ITAM_DB

own=0
if [ -z "${PG_URL:-}" ]; then
  PG_URL=$(.ci/pg-cluster.sh start "$T/pg")
  own=1
fi
# The base URL with its database replaced (URLs of the form postgresql:///DB?...).
db_url() { sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$1#" <<<"$PG_URL"; }
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_URL" -c "$1"; }
now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# p50, p99 and max of the numbers (ms) in a file.
pct() { sort -n "$1" | awk '{ v[NR] = $1 } END {
  i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99 + 0.999); if (i99 > NR) i99 = NR;
  printf "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms\n", NR, v[i50], v[i99], v[NR] }'; }
lookup_indexes() {
  [ "${LOOKUP_INDEXES:-0}" = 1 ] || return 0
  psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "CREATE INDEX ON people(username); CREATE INDEX ON people(badge);
    CREATE INDEX ON assets(tag); CREATE INDEX ON assets(serial); CREATE INDEX ON locations(code);
    CREATE INDEX ON models(name); CREATE INDEX ON manufacturers(name); CREATE INDEX ON categories(name);
    CREATE INDEX ON suppliers(name); CREATE INDEX ON teams(name)"
}
cleanup() {
  [ "${KEEP:-0}" = 1 ] || sql "DROP DATABASE IF EXISTS itam_bench_big WITH (FORCE)" >/dev/null 2>&1 || true
  sql "DROP DATABASE IF EXISTS itam_bench_import WITH (FORCE)" >/dev/null 2>&1 || true
  [ "$own" = 0 ] || .ci/pg-cluster.sh stop "$T/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
BIG=$(db_url itam_bench_big)
if [ "$(sql "SELECT count(*) FROM pg_database WHERE datname = 'itam_bench_big'")" = 0 ]; then
  echo "== building a $ASSETS-asset database: itam init && itam demo --assets $ASSETS --seed 1"
  sql "CREATE DATABASE itam_bench_big"
  s=$(now)
  "$ITAM" --db "$BIG" init >/dev/null
  lookup_indexes "$BIG"
  "$ITAM" --db "$BIG" demo --assets "$ASSETS" --seed 1 | tail -n 1
  echo "   $(ms "$s" "$(now)") ms; database size $(sql "SELECT pg_size_pretty(pg_database_size('itam_bench_big'))")"
fi
psql -X -q -d "$BIG" -c "VACUUM ANALYZE" >/dev/null
echo "   $(psql -X -A -t -d "$BIG" -c "SELECT count(*) || ' assets, ' || (SELECT count(*) FROM events) || ' events' FROM assets")"

TAG=$(psql -X -A -t -d "$BIG" -c "SELECT tag FROM assets WHERE id = (SELECT max(id) / 2 FROM assets)")
echo "== itam show $TAG vs psql running the same statements (bench/pg-show.sql)"
hyperfine -N -w 3 -r 50 \
  "$ITAM --db $BIG show $TAG" \
  "psql -X -q -d $BIG -v tag=$TAG -f bench/pg-show.sql -o /dev/null"

STOCK=$(psql -X -A -t -d "$BIG" -c "SELECT tag FROM assets WHERE status = 'in_stock' ORDER BY id LIMIT 1")
WHO=$(psql -X -A -t -d "$BIG" -c "SELECT username FROM people WHERE active = 1 ORDER BY id LIMIT 1")
echo "== scan to committed: $RUNS checkouts of $STOCK to $WHO and check-ins, each process start to exit"
: >"$T/out.ms"
: >"$T/in.ms"
for _ in $(seq "$RUNS"); do
  s=$(now); "$ITAM" --db "$BIG" checkout "$STOCK" --to "$WHO" >/dev/null; e=$(now)
  ms "$s" "$e" >>"$T/out.ms"; echo >>"$T/out.ms"
  s=$(now); "$ITAM" --db "$BIG" checkin "$STOCK" >/dev/null; e=$(now)
  ms "$s" "$e" >>"$T/in.ms"; echo >>"$T/in.ms"
done
echo "   checkout: $(pct "$T/out.ms")"
echo "   checkin:  $(pct "$T/in.ms")"

echo "== live refresh: LISTEN itam_events in a second process, $RUNS writes"
"$LISTEN" "$BIG" "$RUNS" >"$T/heard" &
lpid=$!
until grep -q listening "$T/heard" 2>/dev/null; do sleep 0.05; done
: >"$T/wrote"
for i in $(seq "$RUNS"); do
  if [ $((i % 2)) = 1 ]; then cmd=(checkout "$STOCK" --to "$WHO"); else cmd=(checkin "$STOCK"); fi
  s=$(now); "$ITAM" --db "$BIG" "${cmd[@]}" >/dev/null; e=$(now)
  echo "$s $e" >>"$T/wrote"
  sleep 0.05
done
wait "$lpid"
# Heard (n-th notification) minus the n-th writer's exit: negative when the listener heard of
# the commit before the writing process had even ended.
grep -v listening "$T/heard" | paste -d' ' "$T/wrote" - |
  awk '{ printf "%.1f\n", ($3 - $2) / 1e6 }' >"$T/heard.ms"
grep -v listening "$T/heard" | paste -d' ' "$T/wrote" - |
  awk '{ printf "%.1f\n", ($3 - $1) / 1e6 }' >"$T/heard-start.ms"
echo "   heard after the writer exited: $(pct "$T/heard.ms")"
echo "   heard after the writer started: $(pct "$T/heard-start.ms")"

echo "== 100,000-row Snipe-IT import into a fresh database (3 runs)"
if [ ! -f "$T/100k.csv" ]; then
  rm -f "$T/100k.db"*
  "$ITAM" --db "$T/100k.db" demo --assets 100000 --seed 1 >/dev/null
  "$ITAM" --db "$T/100k.db" export --format snipeit --out "$T/100k.csv" >/dev/null
  rm -f "$T/100k.db"*
fi
IMP=$(db_url itam_bench_import)
for _ in 1 2 3; do
  sql "DROP DATABASE IF EXISTS itam_bench_import" >/dev/null
  sql "CREATE DATABASE itam_bench_import" >/dev/null
  "$ITAM" --db "$IMP" init >/dev/null
  lookup_indexes "$IMP"
  s=$(now)
  ITAM_TIMING=1 "$ITAM" --db "$IMP" import "$T/100k.csv" 2>"$T/import.err" >"$T/import.out"
  e=$(now)
  echo "   $(ms "$s" "$e") ms: $(grep -E 'created|events recorded' "$T/import.out" | tr -s ' ' | paste -sd';' -) | $(paste -sd' ' "$T/import.err")"
done

echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
