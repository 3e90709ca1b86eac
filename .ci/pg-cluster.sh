#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests: initdb into a folder, listening only on a Unix
# socket inside it (no TCP), trust authentication, fsync off. Nothing outside DIR is touched
# except, on a machine without PostgreSQL, installing Debian's `postgresql` package (as root).
#
#   .ci/pg-cluster.sh start DIR     create (first time) and start the primary; prints its URL
#   .ci/pg-cluster.sh replica DIR   a hot standby of it (pg_basebackup -R) in DIR/replica;
#                                   prints the standby's URL
#   .ci/pg-cluster.sh url DIR [replica]   print a URL again
#   .ci/pg-cluster.sh stop DIR      stop both and remove DIR
#
# Each command is idempotent. Only the URL goes to stdout, so `url=$(.ci/pg-cluster.sh start d)`
# works; progress and errors go to stderr. The URL is libpq-style, which psql and the Rust
# `postgres` crate both accept: postgresql:///postgres?host=DIR/sock&user=postgres
#
# As root, the server runs as the `postgres` OS user (initdb refuses root), so DIR and every
# folder above it must be reachable by that user: use a folder under /tmp, not under /root.
# Unix socket paths are limited to 107 bytes, so keep DIR short (mktemp -d is fine).
set -euo pipefail

die() {
    echo "pg-cluster: $*" >&2
    exit 1
}

[ $# -ge 2 ] || die "usage: $0 start|replica|url|stop DIR"
cmd="$1"
dir="$(realpath -m -- "$2")"
case "$dir" in
*[!A-Za-z0-9/._-]*) die "$dir: use a folder whose path has only letters, digits and / . _ - (it goes into a URL)" ;;
esac

# The newest installed server's binaries: Debian keeps them off PATH, under /usr/lib/postgresql.
find_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then
        echo "$d"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

bindir="$(find_bindir)"
if [ -z "$bindir" ] && [ "$cmd" != stop ]; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 ||
        die "no PostgreSQL server here (initdb not found) and cannot install it: install the postgresql package"
    echo "pg-cluster: installing Debian's postgresql package" >&2
    # The package's own cluster may or may not start (no init system in a container): it is
    # not used, only the binaries are.
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 ||
        die "apt-get install postgresql failed"
    bindir="$(find_bindir)"
    [ -n "$bindir" ] || die "postgresql installed but initdb not found"
fi

# Run a server binary as the owner of the cluster: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url_for() { # SOCKDIR
    echo "postgresql:///postgres?host=$1&user=postgres"
}

running() { # DATADIR
    [ -f "$1/postmaster.pid" ] && as_owner "$bindir/pg_ctl" status -D "$1" >/dev/null 2>&1
}

start_server() { # DATADIR SOCKDIR LOG
    if ! running "$1"; then
        as_owner "$bindir/pg_ctl" start -w -t 60 -D "$1" -l "$3" -o "-k $2" >/dev/null ||
            die "the server in $1 did not start; see $3: $(tail -n 5 "$3" 2>/dev/null)"
    fi
    # -w waits for the socket, but a standby may still be replaying: wait until it answers.
    local i
    for i in $(seq 1 100); do
        if as_owner "$bindir/pg_isready" -q -h "$2" -U postgres; then
            return 0
        fi
        sleep 0.1
    done
    die "the server in $1 does not answer on $2; see $3"
}

check_socket_len() { # SOCKDIR
    [ "${#1}" -le 90 ] || die "$1 is too long for a Unix socket path (keep DIR under ~70 characters)"
}

prepare_dir() { # DIR
    mkdir -p "$1" || die "cannot create $1"
    if [ "$(id -u)" = 0 ]; then
        getent passwd postgres >/dev/null || die "no postgres OS user (is the postgresql package installed?)"
        chown postgres: "$1"
        runuser -u postgres -- test -w "$1" ||
            die "$1 is not reachable by the postgres OS user (a private folder above it?): use a folder under /tmp"
    fi
}

cmd_start() {
    local data="$dir/data" sock="$dir/sock"
    check_socket_len "$sock"
    prepare_dir "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner mkdir -p "$sock"
        # Locale C, like every text column itam creates (COLLATE "C": code-point order, lower()
        # folding ASCII only, as SQLite's BINARY and NOCASE), so ad-hoc SQL agrees with them.
        as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C \
            --no-sync >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
        cat >>"$data/postgresql.conf" <<EOF

# pg-cluster.sh: a throw-away test cluster
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off                 # no real flushes: commits stay cheap with synchronous_commit on,
                            # which sends each commit to a standby at once
full_page_writes = off
max_connections = 200
wal_level = replica
max_wal_senders = 4
hot_standby = on
log_min_messages = warning
EOF
    fi
    start_server "$data" "$sock" "$dir/server.log"
    # A superuser login role named after the OS user running this (root too), as peer
    # authentication gives each OS user in a real deployment: the tests connect as it, so the
    # actor itam records is the OS user's name on PostgreSQL as on SQLite.
    local me
    me="$(id -un)"
    if [ "$me" != postgres ]; then
        as_owner "$bindir/psql" -X -q -h "$sock" -U postgres -d postgres -v ON_ERROR_STOP=1 \
            -v me="$me" >/dev/null 2>&1 <<'SQL' || die "could not create the role $me"
SELECT format('CREATE ROLE %I LOGIN SUPERUSER', :'me')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'me') \gexec
SQL
    fi
    url_for "$sock"
}

cmd_replica() {
    local rdir="$dir/replica" psock="$dir/sock"
    local data="$rdir/data" sock="$rdir/sock"
    check_socket_len "$sock"
    running "$dir/data" || die "no primary running in $dir: run '$0 start $dir' first"
    if [ ! -f "$data/standby.signal" ]; then
        rm -rf "$rdir"
        as_owner mkdir -p "$rdir" "$sock"
        # -R writes primary_conninfo (host=the primary's socket) and standby.signal.
        as_owner "$bindir/pg_basebackup" -h "$psock" -U postgres -D "$data" -R -X stream \
            --no-sync >"$rdir/basebackup.log" 2>&1 || die "pg_basebackup failed; see $rdir/basebackup.log"
        cat >>"$data/postgresql.conf" <<EOF

# pg-cluster.sh: the hot standby
unix_socket_directories = '$sock'
hot_standby = on
EOF
    fi
    start_server "$data" "$sock" "$rdir/server.log"
    url_for "$sock"
}

cmd_stop() {
    local data
    for data in "$dir/replica/data" "$dir/data"; do
        if [ -n "$bindir" ] && running "$data"; then
            # Immediate: the cluster is thrown away, nothing needs a clean shutdown.
            as_owner "$bindir/pg_ctl" stop -D "$data" -m immediate -w >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$dir"
}

case "$cmd" in
start) cmd_start ;;
replica) cmd_replica ;;
url)
    if [ "${3:-}" = replica ]; then url_for "$dir/replica/sock"; else url_for "$dir/sock"; fi
    ;;
stop) cmd_stop ;;
*) die "unknown command $cmd (start, replica, url, stop)" ;;
esac
