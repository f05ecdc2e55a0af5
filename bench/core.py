"""Core and HTTP throughput. Prints one JSON object.

    python bench/core.py [--seconds 5]

core_commands_per_s: issue + call-next + finish through the gateway on the in-memory store.
http_issue_*: durable ticket issues over HTTP against a real `hall serve` process (gevent), by
N keep-alive clients in another process, on SQLite (synchronous=FULL) and on Redis
(appendfsync always). Figures compare within one run; the machine is shared and noisy.
"""
import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from hall.centre import Hall  # noqa: E402
from hall.store.memory import MemoryStore  # noqa: E402
from tests.helpers import Clock, HallServer, RedisServer, always_open, small_center  # noqa: E402


def bench_core(seconds):
    clock = Clock()
    hall = Hall(MemoryStore(), clock=clock, snapshot_every=float("inf"))
    n = [0]

    def run(name, **args):
        result, _, _ = hall.execute("east", name, args, by="bench")
        n[0] += 1
        return result

    config = always_open(small_center("east"))
    config["queues"][0]["daily_quota"] = None
    run("configure", config=config)
    state = hall.state("east")
    for w in (1, 2, 3):
        run("open", window=w)
    n[0] = 0
    i = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(1000):
            i += 1
            run("issue", queue="general", ticket_id=f"east.{i}")
            w = 1 + i % 3
            if state.windows[w].ticket:
                run("finish", window=w)
            run("call-next", window=w)
        clock.advance(1)
        if len(state.tickets) > 20000:      # a day is long but not endless: start a new one
            clock.advance(86400)
            for w in (1, 2, 3):
                run("open", window=w)
    return round(n[0] / (time.perf_counter() - start))


def load(url, headers, clients, seconds):
    host, port = url.replace("http://", "").split(":")
    latencies, stop, errors = [], threading.Event(), [0]
    body = json.dumps({"queue": "general"})
    hdrs = {**headers, "Content-Type": "application/json"}

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.connect()
        # http.client writes headers and body apart: without this, Nagle + delayed ACK add 40 ms
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mine = []
        while not stop.is_set():
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/centers/east/tickets", body, hdrs)
            r = conn.getresponse()
            r.read()
            if r.status != 201:
                errors[0] += 1
            mine.append(time.perf_counter() - t0)
        latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"per_s": round(len(latencies) / elapsed), "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
            "errors": errors[0]}


def bench_http(seconds, tmp):
    center = always_open(small_center("east"))
    center["queues"][0]["daily_quota"] = None
    out = {}
    server = HallServer(os.path.join(tmp, "sqlite"), centers=[center]).start()
    try:
        for clients in (1, 8):
            r = load(server.url, server.headers("kiosk-east"), clients, seconds)
            out[f"http_issue_per_s_sqlite_{clients}"] = r["per_s"]
            out[f"http_issue_p99_ms_sqlite_{clients}"] = r["p99_ms"]
            out[f"http_errors_sqlite_{clients}"] = r["errors"]
    finally:
        server.stop()
    redis = RedisServer(tmp, durable=True)
    server = HallServer(os.path.join(tmp, "redis"), centers=[center], redis_url=redis.url).start()
    try:
        r = load(server.url, server.headers("kiosk-east"), 8, seconds)
        out["http_issue_per_s_redis_8"] = r["per_s"]
        out["http_issue_p99_ms_redis_8"] = r["p99_ms"]
        out["http_errors_redis_8"] = r["errors"]
    finally:
        server.stop()
        redis.stop()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5)
    args = p.parse_args()
    result = {"core_commands_per_s": bench_core(args.seconds)}
    with tempfile.TemporaryDirectory(prefix="hall-bench-") as tmp:
        result.update(bench_http(args.seconds, tmp))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
