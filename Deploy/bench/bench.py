#!/usr/bin/env python3
"""Measurements for Deploy/bench/run.sh that are easier in Python than in bash.

Every subcommand prints one JSON object on stdout (times in milliseconds, sizes in bytes or MiB,
as the key says). Standard library only.

    wrk FILE                                   parse wrk --latency output
    rss --parent PID | --pids PID...           RSS and PSS of a pool's workers (children of PID)
    first-answer --url U --pid-file F --log L -- CMD...
                                               start CMD (new session), time until U answers 200
    count --url U --count N                    exactly N GETs (keep-alive, 8 at a time), all 200
    timeit --runs N -- CMD...                  wall time of a command (p50), and its output size
    capture --log-dir D --out F -- CMD...      SQL statements CMD sent (from PostgreSQL's jsonlog),
                                               parameters inlined, written as a psql script
    psql-timing --runs N --script F -- PSQL... statements of F run N times in one session: p50 of
                                               the per-run sum of \\timing (server round trips)
    chat --base U --fake U --db CONN --turns N sequential chat turns with one list_tables call,
                                               then the fake's two round trips replayed alone
    burst --base U --fake U --count N --delay-ms D --parent PID
                                               N simultaneous chat requests, worker RSS sampled
    burst-direct --fake U --body F --count N   the same burst straight at the fake model
"""

import argparse
import glob
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse


def emit(value):
    print(json.dumps(value), flush=True)


def percentile(samples, fraction):
    ordered = sorted(samples)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def ms(seconds):
    return round(seconds * 1000, 3)


# ------------------------------------------------------------------------------------------------
# wrk

def cmd_wrk(options):
    text = open(options.file, encoding="utf-8", errors="replace").read()
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

    def latency(label):
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        return round(float(match.group(1)) * units[match.group(2)], 3) if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    emit({
        "rps": float(rps.group(1)) if rps else None,
        "requests": int(total.group(1)) if total else None,
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0),
    })


# ------------------------------------------------------------------------------------------------
# memory

def children(pid):
    found = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            found += [int(part) for part in open(path).read().split()]
        except OSError:
            pass
    return found


def status_kib(pid, field):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def pss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def memory(pids):
    rss = [value for value in (status_kib(pid, "VmRSS") for pid in pids) if value is not None]
    pss = [value for value in (pss_kib(pid) for pid in pids) if value is not None]
    return {
        "workers": len(rss),
        "rss_total_mib": round(sum(rss) / 1024, 1),
        "rss_max_mib": round(max(rss) / 1024, 1) if rss else None,
        "pss_total_mib": round(sum(pss) / 1024, 1),
        "pss_max_mib": round(max(pss) / 1024, 1) if pss else None,
    }


def cmd_rss(options):
    pids = options.pids or children(options.parent)
    emit(memory(pids))


# ------------------------------------------------------------------------------------------------
# processes

def http_get_status(url, timeout=2.0):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def cmd_first_answer(options):
    log = open(options.log, "ab")
    started = time.perf_counter()
    process = subprocess.Popen(options.command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(options.pid_file, "w") as file:
        file.write(f"{process.pid}\n")
    attempts = 0
    while time.perf_counter() - started < options.timeout:
        attempts += 1
        if http_get_status(options.url) == 200:
            emit({"first_answer_ms": ms(time.perf_counter() - started), "attempts": attempts, "pid": process.pid})
            return
        if process.poll() is not None:
            break
        time.sleep(0.002)
    emit({"first_answer_ms": None, "attempts": attempts, "pid": process.pid, "exited": process.poll()})
    sys.exit(1)


def cmd_timeit(options):
    samples, size = [], 0
    for _ in range(options.runs):
        started = time.perf_counter()
        result = subprocess.run(options.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - started)
        if result.returncode not in [0] + options.allow_exit:
            sys.stderr.write(result.stderr.decode(errors="replace")[-2000:] + result.stdout.decode(errors="replace")[-2000:])
            emit({"error": f"exit {result.returncode}"})
            sys.exit(1)
        size = len(result.stdout)
    emit({"p50_ms": ms(statistics.median(samples)), "min_ms": ms(min(samples)), "runs": len(samples), "stdout_bytes": size})


def cmd_count(options):
    """Exactly `count` GETs of `url` over `concurrency` keep-alive connections; all must be 200."""
    parts = urllib.parse.urlsplit(options.url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    lock = threading.Lock()
    state = {"left": options.count, "bad": 0}

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while True:
            with lock:
                if state["left"] == 0:
                    break
                state["left"] -= 1
            connection.request("GET", target)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                with lock:
                    state["bad"] += 1
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(options.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    emit({"requests": options.count, "not_200": state["bad"], "seconds": round(time.perf_counter() - started, 2)})
    if state["bad"]:
        sys.exit(1)


# ------------------------------------------------------------------------------------------------
# PostgreSQL statements

PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def cmd_capture(options):
    """Runs the command with statement logging on for its own session (the caller puts
    `options='-c log_statement=all'` in its connection string), then reads what it sent."""
    files = sorted(glob.glob(os.path.join(options.log_dir, "*.json")))
    offsets = {path: os.path.getsize(path) for path in files}
    result = subprocess.run(options.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode not in [0] + options.allow_exit:
        sys.stderr.write(result.stderr.decode(errors="replace") + result.stdout.decode(errors="replace")[-2000:])
        sys.exit(1)
    time.sleep(0.5)  # the logging collector writes asynchronously
    statements = []
    for path in sorted(glob.glob(os.path.join(options.log_dir, "*.json"))):
        with open(path, encoding="utf-8") as file:
            file.seek(offsets.get(path, 0))
            for line in file:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                message = entry.get("message", "")
                match = re.match(r"(?:statement|execute [^:]*): (.*)", message, re.S)
                if not match:
                    continue
                sql = match.group(1)
                detail = entry.get("detail", "") or ""
                if detail.startswith("parameters: "):
                    values = {int(number): value for number, value in PARAMETER.findall(detail)}
                    sql = re.sub(r"\$(\d+)", lambda m: values.get(int(m.group(1)), m.group(0)), sql)
                statements.append(sql.strip().rstrip(";"))
    if not statements:
        sys.stderr.write("capture: no statements were logged\n")
        sys.exit(1)
    with open(options.out, "w", encoding="utf-8") as file:
        for sql in statements:
            file.write(sql + ";\n")
    emit({"statements": len(statements), "first": statements[0][:60], "stdout_bytes": len(result.stdout)})


def cmd_psql_timing(options):
    """Runs the script `runs` times in one psql session with \\timing and returns the p50 of the
    per-run sum (each statement's round trip as psql's client sees it, without connecting)."""
    script = open(options.script, encoding="utf-8").read()
    per_run = script.count(";\n")
    text = "\\timing on\n" + script * options.runs
    result = subprocess.run(options.psql + ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=text.encode(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        sys.stderr.write(result.stderr.decode(errors="replace")[-3000:])
        sys.exit(1)
    times = [float(value) for value in re.findall(r"^Time: ([\d.]+) ms", result.stdout.decode(errors="replace"), re.M)]
    if len(times) != per_run * options.runs:
        sys.stderr.write(f"psql-timing: expected {per_run * options.runs} timings, got {len(times)}\n")
        sys.exit(1)
    sums = [sum(times[i * per_run:(i + 1) * per_run]) for i in range(options.runs)]
    # The first run plans cold; the p50 is over all runs.
    emit({"p50_ms": round(statistics.median(sums), 3), "statements": per_run, "runs": options.runs})


# ------------------------------------------------------------------------------------------------
# HTTP helpers

def request(base, method, path, body=None, headers=None, timeout=120):
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        all_headers.update(headers or {})
        connection.request(method, parts.path.rstrip("/") + path, body=data, headers=all_headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, payload
    finally:
        connection.close()


def script_fake(fake, steps):
    status, payload = request(fake, "POST", "/__script", {"steps": steps})
    if status != 200:
        raise SystemExit(f"scripting the fake model failed: {status} {payload[:200]!r}")


def cpu_seconds(pids):
    """User + system CPU time of these processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def cmd_chat(options):
    """Sequential turns, each a new user's first message: the model calls list_tables once, then answers."""
    request(options.fake, "POST", "/__reset", {})
    workers = children(options.parent) if options.parent else []
    cpu_before = None
    steps = [{"toolCalls": [{"name": "list_tables", "arguments": "{}"}]}, {"text": "You have a few tables."}]
    samples, failures = [], []
    for turn in range(options.warmup + options.turns):
        if turn == options.warmup:
            cpu_before = cpu_seconds(workers)
        script_fake(options.fake, steps)
        body = {"userId": f"chat-{os.getpid()}-{turn}", "projectRef": "bench", "connectionString": options.db,
                "message": "Which tables do I have?"}
        started = time.perf_counter()
        status, payload = request(options.base, "POST", "/chat", body)
        elapsed = time.perf_counter() - started
        answer = json.loads(payload) if payload.startswith(b"{") else {}
        calls = answer.get("toolCalls") or []
        if status != 200 or answer.get("status") != "completed" or len(calls) != 1 or not calls[0].get("success"):
            failures.append(f"{status} {payload[:300]!r}")
            continue
        if turn >= options.warmup:
            samples.append(elapsed)
    cpu_after = cpu_seconds(workers)
    if failures:
        sys.stderr.write("chat: failed turns:\n" + "\n".join(failures[:5]) + "\n")
        if not samples:
            sys.exit(1)

    # The same two model requests (as pgassist sent them in the last turn), replayed alone.
    status, payload = request(options.fake, "GET", "/__requests")
    model_calls = [entry for entry in json.loads(payload) if entry["path"].endswith(("/responses", "/chat/completions"))]
    last_two = model_calls[-2:]
    round_trips = []
    for number, entry in enumerate(last_two):
        headers = {name: value for name, value in entry["headers"].items()
                   if name.lower() in ("content-type", "accept", "openai-beta")}
        headers["Authorization"] = "Bearer " + options.api_key
        raw = json.dumps(entry["body"]).encode()
        path = urllib.parse.urlsplit(entry["path"]).path
        fake = urllib.parse.urlsplit(options.fake)
        times = []
        for _ in range(options.replays + 3):
            script_fake(options.fake, [steps[number]])
            connection = http.client.HTTPConnection(fake.hostname, fake.port, timeout=30)
            started = time.perf_counter()
            connection.request("POST", path, body=raw, headers=headers)
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            connection.close()
            if response.status != 200:
                raise SystemExit(f"replaying model call {number + 1} failed: {response.status}")
        round_trips.append(statistics.median(times[3:]))
    request(options.fake, "POST", "/__reset", {})
    emit({
        "turns": len(samples), "failed": len(failures),
        "p50_ms": ms(statistics.median(samples)), "p90_ms": ms(percentile(samples, 0.9)),
        "model_rt1_ms": ms(round_trips[0]), "model_rt2_ms": ms(round_trips[1]),
        "request_bytes": [len(json.dumps(entry["body"])) for entry in last_two],
        "worker_cpu_ms_per_turn": round((cpu_after - cpu_before) * 1000 / max(1, len(samples)), 1) if workers else None,
    })


def cmd_burst(options):
    """`count` chat requests at once (distinct users, no database), the model taking delay_ms per call."""
    request(options.fake, "POST", "/__reset", {})
    script_fake(options.fake, [{"text": "ok", "delayMs": options.delay_ms} for _ in range(options.count)])
    barrier = threading.Barrier(options.count + 1)
    results = [None] * options.count
    tag = f"{os.getpid()}-{int(time.time())}"

    def one(index):
        body = {"userId": f"burst-{tag}-{index}", "projectRef": "bench", "message": "Say ok."}
        data = json.dumps(body).encode()
        parts = urllib.parse.urlsplit(options.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
        barrier.wait()
        started = time.perf_counter()
        try:
            connection.request("POST", parts.path.rstrip("/") + "/chat", body=data,
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = response.read()
            ok = response.status == 200 and json.loads(payload).get("status") == "completed"
            results[index] = (ok, response.status, time.perf_counter() - started, payload[:200])
        except (OSError, ValueError, http.client.HTTPException) as error:
            results[index] = (False, None, time.perf_counter() - started, repr(error).encode())
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index,), daemon=True) for index in range(options.count)]
    for thread in threads:
        thread.start()
    peak = {"rss_total_mib": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            current = memory(children(options.parent))
            if current["rss_total_mib"] > peak["rss_total_mib"]:
                peak.update(current)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    barrier.wait()
    started = time.perf_counter()
    sampler.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = memory(children(options.parent))
    succeeded = [result for result in results if result and result[0]]
    failed = [result for result in results if not result or not result[0]]
    statuses = {}
    for result in failed:
        key = str(result[1] if result else None)
        statuses[key] = statuses.get(key, 0) + 1
    if failed:
        sys.stderr.write("burst: first failures: " + "; ".join(repr(r[3]) for r in failed[:3] if r) + "\n")
    if options.save_body:
        status, payload = request(options.fake, "GET", "/__requests")
        calls = [entry for entry in json.loads(payload) if entry["path"].endswith(("/responses", "/chat/completions"))]
        if calls:
            with open(options.save_body, "w") as file:
                json.dump({"path": urllib.parse.urlsplit(calls[-1]["path"]).path, "body": calls[-1]["body"]}, file)
    request(options.fake, "POST", "/__reset", {})
    latencies = [result[2] for result in succeeded]
    emit({
        "count": options.count, "ok": len(succeeded), "failed": len(failed), "failed_statuses": statuses,
        "wall_s": round(wall, 3),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "peak_rss_total_mib": peak["rss_total_mib"], "peak_workers": peak.get("workers"),
        "after_rss_total_mib": after["rss_total_mib"],
    })


def cmd_burst_direct(options):
    """The fake model alone under the same burst: `count` copies of a recorded model request at once."""
    saved = json.load(open(options.body))
    raw = json.dumps(saved["body"]).encode()
    request(options.fake, "POST", "/__reset", {})
    script_fake(options.fake, [{"text": "ok", "delayMs": options.delay_ms} for _ in range(options.count)])
    fake = urllib.parse.urlsplit(options.fake)
    barrier = threading.Barrier(options.count + 1)
    results = [False] * options.count

    def one(index):
        connection = http.client.HTTPConnection(fake.hostname, fake.port, timeout=300)
        barrier.wait()
        try:
            connection.request("POST", saved["path"], body=raw,
                               headers={"Content-Type": "application/json", "Authorization": "Bearer " + options.api_key})
            response = connection.getresponse()
            response.read()
            results[index] = response.status == 200
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index,), daemon=True) for index in range(options.count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    request(options.fake, "POST", "/__reset", {})
    emit({"count": options.count, "ok": sum(results), "wall_s": round(wall, 3)})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    wrk = commands.add_parser("wrk")
    wrk.add_argument("file")
    wrk.set_defaults(run=cmd_wrk)

    rss = commands.add_parser("rss")
    rss.add_argument("--parent", type=int)
    rss.add_argument("--pids", type=int, nargs="*")
    rss.set_defaults(run=cmd_rss)

    first = commands.add_parser("first-answer")
    first.add_argument("--url", required=True)
    first.add_argument("--pid-file", required=True)
    first.add_argument("--log", required=True)
    first.add_argument("--timeout", type=float, default=30)
    first.add_argument("command", nargs="+")
    first.set_defaults(run=cmd_first_answer)

    timeit = commands.add_parser("timeit")
    timeit.add_argument("--runs", type=int, default=10)
    timeit.add_argument("--allow-exit", type=int, action="append", default=[], help="another accepted exit status")
    timeit.add_argument("command", nargs="+")
    timeit.set_defaults(run=cmd_timeit)

    count = commands.add_parser("count")
    count.add_argument("--url", required=True)
    count.add_argument("--count", type=int, default=10000)
    count.add_argument("--concurrency", type=int, default=8)
    count.set_defaults(run=cmd_count)

    capture = commands.add_parser("capture")
    capture.add_argument("--log-dir", required=True)
    capture.add_argument("--out", required=True)
    capture.add_argument("--allow-exit", type=int, action="append", default=[], help="another accepted exit status")
    capture.add_argument("command", nargs="+")
    capture.set_defaults(run=cmd_capture)

    timing = commands.add_parser("psql-timing")
    timing.add_argument("--runs", type=int, default=20)
    timing.add_argument("--script", required=True)
    timing.add_argument("psql", nargs="+")
    timing.set_defaults(run=cmd_psql_timing)

    chat = commands.add_parser("chat")
    chat.add_argument("--base", required=True)
    chat.add_argument("--fake", required=True)
    chat.add_argument("--db", required=True)
    chat.add_argument("--turns", type=int, default=50)
    chat.add_argument("--warmup", type=int, default=3)
    chat.add_argument("--replays", type=int, default=30)
    chat.add_argument("--api-key", default="sk-test")
    chat.add_argument("--parent", type=int, help="the worker pool's pid: also report the workers' CPU time per turn")
    chat.set_defaults(run=cmd_chat)

    burst = commands.add_parser("burst")
    burst.add_argument("--base", required=True)
    burst.add_argument("--fake", required=True)
    burst.add_argument("--count", type=int, default=512)
    burst.add_argument("--delay-ms", type=int, default=2000)
    burst.add_argument("--parent", type=int, required=True)
    burst.add_argument("--save-body", help="keep the last model request here (for burst-direct)")
    burst.set_defaults(run=cmd_burst)

    direct = commands.add_parser("burst-direct")
    direct.add_argument("--fake", required=True)
    direct.add_argument("--body", required=True)
    direct.add_argument("--count", type=int, default=512)
    direct.add_argument("--delay-ms", type=int, default=2000)
    direct.add_argument("--api-key", default="sk-test")
    direct.set_defaults(run=cmd_burst_direct)

    options = parser.parse_args()
    options.run(options)


if __name__ == "__main__":
    main()
