#!/usr/bin/env bash
# Throwaway PostgreSQL for the storage and scheduling tests.
#
#   .ci/postgres.sh start   initdb a fresh cluster in a temp dir, start it on 127.0.0.1, create the test
#                           database and role, print the export line and write it to $OUT_DIR/postgres.env
#   .ci/postgres.sh stop    stop that server and delete its data dir
#
# Works as root (CI: installs postgresql when initdb is missing, runs the server as the `postgres` user,
# since PostgreSQL refuses to run as root) and as a non-root user with the server binaries present
# (the server then runs as that user).
#
# Environment:
#   ONCALLBOT_PG_PORT   first port to try (default 55432; the next free one is taken if it is busy)
#   ONCALLBOT_CI_OUT    where postgres.env and the state file go (default .ci/out beside this script)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${ONCALLBOT_CI_OUT:-$SCRIPT_DIR/out}"
STATE_FILE="$OUT_DIR/postgres.state"
ENV_FILE="$OUT_DIR/postgres.env"
FIRST_PORT="${ONCALLBOT_PG_PORT:-55432}"
DATABASE=oncallbot_test
ROLE=oncallbot_test

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

find_bin_dir() {
    local initdb_path
    if initdb_path="$(command -v initdb 2>/dev/null)"; then
        # Debian links initdb into PATH from /usr/lib/postgresql/N/bin, where pg_ctl and postgres also live.
        dirname "$(readlink -f "$initdb_path")"
        return 0
    fi
    local dir
    # Highest major version first.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

port_in_use() {
    # A successful TCP connect means something already listens there.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_password() {
    if command -v openssl >/dev/null 2>&1; then
        openssl rand -hex 16
    else
        od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
    fi
}

start() {
    if [[ -f "$STATE_FILE" ]]; then
        die "a server started by this script is still recorded in $STATE_FILE; run '$0 stop' first"
    fi

    local bin_dir
    if ! bin_dir="$(find_bin_dir)"; then
        if [[ "$(id -u)" -ne 0 ]]; then
            die "initdb was not found in PATH or /usr/lib/postgresql/*/bin, and installing postgresql needs root"
        fi
        log "initdb not found; installing postgresql"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
        bin_dir="$(find_bin_dir)" || die "postgresql was installed but initdb is still not found"
    fi
    for tool in initdb pg_ctl; do
        [[ -x "$bin_dir/$tool" ]] || die "$bin_dir/$tool is missing"
    done
    local psql pg_isready
    psql="$(command -v psql || echo "$bin_dir/psql")"
    pg_isready="$(command -v pg_isready || echo "$bin_dir/pg_isready")"

    # As root the server runs as `postgres`; otherwise as the caller.
    local -a as_server=()
    local server_user
    server_user="$(id -un)"
    if [[ "$(id -u)" -eq 0 ]]; then
        if ! id -u postgres >/dev/null 2>&1; then
            log "creating system user postgres"
            useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
        fi
        server_user=postgres
        as_server=(runuser -u postgres --)
    fi

    local root_dir
    root_dir="$(mktemp -d "${TMPDIR:-/tmp}/oncallbot-pg.XXXXXX")"
    mkdir -p "$root_dir/data" "$root_dir/socket"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown -R postgres: "$root_dir"
    fi
    chmod 700 "$root_dir/data"

    local port="$FIRST_PORT"
    while port_in_use "$port"; do
        port=$((port + 1))
        [[ "$port" -lt $((FIRST_PORT + 100)) ]] || die "no free port in $FIRST_PORT..$((FIRST_PORT + 99))"
    done

    mkdir -p "$OUT_DIR"
    # Recorded before the server starts so that 'stop' can clean up after a failed start.
    {
        echo "ROOT_DIR=$root_dir"
        echo "BIN_DIR=$bin_dir"
        echo "SERVER_USER=$server_user"
        echo "PORT=$port"
    } >"$STATE_FILE"

    log "initdb in $root_dir/data (server user: $server_user)"
    # Local (socket) connections are trusted for the admin steps below; TCP needs the role's password.
    "${as_server[@]}" "$bin_dir/initdb" -D "$root_dir/data" --username=postgres --encoding=UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >"$root_dir/initdb.log" 2>&1 \
        || { cat "$root_dir/initdb.log" >&2; die "initdb failed"; }

    log "starting on 127.0.0.1:$port"
    "${as_server[@]}" "$bin_dir/pg_ctl" -D "$root_dir/data" -l "$root_dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$root_dir/socket -c fsync=off" start \
        >/dev/null || { cat "$root_dir/server.log" >&2; die "the server did not start"; }

    local tries=0
    until "$pg_isready" -q -h 127.0.0.1 -p "$port"; do
        tries=$((tries + 1))
        [[ "$tries" -lt 60 ]] || die "the server did not become ready on port $port"
        sleep 0.5
    done

    local password
    password="$(random_password)"
    "${as_server[@]}" "$psql" -q -v ON_ERROR_STOP=1 -h "$root_dir/socket" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$password'" \
        -c "CREATE DATABASE $DATABASE OWNER $ROLE" >/dev/null

    local connection="Host=127.0.0.1;Port=$port;Database=$DATABASE;Username=$ROLE;Password=$password"
    local export_line="export ONCALLBOT_TEST_POSTGRES='$connection'"
    (umask 077 && echo "$export_line" >"$ENV_FILE")
    log "ready; 'source $ENV_FILE' to use it"
    echo "$export_line"
}

stop() {
    if [[ ! -f "$STATE_FILE" ]]; then
        log "nothing to stop ($STATE_FILE not found)"
        return 0
    fi
    local ROOT_DIR="" BIN_DIR="" SERVER_USER=""
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    [[ -n "$ROOT_DIR" && "$ROOT_DIR" == */oncallbot-pg.* ]] || die "$STATE_FILE does not name a data dir made by this script"

    local -a as_server=()
    if [[ "$(id -u)" -eq 0 && "$SERVER_USER" != root ]]; then
        as_server=(runuser -u "$SERVER_USER" --)
    fi
    if [[ -f "$ROOT_DIR/data/postmaster.pid" ]]; then
        log "stopping the server in $ROOT_DIR"
        "${as_server[@]}" "$BIN_DIR/pg_ctl" -D "$ROOT_DIR/data" -m fast -w -t 60 stop >/dev/null \
            || log "pg_ctl stop failed; removing the data dir anyway"
    fi
    rm -rf "$ROOT_DIR"
    rm -f "$STATE_FILE" "$ENV_FILE"
    log "stopped and removed $ROOT_DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *)
        echo "usage: $0 start|stop" >&2
        exit 2
        ;;
esac
