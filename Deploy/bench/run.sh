#!/usr/bin/env bash
# Deploy/bench/run.sh: builds what it needs and runs six comparisons of pgassist against baselines
# measured in the same run on the same machine, then prints one table (see Deploy/bench/README.md).
#   Deploy/bench/run.sh                 full run (about 10 minutes on 2 cores, plus the build)
#   BENCH_QUICK=1 Deploy/bench/run.sh   short durations (a few minutes)
# Settings: PGASSIST_BIN (use this binary, no build), BENCH_SECTIONS (e.g. "1 4": run only these;
# sections 1 and 4 share their processes), BENCH_KEEP=1 (keep the temp folder), BENCH_OUT=FILE
# (also write the table there), BENCH_TABLES (tables in the schema-tools database, default 10000).
# Runs as root (apt-get, PostgreSQL as the postgres user); everything it starts lives in one temp
# folder and is stopped at exit, also on failure or Ctrl-C.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench="$root/Deploy/bench"
quick=${BENCH_QUICK:-0}
sections=${BENCH_SECTIONS:-1 2 3 4 5 6}
tables=${BENCH_TABLES:-10000}
pagila_dir=$(cd "$root/.." && pwd)/shared/data/pagila

if [[ $quick == 1 ]]; then
    wrk_duration=3s; wrk_warmup=1s; wrk_rounds=1
    chat_turns=15; chat_replays=15
    burst_settings="sqlite:2x256 postgres:2x256"
    tool_runs=5; guard_iterations=500; spawn_runs=2; catalog_runs=10
else
    wrk_duration=10s; wrk_warmup=3s; wrk_rounds=3
    chat_turns=50; chat_replays=30
    burst_settings="sqlite:2x256 sqlite:4x128 sqlite:2x128 postgres:2x256 postgres:4x128 postgres:8x64 postgres:2x128"
    tool_runs=15; guard_iterations=3000; spawn_runs=5; catalog_runs=30
fi
burst_count=512
burst_delay_ms=2000
requests_for_rss=10000

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
has() { [[ " $sections " == *" $1 "* ]]; }

# ---------------------------------------------------------------------------------------------
# Packages and builds

need_packages() {
    local missing=() package status
    for package in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || missing+=("$package")
    done
    (( ${#missing[@]} == 0 )) && return 0
    [[ $(id -u) == 0 ]] || fail "missing packages (run as root to install them): ${missing[*]}"
    say "installing ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

[[ $(id -u) == 0 ]] || fail "run as root: PostgreSQL runs as the postgres user and packages may need installing"
need_packages wrk php-fpm php-sqlite3 libfcgi-dev gcc nginx-light spawn-fcgi multiwatch postgresql \
    libpq-dev libcurl4-openssl-dev libsqlite3-dev libpg-query-dev pkg-config curl python3 procps util-linux binutils

if [[ -n ${PGASSIST_BIN:-} ]]; then
    bin=$(realpath "$PGASSIST_BIN")
    say "using PGASSIST_BIN=$bin (no build)"
else
    command -v swift >/dev/null || fail "swift is not on PATH"
    say "building pgassist (swift build -c release --scratch-path .build-bench)"
    swift build --package-path "$root" -c release --scratch-path "$root/.build-bench" --product pgassist >&2
    bin="$root/.build-bench/release/pgassist"
fi
[[ -x $bin ]] || fail "$bin is not executable"

work=$(mktemp -d /tmp/pgassist-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/run" "$work/logs"
chmod 755 "$work/run"
gcc -O2 -Wall -o "$work/c-baseline" "$bench/c-baseline.c" -lfcgi -lpthread
php_fpm=$(command -v php-fpm8.2 || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1)
[[ -x $php_fpm ]] || fail "php-fpm not found"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x $pg_bin/initdb ]] || fail "no PostgreSQL server binaries under /usr/lib/postgresql"

# ---------------------------------------------------------------------------------------------
# Cleanup: every process started here is a process-group leader whose id is in $work/pids.

stop_group() {
    local pid=$1 signal=${2:-TERM}
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
}

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    say "cleaning up"
    for file in "$work"/nginx-*/nginx.pid; do
        [[ -f $file ]] && kill -QUIT "$(cat "$file")" 2>/dev/null
    done
    if [[ -f $work/pids ]]; then
        while read -r pid; do stop_group "$pid" TERM; done < <(tac "$work/pids")
    fi
    if [[ -f $work/pg/data/postmaster.pid ]]; then
        runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
    fi
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

remember() { echo "$1" >> "$work/pids"; }
forget() { [[ -f $work/pids ]] && sed -i "/^$1\$/d" "$work/pids"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# field JSON KEY: one value of a JSON object.
field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1" "$2"; }
# calc EXPRESSION: floating-point arithmetic, printed with up to 2 decimals.
calc() { python3 -c "v=($1); print(f'{v:.2f}'.rstrip('0').rstrip('.') if isinstance(v, float) else v)"; }
bench_py() { python3 "$bench/bench.py" "$@"; }

# Results: one row per comparison, printed as a table at the end.
rows="$work/rows.tsv"
: > "$rows"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$rows"; }   # section measure ours baseline ratio target met
met() { python3 -c "print('yes' if ($1) else 'NO')"; }

# ---------------------------------------------------------------------------------------------
# PostgreSQL (private cluster, as the postgres user), the fake model, nginx

pg_port=$(free_port)
mkdir -p "$work/pg"
chown postgres:postgres "$work/pg"
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres -E UTF8 --no-locale --no-sync >/dev/null
cat >> "$work/pg/data/postgresql.conf" <<EOF

# Deploy/bench/run.sh
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$work/pg'
max_connections = 700
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = on
log_destination = 'jsonlog'
log_directory = 'log'
log_filename = 'postgresql.log'
EOF
say "starting PostgreSQL on 127.0.0.1:$pg_port"
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w -t 60 start >/dev/null
pg_log_dir="$work/pg/data/log"
psql_as=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres)
conn() { echo "host=127.0.0.1 port=$pg_port dbname=$1 user=postgres"; }
# The same, with every statement of that session logged (bench.py capture reads them back).
capture_conn() { echo "$(conn "$1") application_name=bench_capture options='-c log_statement=all'"; }
# durable on|off: the cluster starts with fsync off (fixtures load fast); a thread store on it is
# measured with fsync and synchronous_commit on, as in production.
durable() {
    if [[ $1 == on ]]; then
        "${psql_as[@]}" -d postgres -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET synchronous_commit = on" \
            -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" > /dev/null
    else
        "${psql_as[@]}" -d postgres -c "ALTER SYSTEM RESET ALL" -c "SELECT pg_reload_conf()" > /dev/null
    fi
}

fake_port_file="$work/fake.port"
python3 "$bench/fake_model.py" --port 0 --port-file "$fake_port_file" > "$work/logs/fake.log" 2>&1 &
remember $!
for _ in $(seq 100); do [[ -s $fake_port_file ]] && break; sleep 0.1; done
[[ -s $fake_port_file ]] || fail "the fake model did not start (see $work/logs/fake.log)"
fake="http://127.0.0.1:$(cat "$fake_port_file")"

# start_nginx NAME SOCKET: nginx from nginx/nginx.conf.template (pgassist-api.conf included as in
# production) in front of SOCKET; prints the port. Changes for the bench, the same for every
# backend: no rate limit (20 r/s would make wrk measure 429s), more worker connections
# (512 clients + 512 upstream connections), and two FastCGI params for php-fpm (script, store).
start_nginx() {
    local name=$1 socket=$2 port prefix text user=""
    port=$(free_port)
    prefix="$work/nginx-$name"
    mkdir -p "$prefix"
    chmod 755 "$prefix"
    [[ $(id -u) == 0 ]] && user="user www-data;"
    text=$(cat "$root/nginx/nginx.conf.template")
    text=${text//@PREFIX@/"$prefix"}
    text=${text//@PORT@/"$port"}
    text=${text//@SOCKET@/"$socket"}
    text=${text//@NGINX_DIR@/"$root/nginx"}
    text=${text//@USER_DIRECTIVE@/"$user"}
    text=${text//"worker_processes 1;"/"worker_processes 1;
worker_rlimit_nofile 20000;"}
    text=${text//"worker_connections 1024;"/"worker_connections 8192;"}
    # No rate limit: the bench's requests carry no Authorization header, and with an empty key
    # limit_req counts nothing (20 r/s, even 1M r/s with burst 50, refuses bursts with 429).
    text=${text//'$binary_remote_addr;'/'"";'}
    text=${text//"include $root/nginx/pgassist-api.conf;"/"fastcgi_param SCRIPT_FILENAME $bench/thread.php;
        fastcgi_param PGASSIST_BENCH_DB $work/store.db;
        include $root/nginx/pgassist-api.conf;"}
    printf '%s\n' "$text" > "$prefix/nginx.conf"
    # Newer templates include the upstream's server line from upstream.conf (Deploy/local.sh writes it too).
    printf 'server unix:%s;\n' "$socket" > "$prefix/upstream.conf"
    nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/error.log" || fail "nginx ($name) did not start"
    echo "$port"
}

# ---------------------------------------------------------------------------------------------
# The three FastCGI backends. Each start_* runs under bench.py first-answer (spawn → first 200 of
# GET /thread through nginx), remembers the process group and prints the JSON.

pool_env=(
    PGASSIST_BIN="$bin" PGASSIST_SOCKET="$work/run/pgassist.sock" PGASSIST_SOCKET_MODE=0666 PGASSIST_BACKLOG=1024
    OPENAI_BASE_URL="$fake/v1" OPENAI_API_KEY=sk-test OPENAI_MODEL=gpt-5.4
    ALLOW_REQUEST_CONNECTION_STRING=1 ALLOWED_DB_HOSTS="127.0.0.1:$pg_port"
)
thread_path="/api/ai/assistant/thread?userId=bench-user&projectRef=bench"
sqlite_store="sqlite://$work/store.db"
pg_store="postgresql://postgres@127.0.0.1:$pg_port/store"
store_url=$sqlite_store   # the store of the next start_pgassist

start_pgassist() {   # WORKERS THREADS PORT
    local result
    result=$(bench_py first-answer --url "http://127.0.0.1:$3$thread_path" --pid-file "$work/pgassist.pid" \
        --log "$work/logs/pgassist.log" -- env "${pool_env[@]}" THREAD_STORE_URL="$store_url" PGASSIST_WORKERS="$1" PGASSIST_THREADS="$2" \
        "$root/Deploy/pgassist-launch") || { tail -n 20 "$work/logs/pgassist.log" >&2; fail "pgassist $1×$2 did not answer"; }
    remember "$(cat "$work/pgassist.pid")"
    echo "$result"
}

start_c() {   # WORKERS THREADS PORT
    local result
    result=$(bench_py first-answer --url "http://127.0.0.1:$3$thread_path" --pid-file "$work/c.pid" \
        --log "$work/logs/c.log" -- spawn-fcgi -n -s "$work/run/c.sock" -M 0666 -b 1024 -- \
        "$(command -v multiwatch)" -f "$1" -- "$work/c-baseline" "$2") || fail "the C baseline did not answer"
    remember "$(cat "$work/c.pid")"
    echo "$result"
}

start_php() {   # WORKERS PORT
    mkdir -p "$work/php"
    cat > "$work/php/php-fpm.conf" <<EOF
[global]
pid = $work/php/php-fpm.pid
error_log = $work/logs/php-fpm.log
daemonize = no

[bench]
user = root
group = root
listen = $work/run/php.sock
listen.mode = 0666
listen.backlog = 1024
pm = static
pm.max_children = $1
pm.max_requests = 0
catch_workers_output = yes
EOF
    local result
    result=$(bench_py first-answer --url "http://127.0.0.1:$2$thread_path" --pid-file "$work/php.pid" \
        --log "$work/logs/php-fpm.log" -- "$php_fpm" -R -F -y "$work/php/php-fpm.conf") \
        || { tail -n 20 "$work/logs/php-fpm.log" >&2; fail "php-fpm did not answer"; }
    remember "$(cat "$work/php.pid")"
    echo "$result"
}

stop_backend() {   # NAME (pgassist, c, php)
    local pid
    [[ -f $work/$1.pid ]] || return 0
    pid=$(cat "$work/$1.pid")
    stop_group "$pid" TERM
    forget "$pid"
    rm -f "$work/$1.pid"
}

# wrk_run PORT LABEL: warm-up, then the measured run; prints bench.py wrk's JSON.
wrk_run() {
    local url="http://127.0.0.1:$1$thread_path" out="$work/logs/wrk-$2.txt"
    wrk -t2 -c32 -d"$wrk_warmup" "$url" > /dev/null
    wrk -t2 -c32 -d"$wrk_duration" --latency "$url" > "$out"
    bench_py wrk "$out"
}

# wrk_count PORT: exactly $requests_for_rss GET /thread requests (8 at a time).
wrk_count() {
    bench_py count --url "http://127.0.0.1:$1$thread_path" --count "$requests_for_rss" --concurrency 8 > /dev/null \
        || fail "GET /thread on port $1 answered other than 200"
}

pid_of() { cat "$work/$1.pid"; }
php_workers() { pgrep -P "$(pid_of php)" | tr '\n' ' '; }

# ---------------------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "work folder $work; sections: $sections; quick=$quick; load $load_before"
port_pg=$(start_nginx pgassist "$work/run/pgassist.sock")
port_c=$(start_nginx c "$work/run/c.sock")
port_php=$(start_nginx php "$work/run/php.sock")

# ---- sections 1 and 4: GET /thread throughput, memory, start-up ------------------------------
if has 1 || has 4; then
    say "1/4: starting the three backends (2 processes × 2 threads; php-fpm: 4 workers)"
    first_pg=$(start_pgassist 2 2 "$port_pg")      # the first start also creates the store
    curl -fsS -X POST "http://127.0.0.1:$port_pg/api/ai/assistant/setup" -H 'Content-Type: application/json' \
        -d '{"instructions": "Answer briefly."}' > /dev/null
    # Restart so that the idle figure is a worker that has answered one request, like the others.
    stop_backend pgassist
    first_pg=$(start_pgassist 2 2 "$port_pg")
    idle_pg=$(bench_py rss --parent "$(pid_of pgassist)")
    first_c=$(start_c 2 2 "$port_c")
    idle_c=$(bench_py rss --parent "$(pid_of c)")
    first_php=$(start_php 4 "$port_php")
    idle_php=$(bench_py rss --pids $(php_workers))
    curl -fsS "http://127.0.0.1:$port_php$thread_path" | grep -q '"threadId":"thread_' || fail "thread.php answers wrongly"
    curl -fsS "http://127.0.0.1:$port_pg$thread_path" | grep -q '"threadId"' || fail "pgassist GET /thread answers wrongly"

    say "4: $requests_for_rss requests each, then RSS"
    wrk_count "$port_pg"; after_pg=$(bench_py rss --parent "$(pid_of pgassist)")
    wrk_count "$port_c"; after_c=$(bench_py rss --parent "$(pid_of c)")
    wrk_count "$port_php"; after_php=$(bench_py rss --pids $(php_workers))

    if has 1; then
        : > "$work/wrk-pgassist.jsonl"; : > "$work/wrk-c.jsonl"; : > "$work/wrk-php.jsonl"
        for round in $(seq "$wrk_rounds"); do
            say "1: wrk -t2 -c32 -d$wrk_duration --latency, round $round of $wrk_rounds (pgassist, C, php-fpm)"
            wrk_run "$port_pg" "pgassist-$round" >> "$work/wrk-pgassist.jsonl"
            wrk_run "$port_c" "c-$round" >> "$work/wrk-c.jsonl"
            wrk_run "$port_php" "php-$round" >> "$work/wrk-php.jsonl"
        done
        # The median round of each (req/s and p99 separately): the machine is shared and noisy.
        summary() { python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(json.dumps({"rps": round(statistics.median(r["rps"] for r in runs)), "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
                  "errors": sum(r["errors"] for r in runs), "all_rps": [round(r["rps"]) for r in runs]}))' "$1"; }
        best_pg=$(summary "$work/wrk-pgassist.jsonl"); best_c=$(summary "$work/wrk-c.jsonl"); best_php=$(summary "$work/wrk-php.jsonl")
        say "1: req/s per round: pgassist $(field "$best_pg" all_rps), C $(field "$best_c" all_rps), php-fpm $(field "$best_php" all_rps)"
        rps_pg=$(field "$best_pg" rps); rps_c=$(field "$best_c" rps); rps_php=$(field "$best_php" rps)
        row 1 "GET /thread req/s vs C limit (2×2)" "$rps_pg" "$rps_c" "$(calc "$rps_pg / $rps_c")×" "≥ 0.8×" \
            "$(met "$rps_pg >= 0.8 * $rps_c")"
        row 1 "GET /thread req/s vs php-fpm (4 workers)" "$rps_pg" "$rps_php" "$(calc "$rps_pg / $rps_php")×" "≥ 2×" \
            "$(met "$rps_pg >= 2 * $rps_php")"
        row 1 "GET /thread p99 ms (C / php-fpm)" "$(field "$best_pg" p99_ms)" \
            "$(field "$best_c" p99_ms) / $(field "$best_php" p99_ms)" \
            "$(calc "$(field "$best_pg" p99_ms) / $(field "$best_c" p99_ms)")× / $(calc "$(field "$best_pg" p99_ms) / $(field "$best_php" p99_ms)")×" "" ""
        errors=$(( $(field "$best_pg" errors) + $(field "$best_c" errors) + $(field "$best_php" errors) ))
        (( errors == 0 )) || say "1: wrk counted $errors non-2xx or socket errors (see $work/logs/wrk-*.txt)"
    fi

    if has 4; then
        row 4 "idle worker RSS MiB (C / php-fpm)" "$(field "$idle_pg" rss_max_mib)" \
            "$(field "$idle_c" rss_max_mib) / $(field "$idle_php" rss_max_mib)" \
            "$(calc "$(field "$idle_pg" rss_max_mib) / $(field "$idle_php" rss_max_mib)")× php" "" ""
        row 4 "worker RSS MiB after $requests_for_rss GET /thread (C / php-fpm)" "$(field "$after_pg" rss_max_mib)" \
            "$(field "$after_c" rss_max_mib) / $(field "$after_php" rss_max_mib)" \
            "$(calc "$(field "$after_pg" rss_max_mib) / $(field "$after_php" rss_max_mib)")× php" "" ""
        row 4 "worker PSS MiB after $requests_for_rss (C / php-fpm)" "$(field "$after_pg" pss_max_mib)" \
            "$(field "$after_c" pss_max_mib) / $(field "$after_php" pss_max_mib)" \
            "$(calc "$(field "$after_pg" pss_max_mib) / $(field "$after_php" pss_max_mib)")× php" "" ""
        say "4: spawn → first answered GET /thread, $spawn_runs restarts each"
        spawn_pg=(); spawn_c=(); spawn_php=()
        for _ in $(seq "$spawn_runs"); do
            stop_backend pgassist; spawn_pg+=("$(field "$(start_pgassist 2 2 "$port_pg")" first_answer_ms)")
            stop_backend c; spawn_c+=("$(field "$(start_c 2 2 "$port_c")" first_answer_ms)")
            stop_backend php; spawn_php+=("$(field "$(start_php 4 "$port_php")" first_answer_ms)")
        done
        median() { python3 -c 'import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:])), 1))' "$@"; }
        s_pg=$(median "${spawn_pg[@]}"); s_c=$(median "${spawn_c[@]}"); s_php=$(median "${spawn_php[@]}")
        row 4 "spawn → first answered request ms, p50 (C / php-fpm)" "$s_pg" "$s_c / $s_php" \
            "$(calc "$s_pg / $s_php")× php" "" ""
        size=$(stat -c %s "$bin")
        strip -o "$work/pgassist.stripped" "$bin"
        stripped=$(stat -c %s "$work/pgassist.stripped")
        row 4 "binary MiB (stripped) (C baseline)" "$(calc "$size / 1048576") ($(calc "$stripped / 1048576"))" \
            "$(calc "$(stat -c %s "$work/c-baseline") / 1048576")" "" "" ""
        libs=$(ldd "$bin" | awk '{print $1}' | grep -v -e '^linux-vdso' -e '^/lib64/ld-linux' | sed 's/\.so.*//' | sort | tr '\n' ' ')
        row 4 "ldd: shared libraries" "$(ldd "$bin" | wc -l)" "$(ldd "$work/c-baseline" | wc -l)" "" "" ""
        echo "$libs" > "$work/ldd.txt"
    fi
    stop_backend c
    stop_backend php
fi

# ---- fixture databases ------------------------------------------------------------------------
if has 2 || has 5; then
    "${psql_as[@]}" -d postgres -c "CREATE DATABASE fixture"
    if [[ -f $pagila_dir/pagila-schema.sql ]]; then
        say "loading Pagila from $pagila_dir"
        "${psql_as[@]}" -d fixture -f "$pagila_dir/pagila-schema.sql" > /dev/null
        "${psql_as[@]}" -d fixture -f "$pagila_dir/pagila-data.sql" > /dev/null
        join_sql="SELECT f.title, c.name AS category FROM film f JOIN film_category fc ON fc.film_id = f.film_id JOIN category c ON c.category_id = fc.category_id ORDER BY f.title LIMIT 20"
    else
        say "no Pagila at $pagila_dir: a small fixture database instead"
        "${psql_as[@]}" -d fixture <<'SQL'
CREATE TABLE customer (customer_id serial PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE orders (order_id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customer, placed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE product (product_id serial PRIMARY KEY, title text NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE order_item (order_id int REFERENCES orders, product_id int REFERENCES product, quantity int NOT NULL, PRIMARY KEY (order_id, product_id));
INSERT INTO customer (name, email) SELECT 'customer ' || i, 'c' || i || '@example.com' FROM generate_series(1, 1000) i;
INSERT INTO product (title, price) SELECT 'product ' || i, i * 1.5 FROM generate_series(1, 200) i;
INSERT INTO orders (customer_id) SELECT 1 + i % 1000 FROM generate_series(1, 5000) i;
INSERT INTO order_item SELECT o, 1 + (o * 7) % 200, 1 + o % 3 FROM generate_series(1, 5000) o;
SQL
        join_sql="SELECT c.name, o.order_id, i.quantity FROM customer c JOIN orders o ON o.customer_id = c.customer_id JOIN order_item i ON i.order_id = o.order_id ORDER BY o.order_id LIMIT 20"
    fi
    "${psql_as[@]}" -d fixture -c "ANALYZE"
fi

# ---- section 2: one chat turn with list_tables vs the sum of its parts -------------------------
if has 2; then
    [[ -f $work/pgassist.pid ]] || { start_pgassist 2 2 "$port_pg" > /dev/null; curl -fsS -X POST \
        "http://127.0.0.1:$port_pg/api/ai/assistant/setup" -H 'Content-Type: application/json' -d '{}' > /dev/null; }
    say "2: $chat_turns chat turns (model → list_tables → model), then the parts alone"
    chat=$(bench_py chat --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" --db "$(conn fixture)" \
        --turns "$chat_turns" --replays "$chat_replays" --parent "$(pid_of pgassist)")
    bench_py capture --log-dir "$pg_log_dir" --out "$work/list_tables-fixture.sql" -- \
        "$bin" tool list_tables --db "$(capture_conn fixture)" > /dev/null
    catalog=$(bench_py psql-timing --runs "$catalog_runs" --script "$work/list_tables-fixture.sql" -- "${psql_as[@]}" -d fixture)
    e2e=$(field "$chat" p50_ms); rt1=$(field "$chat" model_rt1_ms); rt2=$(field "$chat" model_rt2_ms)
    cat_ms=$(field "$catalog" p50_ms)
    parts=$(calc "$rt1 + $rt2 + $cat_ms")
    row 2 "chat turn p50 ms vs model RT $rt1 + $rt2 + catalog $cat_ms ($(field "$catalog" statements) stmts)" \
        "$e2e" "$parts" "+$(calc "($e2e - $parts) / $parts * 100")%" "≤ +10%" "$(met "$e2e <= 1.1 * $parts")"
    row 2 "chat turn overhead ms (p90 $(field "$chat" p90_ms) ms; worker CPU $(field "$chat" worker_cpu_ms_per_turn) ms/turn)" \
        "$(calc "$e2e - $parts")" "" "" "" ""
    # The same turns with the thread store on PostgreSQL (fsync on), to separate the store's share.
    "${psql_as[@]}" -d postgres -c "CREATE DATABASE store" > /dev/null 2>&1 || true
    durable on
    store_url=$pg_store
    stop_backend pgassist
    start_pgassist 2 2 "$port_pg" > /dev/null
    curl -fsS -X POST "http://127.0.0.1:$port_pg/api/ai/assistant/setup" -H 'Content-Type: application/json' -d '{}' > /dev/null
    chat_pg=$(bench_py chat --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" --db "$(conn fixture)" \
        --turns "$chat_turns" --replays 3 --parent "$(pid_of pgassist)")
    e2e_pg=$(field "$chat_pg" p50_ms)
    row 2 "same, store on PostgreSQL (fsync on; worker CPU $(field "$chat_pg" worker_cpu_ms_per_turn) ms/turn): p50 ms" "$e2e_pg" "$parts" \
        "+$(calc "($e2e_pg - $parts) / $parts * 100")%" "≤ +10%" "$(met "$e2e_pg <= 1.1 * $parts")"
    durable off
    # The same turns on SQLite with SQLITE_SYNCHRONOUS=normal (commits reach the disk at checkpoints, not one
    # fdatasync each): what is left over the parts is the service's own work.
    store_url=$sqlite_store
    stop_backend pgassist
    pool_env+=(SQLITE_SYNCHRONOUS=normal)
    start_pgassist 2 2 "$port_pg" > /dev/null
    chat_normal=$(bench_py chat --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" --db "$(conn fixture)" \
        --turns "$chat_turns" --replays 3 --parent "$(pid_of pgassist)")
    e2e_normal=$(field "$chat_normal" p50_ms)
    row 2 "same, SQLITE_SYNCHRONOUS=normal (worker CPU $(field "$chat_normal" worker_cpu_ms_per_turn) ms/turn): p50 ms" \
        "$e2e_normal" "$parts" "+$(calc "($e2e_normal - $parts) / $parts * 100")%" "≤ +10%" "$(met "$e2e_normal <= 1.1 * $parts")"
    unset 'pool_env[${#pool_env[@]}-1]'
    stop_backend pgassist
    start_pgassist 2 2 "$port_pg" > /dev/null
    # Where the overhead goes: the SQLite store commits with synchronous=FULL, one fdatasync each.
    fsync_ms=$(python3 - "$work" <<'PY'
import os, statistics, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
samples = []
for i in range(40):
    os.pwrite(fd, os.urandom(4096), (i % 8) * 4096)
    started = time.perf_counter()
    os.fdatasync(fd)
    samples.append(time.perf_counter() - started)
os.close(fd)
os.unlink(path)
print(round(statistics.median(samples) * 1000, 2))
PY
)
    if command -v strace > /dev/null; then
        strace_args=()
        for worker in $(cat /proc/"$(pid_of pgassist)"/task/*/children); do strace_args+=(-p "$worker"); done
        strace -f -qq -c -e trace=fdatasync,fsync -o "$work/strace-fsync.txt" "${strace_args[@]}" &
        strace_pid=$!
        sleep 1
        bench_py chat --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" --db "$(conn fixture)" \
            --turns 4 --warmup 0 --replays 1 > /dev/null
        kill -INT "$strace_pid"; wait "$strace_pid" || true
        syncs=$(awk '$NF == "fdatasync" || $NF == "fsync" {n += $4} END {print n + 0}' "$work/strace-fsync.txt")
        row 2 "store fdatasyncs per turn × p50 fdatasync ms here (strace, 4 turns)" "$(calc "$syncs / 4")" \
            "$fsync_ms" "≈ $(calc "$syncs / 4 * $fsync_ms") ms" "" ""
    else
        row 2 "p50 fdatasync ms on the store's disk (install strace to count them per turn)" "$fsync_ms" "" "" "" ""
    fi
fi

# ---- section 5: SQL guard vs the whole run_sql call --------------------------------------------
if has 5; then
    say "5: guard alone vs run_sql (in-process, warm connection) vs pgassist tool run_sql (process)"
    if ! "$bin" bench-guard --help > /dev/null 2>&1; then
        say "5: this binary has no bench-guard command: skipped"
    else
        for name in select1 join3; do
            if [[ $name == select1 ]]; then sql="SELECT 1"; label="SELECT 1"; else sql=$join_sql; label="3-table join"; fi
            guard=$("$bin" bench-guard --sql "$sql" --db "$(conn fixture)" --iterations "$guard_iterations")
            args=$(python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$sql")
            cli=$(bench_py timeit --runs "$tool_runs" -- "$bin" tool run_sql --db "$(conn fixture)" --args "$args")
            g=$(field "$guard" guard_us_p50); t=$(field "$guard" tool_us_p50); c=$(calc "$(field "$cli" p50_ms) * 1000")
            row 5 "$label: guard µs vs run_sql in-process µs (p50)" "$g" "$t" "$(calc "$g / $t * 100")%" "" ""
            row 5 "$label: guard µs vs \`pgassist tool run_sql\` µs (process)" "$g" "$c" "$(calc "$g / $c * 100")%" "" ""
        done
    fi
fi

# ---- section 3: 512 simultaneous chats against a 2 s model --------------------------------------
if has 3; then
    "${psql_as[@]}" -d postgres -c "CREATE DATABASE store" > /dev/null 2>&1 || true
    durable on
    for setting in $burst_settings; do
        store=${setting%%:*}; shape=${setting#*:}
        workers=${shape%x*}; threads=${shape#*x}
        if [[ $store == postgres ]]; then store_url=$pg_store; else store_url=$sqlite_store; fi
        stop_backend pgassist
        start_pgassist "$workers" "$threads" "$port_pg" > /dev/null
        curl -fsS -X POST "http://127.0.0.1:$port_pg/api/ai/assistant/setup" -H 'Content-Type: application/json' -d '{}' > /dev/null
        rounds=$(( (burst_count + workers * threads - 1) / (workers * threads) ))
        say "3: $burst_count chats at once, model ${burst_delay_ms} ms, $store store, $workers×$threads ($rounds round(s))"
        # Twice: the first burst also opens every thread's store connection (cold), the second is warm.
        cold=$(bench_py burst --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" \
            --count "$burst_count" --delay-ms "$burst_delay_ms" --parent "$(pid_of pgassist)")
        burst=$(bench_py burst --base "http://127.0.0.1:$port_pg/api/ai/assistant" --fake "$fake" \
            --count "$burst_count" --delay-ms "$burst_delay_ms" --parent "$(pid_of pgassist)" --save-body "$work/model-request.json")
        if [[ ! -f $work/fake-alone.json ]]; then
            # The fake model (Python) has a cost of its own at 512 at once: measure it alone, same burst.
            bench_py burst-direct --fake "$fake" --body "$work/model-request.json" --count "$burst_count" \
                --delay-ms "$burst_delay_ms" > "$work/fake-alone.json"
            alone=$(cat "$work/fake-alone.json")
            row 3 "the fake model alone, same $burst_count requests at once: ok, wall s" \
                "" "$(field "$alone" ok) ok, $(field "$alone" wall_s) s" "" "" ""
        fi
        ideal=$(calc "$burst_delay_ms / 1000 * $rounds")
        ok=$(field "$burst" ok); ok_cold=$(field "$cold" ok)
        rss=$(calc "max($(field "$burst" peak_rss_total_mib), $(field "$cold" peak_rss_total_mib))")
        failed=$(field "$burst" failed_statuses)
        [[ $failed == "{}" ]] && failed="" || failed=" (failed: ${failed//\"/})"
        row 3 "$store $workers×$threads: ok of $burst_count, wall s vs ideal (cold: $ok_cold ok, $(field "$cold" wall_s) s)${failed}" \
            "$ok ok, $(field "$burst" wall_s) s" "$ideal s" "$(calc "$(field "$burst" wall_s) / $ideal")×" "all ok" \
            "$(met "$ok == $burst_count and $ok_cold == $burst_count")"
        row 3 "$store $workers×$threads: peak RSS of all workers MiB" "$rss" "1024" "$(calc "$rss / 1024 * 100")%" "≤ 1 GiB" \
            "$(met "$rss <= 1024")"
    done
    durable off
    store_url=$sqlite_store
    stop_backend pgassist
fi

# ---- section 6: schema tools on a database with many tables -------------------------------------
if has 6; then
    say "6: creating $tables tables"
    "${psql_as[@]}" -d postgres -c "CREATE DATABASE many"
    "${psql_as[@]}" -d many > /dev/null <<SQL
SELECT format('CREATE TABLE public.t%s (id integer PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())',
              lpad(i::text, 5, '0'))
  FROM generate_series(1, $tables) i \gexec
ANALYZE;
SQL
    middle=$(printf 't%05d' $(( tables / 2 )))
    for case in "list_tables|{}" "get_schema|{\"table\": \"$middle\"}" "get_schema (unknown name)|{\"table\": \"${middle}x\"}"; do
        label=${case%%|*}; args=${case#*|}; tool=${label%% *}
        script="$work/$tool-$RANDOM.sql"
        bench_py capture --log-dir "$pg_log_dir" --out "$script" --allow-exit 1 -- \
            "$bin" tool "$tool" --db "$(capture_conn many)" --args "$args" > /dev/null
        ours=$(bench_py timeit --runs "$tool_runs" --allow-exit 1 -- "$bin" tool "$tool" --db "$(conn many)" --args "$args")
        theirs=$(bench_py timeit --runs "$tool_runs" -- "${psql_as[@]}" -d many -o /dev/null -f "$script")
        server=$(bench_py psql-timing --runs "$catalog_runs" --script "$script" -- "${psql_as[@]}" -d many)
        o=$(field "$ours" p50_ms); p=$(field "$theirs" p50_ms)
        row 6 "$label, $tables tables: ms (psql same SQL; queries alone $(field "$server" p50_ms) ms)" "$o" "$p" \
            "$(calc "$o / $p")×" "" ""
        row 6 "$label output bytes (budget 32768)" "$(field "$ours" stdout_bytes)" "" "" "≤ 32768" \
            "$(met "$(field "$ours" stdout_bytes) <= 32768 + 200")"
    done
fi

stop_backend pgassist

# ---------------------------------------------------------------------------------------------
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average at the start $load_before, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
table=$(python3 - "$rows" "$machine" "$quick" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
head = ["#", "measure", "pgassist", "baseline", "ratio", "target", "met"]
print(f"Machine: {sys.argv[2]}. Mode: {'quick' if sys.argv[3] == '1' else 'full'}.")
print()
widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(head))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
PY
)
echo
echo "$table"
if [[ -f $work/ldd.txt ]]; then echo; echo "ldd $bin: $(cat "$work/ldd.txt")"; fi
[[ -z ${BENCH_OUT:-} ]] || { echo "$table"; [[ -f $work/ldd.txt ]] && echo && echo "ldd: $(cat "$work/ldd.txt")"; } > "$BENCH_OUT"
