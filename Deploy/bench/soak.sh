#!/usr/bin/env bash
# Soak benchmark: starts pgassist the way Deploy/local.sh does (nginx → spawn-fcgi + multiwatch →
# workers), but entirely in a temporary folder and on its own port, with the scripted fake model
# (Tests/FakeProvider/fake_openai.py through Deploy/bench/fake_model.py, looping: a tool call,
# then an answer) and a throwaway
# PostgreSQL as the user's database; then runs steady mixed load (Deploy/bench/soak_load.py) and
# prints requests served, errors by code, p50/p99 latency per endpoint and the workers' RSS at the
# start and the end. Not part of the test suite.
#
#   Deploy/bench/soak.sh                     60 s of load
#   SOAK_SECONDS=10 Deploy/bench/soak.sh     the short form (under 30 s with a built binary)
#
# Settings (environment):
#   SOAK_SECONDS        length of the load, in seconds (default 60)
#   SOAK_CLIENTS        concurrent simulated users (default 8)
#   SOAK_CHAT_SHARE     share of requests that are chat turns, 0..1 (default 0.4; the rest: GET /thread)
#   SOAK_PORT           nginx port (default: a free one)
#   SOAK_DATABASE_URL   the user's database for the tools (default: a throwaway cluster made with initdb)
#   SOAK_KEEP=1         keep the temporary folder (logs, store, nginx.conf) after the run
#   SOAK_JSON=PATH      also write the figures as JSON
#   PGASSIST_BIN        the binary to run (default: swift build -c release, as local.sh does)
#   PGASSIST_WORKERS, PGASSIST_THREADS (default 2 × 4, production's defaults), THREAD_STORE_URL
#                       (default a SQLite file in the temporary folder), LOG_LEVEL (default warning)
# Differences from local.sh, on purpose: nothing under var/ is touched (a local instance keeps
# running), and nginx's per-client request limit (20 r/s in the template) is raised so the load
# measures the workers, not the limiter.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${SOAK_SECONDS:-60}
clients=${SOAK_CLIENTS:-8}
chat_share=${SOAK_CHAT_SHARE:-0.4}

say() { echo "soak: $*" >&2; }
fail() { echo "soak: $*" >&2; exit 1; }

[[ $seconds =~ ^[0-9]+$ ]] || fail "SOAK_SECONDS must be a whole number of seconds"
for tool in nginx spawn-fcgi multiwatch python3 curl; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (run Deploy/install-deps.sh)"
done

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

if [[ -n ${PGASSIST_BIN:-} ]]; then
    binary=$PGASSIST_BIN
else
    command -v swift >/dev/null || fail "swift is not on PATH (or set PGASSIST_BIN)"
    say "building (swift build -c release)"
    swift build --package-path "$root" -c release >&2
    binary="$(swift build --package-path "$root" -c release --show-bin-path)/pgassist"
fi
[[ -x $binary ]] || fail "$binary is not an executable file"

# 0755 so that nginx's workers (www-data when started as root) reach the socket and the prefix.
work=$(mktemp -d /tmp/pgassist-soak-XXXXXX)
chmod 755 "$work"
mkdir -p "$work/run" "$work/nginx" "$work/var"
chmod 755 "$work/run" "$work/nginx"
launcher_pid="" fake_pid="" pg_data=""

as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
    local status=$?
    [[ -f $work/nginx/nginx.pid ]] && kill -QUIT "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
    if [[ -n $launcher_pid ]] && kill -0 "$launcher_pid" 2>/dev/null; then
        kill -TERM "$launcher_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$launcher_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$launcher_pid" 2>/dev/null || true
    fi
    [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null || true
    if [[ -n $pg_data ]]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ ${SOAK_KEEP:-0} == 1 ]]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The user's database: a throwaway cluster unless one is given.
database_url=${SOAK_DATABASE_URL:-}
if [[ -z $database_url ]]; then
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -x $pg_bin/initdb ]] || fail "no PostgreSQL server under /usr/lib/postgresql (install postgresql, or set SOAK_DATABASE_URL)"
    pg_port=$(free_port)
    mkdir -p "$work/pg"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$work/pg"
    as_postgres "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >/dev/null
    pg_data="$work/pg/data"
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nfsync = off\n" \
        "$pg_port" "$work/pg" >> "$pg_data/postgresql.conf"
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg/postgres.log" -w start >/dev/null
    database_url="postgresql://postgres@127.0.0.1:$pg_port/postgres"
    psql -X -q -d "$database_url" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint REFERENCES customer,
                     total numeric(10, 2), created_at timestamptz DEFAULT now());
INSERT INTO customer (name, email) SELECT 'c' || n, 'c' || n || '@example.com' FROM generate_series(1, 1000) n;
INSERT INTO orders (customer_id, total) SELECT 1 + n % 1000, n % 500 FROM generate_series(1, 20000) n;
ANALYZE;
SQL
fi

# The fake model, looping: a tool call (alternately list_tables and run_sql), then an answer. The bench's
# wrapper of the test fake sets TCP_NODELAY (else each model call waits ~40 ms for a delayed ACK).
fake=$root/Deploy/bench/fake_model.py
[[ -f $fake ]] || fake=$root/Tests/FakeProvider/fake_openai.py
python3 "$fake" --port 0 --port-file "$work/fake.port" --api-key sk-soak \
    > "$work/fake.log" 2>&1 &
fake_pid=$!
for _ in $(seq 100); do [[ -s $work/fake.port ]] && break; sleep 0.05; done
[[ -s $work/fake.port ]] || fail "the fake model did not start: $(cat "$work/fake.log")"
fake_url="http://127.0.0.1:$(cat "$work/fake.port")"
curl -fsS -X POST "$fake_url/__script" -H 'Content-Type: application/json' -d '{"loop": true, "steps": [
    {"toolCalls": [{"name": "list_tables", "arguments": "{\"schema\":\"public\"}"}]},
    {"text": "You have customer and orders."},
    {"toolCalls": [{"name": "run_sql", "arguments": "{\"query\":\"SELECT count(*) FROM orders\"}"}]},
    {"text": "There are 20000 orders."}]}' > /dev/null

# The workers, through the shipped launcher (spawn-fcgi execs multiwatch, so $! is multiwatch).
socket="$work/run/pgassist.sock"
(
    cd "$work"
    export PGASSIST_BIN="$binary" PGASSIST_SOCKET="$socket" PGASSIST_SOCKET_MODE=0666
    export PGASSIST_WORKERS=${PGASSIST_WORKERS:-2} PGASSIST_THREADS=${PGASSIST_THREADS:-4}
    export THREAD_STORE_URL=${THREAD_STORE_URL:-sqlite://$work/var/pgassist.db}
    # The soak's database is on this machine, on a port of its own (or SOAK_DATABASE_URL's).
    export ALLOW_REQUEST_CONNECTION_STRING=1 LOG_LEVEL=${LOG_LEVEL:-warning}
    export ALLOWED_DB_HOSTS=${ALLOWED_DB_HOSTS:-localhost:*,127.0.0.0/8:*,[::1]:*}
    export OPENAI_BASE_URL="$fake_url/v1" OPENAI_API_KEY=sk-soak OPENAI_MODEL=gpt-soak
    exec "$root/Deploy/pgassist-launch" >> "$work/workers.log" 2>&1 < /dev/null
) &
launcher_pid=$!

# nginx from the template, as local.sh renders it, with the request limit raised.
port=${SOAK_PORT:-$(free_port)}
user=""
[[ $(id -u) == 0 ]] && user="user www-data;"
text=$(cat "$root/nginx/nginx.conf.template")
text=${text//@PREFIX@/"$work/nginx"}
text=${text//@PORT@/"$port"}
text=${text//@SOCKET@/"$socket"}
text=${text//@NGINX_DIR@/"$root/nginx"}
text=${text//@USER_DIRECTIVE@/"$user"}
text=${text//rate=20r\/s/rate=100000r\/s}
printf '%s\n' "$text" > "$work/nginx/nginx.conf"
# Templates that take the upstream's server line from an include (what pgassist-switch rewrites) read it here.
printf 'server unix:%s;\n' "$socket" > "$work/nginx/upstream.conf"
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.05; done
nginx -p "$work/nginx/" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" \
    || fail "nginx did not start; see $work/nginx/error.log"

base_url="http://127.0.0.1:$port"
for _ in $(seq 100); do
    curl -fsS --max-time 2 "$base_url/api/ai/assistant/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS --max-time 2 "$base_url/api/ai/assistant/health" >/dev/null \
    || fail "pgassist did not become healthy: $(tail -n 20 "$work/workers.log")"

workers=${PGASSIST_WORKERS:-2}
threads=${PGASSIST_THREADS:-4}
say "$workers workers × $threads threads, $clients clients, ${seconds} s, binary $binary"
echo "pgassist soak: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM"
echo "service: $workers workers × $threads threads behind nginx; store ${THREAD_STORE_URL:-SQLite}; fake model; clients: $clients, chat share $chat_share"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared: read the figures with it)"
python3 "$root/Deploy/bench/soak_load.py" --base-url "$base_url" --database-url "$database_url" --seconds "$seconds" \
    --clients "$clients" --chat-share "$chat_share" --launcher-pid "$launcher_pid" ${SOAK_JSON:+--json "$SOAK_JSON"}
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
problems=$(grep -c -E '"level":"(error|critical)"| error | critical ' "$work/workers.log" || true)
echo "worker log: $(wc -l < "$work/workers.log") lines, $problems at error level or above"
