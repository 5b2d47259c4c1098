#!/usr/bin/env bash
# Install and start the SPARQL servers tthc-kg runs on besides its embedded store (docs/deploy.md), each on
# 127.0.0.1 only, on a free port, with its data in a directory of its own — never the system instance.
#
#   scripts/sparql-servers.sh install              # apt-get install Debian's virtuoso-opensource if missing
#   scripts/sparql-servers.sh start virtuoso DIR   # private virtuoso.ini + database in DIR; prints the --store spec
#   scripts/sparql-servers.sh start oxigraph DIR   # `oxigraph serve` (PyPI package oxigraph) on DIR/data
#   scripts/sparql-servers.sh stop DIR             # stops the server started in DIR (its pid is in DIR/server.pid)
#
# `start` waits until the server answers a query, then prints one line: the store spec to pass as
# `--store` (or TTHC_KG_STORE). Virtuoso takes updates only on /sparql-auth (HTTP digest): the private
# instance's account is Virtuoso's initial dba/dba, so export TTHC_KG_SPARQL_USER=dba TTHC_KG_SPARQL_PASSWORD=dba
# for it (credentials are never part of the spec). Environment:
#   VIRTUOSO_MAX_ROWS   [SPARQL] ResultSetMaxRows (default 1000000; Virtuoso's own default, 10000, cuts results
#                       silently — tthc-kg detects a cut result and fails rather than answer short)
#   OXIGRAPH            the oxigraph executable (default: $VIRTUAL_ENV/bin, the repo's .venv/bin, else PATH)
#   START_TIMEOUT       seconds to wait for the server (default 90)
set -euo pipefail

die() { echo "sparql-servers: $*" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

install_virtuoso() {
    if command -v virtuoso-t >/dev/null 2>&1; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || die "virtuoso-t is missing and apt-get is not available; install Virtuoso 7"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install virtuoso-opensource"
        sudo="sudo"
    fi
    echo "sparql-servers: installing Debian's virtuoso-opensource (apt-get)…" >&2
    # The package's postinst starts a system-wide instance (0.0.0.0:8890, :1111) unless policy-rc.d forbids it:
    # forbid it for the duration of the install when the machine has no policy of its own.
    local policy=/usr/sbin/policy-rc.d own_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod 755 "$policy"
        own_policy=1
    fi
    # debconf asks for the system instance's dba password: noninteractive leaves it unset (that instance is not
    # started and not used; the private instances below create their own database).
    $sudo apt-get update -qq
    local rc=0
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends virtuoso-opensource \
        >/dev/null || rc=$?
    [ -n "$own_policy" ] && $sudo rm -f "$policy"
    [ "$rc" -eq 0 ] || die "apt-get install virtuoso-opensource failed ($rc)"
    command -v virtuoso-t >/dev/null 2>&1 || die "apt-get finished but virtuoso-t is still missing"
}

wait_for() {  # URL PID LOG
    local url=$1 pid=$2 log=$3 waited=0 limit=${START_TIMEOUT:-90}
    while ! python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5).read()' "$url" \
        >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$log" >&2 || true
            die "the server exited while starting (log: $log)"
        fi
        waited=$((waited + 1))
        if [ "$waited" -gt $((limit * 5)) ]; then
            kill "$pid" 2>/dev/null || true
            die "the server did not answer within ${limit}s (log: $log)"
        fi
        sleep 0.2
    done
}

start_virtuoso() {
    local dir=$1
    command -v virtuoso-t >/dev/null 2>&1 || die "virtuoso-t is missing: run '$0 install' first"
    local http sql
    http=$(free_port)
    sql=$(free_port)
    while [ "$sql" = "$http" ]; do sql=$(free_port); done
    mkdir -p "$dir/db"
    local db
    db=$(cd "$dir/db" && pwd)
    cat >"$dir/virtuoso.ini" <<EOF
; A private Virtuoso for tthc-kg (scripts/sparql-servers.sh): 127.0.0.1 only, its own database in this directory.
[Database]
DatabaseFile         = $db/virtuoso.db
ErrorLogFile         = $db/virtuoso.log
LockFile             = $db/virtuoso.lck
TransactionFile      = $db/virtuoso.trx
xa_persistent_file   = $db/virtuoso.pxa
ErrorLogLevel        = 7
FileExtend           = 200
MaxCheckpointRemap   = 2000
Striping             = 0
TempStorage          = TempDatabase

[TempDatabase]
DatabaseFile         = $db/virtuoso-temp.db
TransactionFile      = $db/virtuoso-temp.trx
MaxCheckpointRemap   = 2000
Striping             = 0

[Parameters]
ServerPort           = 127.0.0.1:$sql
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
DirsAllowed          = ., $db
NumberOfBuffers      = ${VIRTUOSO_BUFFERS:-20000}
MaxDirtyBuffers      = ${VIRTUOSO_DIRTY_BUFFERS:-15000}
MaxQueryMem          = 1G
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4
VectorSize           = 1000
MaxVectorSize        = 1000000

[HTTPServer]
ServerPort           = 127.0.0.1:$http
ServerRoot           = $db
MaxClientConnections = 10
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
ServerThreads        = 10
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = ${VIRTUOSO_MAX_ROWS:-1000000}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 300
DefaultGraph               =
EOF
    (cd "$db" && exec virtuoso-t -f -c "$dir/virtuoso.ini" >"$db/stdout.log" 2>&1) &
    local pid=$!
    echo "$pid" >"$dir/server.pid"
    wait_for "http://127.0.0.1:$http/sparql?query=ASK%7B%7D" "$pid" "$db/virtuoso.log"
    echo "sparql+http://127.0.0.1:$http/sparql?update=/sparql-auth&auth=digest"
}

start_oxigraph() {
    local dir=$1 bin=${OXIGRAPH:-}
    if [ -z "$bin" ]; then
        local root candidate
        root=$(cd "$(dirname "$0")/.." && pwd)
        for candidate in "${VIRTUAL_ENV:-/nonexistent}/bin/oxigraph" "$root/.venv/bin/oxigraph" \
            "$(command -v oxigraph || true)"; do
            if [ -n "$candidate" ] && [ -x "$candidate" ]; then bin=$candidate; break; fi
        done
    fi
    [ -n "$bin" ] && [ -x "$bin" ] || die "the oxigraph server is missing: pip install oxigraph (or set OXIGRAPH)"
    local port
    port=$(free_port)
    mkdir -p "$dir/data"
    # --union-default-graph: a query's default graph is the union of the named graphs, as in the embedded store.
    "$bin" serve --location "$dir/data" --bind "127.0.0.1:$port" --union-default-graph >"$dir/oxigraph.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/server.pid"
    wait_for "http://127.0.0.1:$port/query?query=ASK%7B%7D" "$pid" "$dir/oxigraph.log"
    echo "sparql+http://127.0.0.1:$port/query?update=/update"
}

stop_server() {
    local dir=$1 pid
    [ -f "$dir/server.pid" ] || die "no server.pid in $dir"
    pid=$(cat "$dir/server.pid")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/server.pid"
}

case "${1:-}" in
    install) install_virtuoso ;;
    start)
        [ $# -eq 3 ] || die "usage: $0 start virtuoso|oxigraph DIR"
        dir=$(mkdir -p "$3" && cd "$3" && pwd)
        case "$2" in
            virtuoso) start_virtuoso "$dir" ;;
            oxigraph) start_oxigraph "$dir" ;;
            *) die "unknown server '$2' (virtuoso or oxigraph)" ;;
        esac
        ;;
    stop)
        [ $# -eq 2 ] || die "usage: $0 stop DIR"
        stop_server "$2"
        ;;
    *) die "usage: $0 install | start virtuoso|oxigraph DIR | stop DIR" ;;
esac
