#!/usr/bin/env python3
"""Steady mixed load on a running pgassist for Deploy/bench/soak.sh (standard library only).

Each client thread is one user with its own Authorization header (so nginx's per-client request limit
counts users separately) and loops until the time is up, choosing by weight:
    GET    /thread?userId=U                    (thread summary)
    GET    /thread?userId=U&messages=1&limit=20 (last messages)
    POST   /chat  {"message", "connectionString"} (one chat turn; the fake model calls a tool, then answers)
and every --turns-per-thread chat turns it deletes the thread (DELETE /thread), as a user starting a new
conversation does, so that histories stay realistic in size.

At the end it prints requests served, errors by status and code, p50/p99 latency per endpoint and the
workers' resident memory (VmRSS from /proc) at the start, every 10 s (their total) and at the end.

Usage: soak_load.py --base-url http://127.0.0.1:PORT --database-url URL --seconds 60 --clients 8
                    --launcher-pid PID [--turns-per-thread 10] [--chat-share 0.4] [--json REPORT.json]
"""

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

API = "/api/ai/assistant"


def worker_pids(launcher_pid):
    """The pgassist workers: the children of multiwatch (the launcher's pid after its execs)."""
    try:
        with open(f"/proc/{launcher_pid}/task/{launcher_pid}/children", encoding="ascii") as file:
            return sorted(int(pid) for pid in file.read().split())
    except OSError:
        return []


def rss_kib(pid):
    """VmRSS of a process in KiB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as file:
            for line in file:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory_snapshot(launcher_pid):
    return {pid: rss_kib(pid) for pid in worker_pids(launcher_pid)}


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, int(round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


class Results:
    """Latencies and outcomes of every request, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}   # endpoint -> [seconds]
        self.outcomes = {}    # (endpoint, status, code) -> count

    def add(self, endpoint, seconds, status, code):
        with self.lock:
            self.latencies.setdefault(endpoint, []).append(seconds)
            key = (endpoint, status, code)
            self.outcomes[key] = self.outcomes.get(key, 0) + 1


class Client(threading.Thread):
    """One simulated user on its own keep-alive connection to nginx."""

    def __init__(self, index, options, results, stop_at, rng_seed):
        super().__init__(daemon=True)
        self.user = f"soak-user-{index}"
        self.options = options
        self.results = results
        self.stop_at = stop_at
        self.random = random.Random(rng_seed)
        parsed = urllib.parse.urlsplit(options.base_url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.connection = None
        self.turns_on_thread = 0
        self.turn = 0

    def request(self, endpoint, method, path, body=None):
        headers = {"Authorization": f"Bearer {self.user}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        status, code = None, None
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                break
            except (http.client.HTTPException, OSError) as error:
                # A keep-alive connection nginx closed between requests: reconnect once.
                if self.connection is not None:
                    self.connection.close()
                    self.connection = None
                if attempt == 1:
                    status, code = 0, type(error).__name__
        elapsed = time.monotonic() - started
        if status and status >= 400:
            try:
                code = json.loads(payload).get("code")
            except (ValueError, AttributeError):
                code = "not_json"
        self.results.add(endpoint, elapsed, status, code)
        return status

    def run(self):
        query = urllib.parse.quote(self.user)
        while time.monotonic() < self.stop_at:
            roll = self.random.random()
            if roll < self.options.chat_share:
                self.turn += 1
                body = {"userId": self.user, "projectRef": "soak", "connectionString": self.options.database_url,
                        "message": f"Turn {self.turn}: which tables are there?"}
                if self.request("POST /chat", "POST", f"{API}/chat", body) == 200:
                    self.turns_on_thread += 1
                if self.turns_on_thread >= self.options.turns_per_thread:
                    self.request("DELETE /thread", "DELETE", f"{API}/thread?userId={query}")
                    self.turns_on_thread = 0
            elif roll < self.options.chat_share + (1 - self.options.chat_share) / 2:
                self.request("GET /thread", "GET", f"{API}/thread?userId={query}")
            else:
                self.request("GET /thread?messages", "GET", f"{API}/thread?userId={query}&messages=1&limit=20")


def main():
    parser = argparse.ArgumentParser(description="Steady mixed load on pgassist through nginx.")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--database-url", required=True, help="the connectionString chat turns send")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--chat-share", type=float, default=0.4, help="share of requests that are chat turns")
    parser.add_argument("--turns-per-thread", type=int, default=10, help="chat turns before the user deletes the thread")
    parser.add_argument("--launcher-pid", type=int, required=True, help="multiwatch's pid (its children are the workers)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures as JSON here")
    options = parser.parse_args()

    before = memory_snapshot(options.launcher_pid)
    results = Results()
    started = time.monotonic()
    stop_at = started + options.seconds
    clients = [Client(index, options, results, stop_at, options.seed * 1000 + index) for index in range(options.clients)]
    for client in clients:
        client.start()
    # Total worker RSS every 10 s: growth that levels off is warm-up (connections, caches), growth that
    # goes on is a leak.
    samples = []
    while any(client.is_alive() for client in clients):
        for client in clients:
            client.join(timeout=max(0.0, started + 10 * (len(samples) + 1) - time.monotonic()))
        if any(client.is_alive() for client in clients):
            values = [value for value in memory_snapshot(options.launcher_pid).values() if value is not None]
            samples.append([round(time.monotonic() - started), sum(values)])
    elapsed = time.monotonic() - started
    after = memory_snapshot(options.launcher_pid)

    report = summarize(results, elapsed, before, after, options)
    report["rss_kib_total_every_10s"] = samples
    print(render(report))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=2)
    return 0 if report["served"] > 0 else 1


def summarize(results, elapsed, before, after, options):
    endpoints = {}
    for endpoint, values in sorted(results.latencies.items()):
        values.sort()
        endpoints[endpoint] = {"count": len(values), "p50_ms": round(percentile(values, 0.50) * 1000, 1),
                               "p99_ms": round(percentile(values, 0.99) * 1000, 1),
                               "max_ms": round(values[-1] * 1000, 1)}
    errors = {}
    served = 0
    for (endpoint, status, code), count in results.outcomes.items():
        if status and 200 <= status < 300:
            served += count
        else:
            key = f"{status} {code or ''}".strip()
            errors[key] = errors.get(key, 0) + count
    return {
        "seconds": round(elapsed, 1), "clients": options.clients, "served": served,
        "requests": sum(results.outcomes.values()), "per_second": round(sum(results.outcomes.values()) / elapsed, 1),
        "errors": errors, "endpoints": endpoints,
        "rss_kib_start": {str(pid): value for pid, value in before.items()},
        "rss_kib_end": {str(pid): value for pid, value in after.items()},
        "workers_replaced": sorted(set(before) ^ set(after)) != [],
    }


def render(report):
    lines = [f"requests: {report['requests']} in {report['seconds']} s ({report['per_second']}/s) from "
             f"{report['clients']} clients; served (2xx): {report['served']}"]
    if report["errors"]:
        lines.append("errors: " + ", ".join(f"{key}: {count}" for key, count in sorted(report["errors"].items())))
    else:
        lines.append("errors: none")
    lines.append(f"{'endpoint':<24}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for endpoint, figures in report["endpoints"].items():
        lines.append(f"{endpoint:<24}{figures['count']:>8}{figures['p50_ms']:>10}{figures['p99_ms']:>10}{figures['max_ms']:>10}")

    def memory(snapshot):
        values = [value for value in snapshot.values() if value is not None]
        listed = ", ".join(f"{pid}: {value / 1024:.1f} MiB" for pid, value in snapshot.items() if value is not None)
        return f"{sum(values) / 1024:.1f} MiB total ({listed})" if values else "no workers found"

    lines.append(f"worker RSS at start: {memory(report['rss_kib_start'])}")
    lines.append(f"worker RSS at end:   {memory(report['rss_kib_end'])}")
    if report.get("rss_kib_total_every_10s"):
        lines.append("worker RSS total every 10 s: " + ", ".join(
            f"{seconds} s {kib / 1024:.1f} MiB" for seconds, kib in report["rss_kib_total_every_10s"]))
    if report["workers_replaced"]:
        lines.append("note: the set of worker pids changed during the run (a worker died or was recycled)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
