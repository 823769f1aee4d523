#!/usr/bin/env bash
# Runs pgassist on this machine, the way production does (nginx → spawn-fcgi + multiwatch → workers):
#   Deploy/local.sh up      install packages, build (release), start workers and nginx, wait until healthy
#   Deploy/local.sh switch  build, then move nginx to a fresh pool without dropping a request (pgassist-switch)
#   Deploy/local.sh down    stop nginx and the workers
#   Deploy/local.sh status  show what runs
#   Deploy/local.sh test [swift test arguments…]   install packages, build, run the whole test suite
# Everything it writes goes under var/ in the checkout: var/pgassist.db (the SQLite store),
# var/log/ (workers.log, links to nginx's logs), var/run/ (socket, workers.pid), var/nginx/ (nginx's
# prefix: nginx.conf, nginx.pid, logs, temp folders).
# Settings: PGASSIST_PORT (default 8082), LOG_LEVEL, THREAD_STORE_URL (default the SQLite file
# above), ALLOW_REQUEST_CONNECTION_STRING (default 1 here), OPENAI_* (see README), PGASSIST_BIN
# (run this binary instead of building one), and the launcher's
# PGASSIST_WORKERS, PGASSIST_THREADS, PGASSIST_MAX_REQUESTS, … (see Deploy/pgassist-launch).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
var="$root/var"
port=${PGASSIST_PORT:-8082}
workers_pid_file="$var/run/workers.pid"

say() { echo "local.sh: $*"; }
fail() { echo "local.sh: $*" >&2; exit 1; }

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

# Where nginx keeps its files and the workers their socket. nginx started as root runs its
# workers as www-data, which must reach both: when the checkout sits in a folder www-data cannot
# enter (under /root, say), use a folder under /run instead.
runtime_dir() {
    if [[ $(id -u) == 0 ]] && ! runuser -u www-data -- test -x "$var" 2>/dev/null; then
        echo "/run/pgassist-local-$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
    else
        echo "$var"
    fi
}

# Whether the pid in $1 (a file) is alive and its command line mentions $2.
running() {
    local pid
    [[ -f $1 ]] || return 1
    pid=$(cat "$1")
    [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2"
}

# Sends $3 to the process in pid file $1 (checked against $2), waits up to 15 s, then SIGKILL.
stop_process() {
    local file=$1 name=$2 signal=$3 pid
    if ! running "$file" "$name"; then
        rm -f "$file"
        return 0
    fi
    pid=$(cat "$file")
    say "stopping $name (pid $pid)"
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
        sleep 0.1
    done
    say "$name did not stop within 15 s: killing it and its children"
    local children
    children=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
    kill -KILL "$pid" $children 2>/dev/null || true
    rm -f "$file"
}

render_nginx_conf() {
    local prefix=$1 socket=$2 text user=""
    [[ $(id -u) == 0 ]] && user="user www-data;"
    text=$(cat "$root/nginx/nginx.conf.template")
    # Quoted replacements: bash 5.2 would otherwise treat & in a path as the matched text.
    text=${text//@PREFIX@/"$prefix"}
    text=${text//@PORT@/"$port"}
    text=${text//@SOCKET@/"$socket"}
    text=${text//@NGINX_DIR@/"$root/nginx"}
    text=${text//@USER_DIRECTIVE@/"$user"}
    printf '%s\n' "$text" > "$prefix/nginx.conf"
    # The upstream's server line, which `switch` rewrites.
    printf 'server unix:%s;\n' "$socket" > "$prefix/upstream.conf"
}

# The pool's settings, shared by `up` and `switch`.
export_pool_environment() {
    export PGASSIST_BIN="$1"
    # The socket's folder is private to this checkout; nginx's workers (www-data) must connect.
    export PGASSIST_SOCKET_MODE=${PGASSIST_SOCKET_MODE:-0666}
    export THREAD_STORE_URL=${THREAD_STORE_URL:-sqlite://$var/pgassist.db}
    # A local run serves a local Studio, which sends the connection string: accept it, for this
    # machine's databases only: PostgreSQL's port and the Supabase CLI's (54322) on loopback.
    export ALLOW_REQUEST_CONNECTION_STRING=${ALLOW_REQUEST_CONNECTION_STRING:-1}
    export ALLOWED_DB_HOSTS=${ALLOWED_DB_HOSTS:-localhost,127.0.0.0/8,::1,localhost:54322,127.0.0.0/8:54322,[::1]:54322}
}

# The binary to run: PGASSIST_BIN, or a fresh release build.
build_binary() {
    local binary
    if [[ -n ${PGASSIST_BIN:-} ]]; then
        binary=$PGASSIST_BIN
        say "using PGASSIST_BIN=$binary (no build)" >&2
    else
        command -v swift >/dev/null || fail "swift is not on PATH (install the Swift 6 toolchain first)"
        say "building (swift build -c release)" >&2
        swift build --package-path "$root" -c release >&2
        binary="$(swift build --package-path "$root" -c release --show-bin-path)/pgassist"
    fi
    [[ -x $binary ]] || fail "$binary is not an executable file"
    echo "$binary"
}

down() {
    local runtime
    [[ -d $var ]] || return 0
    runtime=$(runtime_dir)
    stop_process "$runtime/nginx/nginx.pid" nginx QUIT
    stop_process "$workers_pid_file" multiwatch TERM
}

up() {
    "$root/Deploy/install-deps.sh"
    local binary
    binary=$(build_binary)

    mkdir -p "$var/run" "$var/log"
    chmod 755 "$var" "$var/run" "$var/log"
    down
    local runtime prefix socket
    runtime=$(runtime_dir)
    prefix="$runtime/nginx"
    socket="$runtime/run/pgassist.sock"
    [[ $runtime == "$var" ]] || say "www-data cannot reach $var: nginx files and the socket go to $runtime"
    mkdir -p "$prefix" "$runtime/run"
    chmod 755 "$runtime" "$prefix" "$runtime/run"

    say "starting the workers on $socket"
    (
        cd "$root"
        export_pool_environment "$binary"
        export PGASSIST_SOCKET="$socket"
        exec setsid nohup "$root/Deploy/pgassist-launch" >> "$var/log/workers.log" 2>&1 < /dev/null
    ) &
    echo $! > "$workers_pid_file"

    render_nginx_conf "$prefix" "$socket"
    # The configuration logs under the prefix; keep a link in var/log for people looking there.
    ln -sfn "$prefix/error.log" "$var/log/nginx-error.log"
    ln -sfn "$prefix/access.log" "$var/log/nginx-access.log"
    say "starting nginx on 127.0.0.1:$port"
    if ! nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log"; then
        down
        fail "nginx did not start (port $port taken? set PGASSIST_PORT); see $prefix/error.log"
    fi

    local url="http://localhost:$port/api/ai/assistant"
    local problem="pgassist did not answer $url/health within 30 s"
    say "waiting for $url/health"
    for _ in $(seq 60); do
        if curl -fsS --max-time 2 "$url/health" > /dev/null 2>&1; then
            echo
            say "pgassist is up: $url/"
            echo "  curl -sS $url/health"
            echo "  curl -sS '$url/thread?userId=me@example.com'"
            echo "  logs:  $var/log/workers.log  $var/log/nginx-error.log"
            echo "  stop:  Deploy/local.sh down"
            return 0
        fi
        if ! running "$workers_pid_file" multiwatch && ! running "$workers_pid_file" pgassist-launch; then
            problem="the worker pool exited (a worker that keeps failing at start makes multiwatch give up)"
            break
        fi
        sleep 0.5
    done
    echo "local.sh: $problem" >&2
    echo "--- last lines of $var/log/workers.log" >&2
    tail -n 30 "$var/log/workers.log" >&2 || true
    echo "--- last lines of $prefix/error.log" >&2
    tail -n 15 "$prefix/error.log" >&2 || true
    down
    exit 1
}

# Starts a fresh pool from a new build and moves nginx to it (Deploy/pgassist-switch), then the old
# pool finishes its requests and stops.
switch() {
    local runtime prefix binary
    runtime=$(runtime_dir)
    prefix="$runtime/nginx"
    running "$workers_pid_file" multiwatch || fail "no pool is running: start with 'Deploy/local.sh up'"
    running "$prefix/nginx.pid" nginx || fail "nginx is not running: start with 'Deploy/local.sh up'"
    binary=$(build_binary)
    (
        cd "$root"
        export_pool_environment "$binary"
        export PGASSIST_SWITCH_DIR="$runtime/run" PGASSIST_PID_FILE="$workers_pid_file" \
            PGASSIST_UPSTREAM_FILE="$prefix/upstream.conf" PGASSIST_NGINX_PID_FILE="$prefix/nginx.pid" \
            PGASSIST_NGINX="nginx -p $prefix/ -c $prefix/nginx.conf -e $prefix/error.log" \
            PGASSIST_SWITCH_LOG="$var/log/workers.log"
        exec "$root/Deploy/pgassist-switch"
    )
}

status() {
    local runtime
    runtime=$(runtime_dir)
    if running "$workers_pid_file" multiwatch; then
        say "workers: multiwatch pid $(cat "$workers_pid_file"), workers $(cat /proc/"$(cat "$workers_pid_file")"/task/*/children 2>/dev/null)"
    else
        say "workers: not running"
    fi
    if running "$runtime/nginx/nginx.pid" nginx; then
        say "nginx: pid $(cat "$runtime/nginx/nginx.pid") on port $port"
    else
        say "nginx: not running"
    fi
}

run_tests() {
    command -v swift >/dev/null || fail "swift is not on PATH (install the Swift 6 toolchain first)"
    local step=$SECONDS
    "$root/Deploy/install-deps.sh"
    say "packages ready in $(( SECONDS - step )) s"
    cd "$root"
    # Tests start PostgreSQL, nginx and workers themselves, in 0755 temp folders that www-data
    # (nginx's workers when running as root) can enter.
    step=$SECONDS
    say "swift build"
    swift build
    say "built in $(( SECONDS - step )) s"
    step=$SECONDS
    say "swift test $*"
    local status=0
    swift test "$@" || status=$?
    say "tests $([[ $status == 0 ]] && echo passed || echo failed) in $(( SECONDS - step )) s"
    return "$status"
}

case "${1:-}" in
    up) up ;;
    switch) switch ;;
    down) down; say "stopped" ;;
    status) status ;;
    test) shift; run_tests "$@" ;;
    -h|--help|help) usage 0 ;;
    *) usage 1 >&2 ;;
esac
