"""A province on one process: GET /api/v1/centers?near=LAT,LON&limit=20 at 2,000 centres. Prints one JSON object.

    python bench/scale.py [--seconds 5] [--centers 2000] [--clients 64]

A real `hall serve` process (gevent, SQLite) with a generated province (`hall/sim/province.py`,
centres over Guangdong), the rate limiter on with a budget no client reaches. 64 keep-alive
clients (one selector loop per client process, as bench/public.py), each request from a point of
its own (a random place in the province, rounded as the phone board rounds it), so the edge's
cache rarely answers: what is measured is choosing the nearest 20 and summarizing them.

  province_centers_p99_ms / province_centers_req_per_s   near + limit=20, closed loop, 64 clients
  province_all_centers_ms     one GET of the whole list (2,000 summaries), for comparison
  province_near_one_client_p50_ms   near + limit=20 from a single client (closed loop, 2 s), median
"""
import argparse
import json
import multiprocessing as mp
import os
import random
import selectors
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import requests  # noqa: E402

from hall import catalog  # noqa: E402
from hall.centre import Hall  # noqa: E402
from hall.sim.province import BOX, province  # noqa: E402
from hall.store import open_store  # noqa: E402
from bench.http_answers import take_answer  # noqa: E402
from tests.helpers import HallServer, always_open  # noqa: E402

UNLIMITED = {"HALL_RATE_LIMIT_PER_S": "1000000000", "HALL_RATE_LIMIT_BURST": "1000000000"}


def near_path(rng):
    lat, lon = rng.uniform(*BOX[0]), rng.uniform(*BOX[1])
    return f"/api/v1/centers?near={lat:.2f},{lon:.2f}&limit=20"


def _client_process(port, conns, seconds, seed, out):
    os.nice(int(os.environ.get("BENCH_CLIENT_NICE", "10")))
    rng = random.Random(seed)
    sel = selectors.DefaultSelector()
    latencies, statuses, state = [], {}, {}
    for _ in range(conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        state[s] = {"buf": b"", "t0": 0.0}
        sel.register(s, selectors.EVENT_READ)

    def send(s):
        state[s]["t0"] = time.perf_counter()
        s.sendall(f"GET {near_path(rng)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())

    stop_at = time.perf_counter() + seconds
    for s in state:
        send(s)
    open_conns = len(state)
    while open_conns:
        for key, _ in sel.select(timeout=1):
            s, st = key.fileobj, state[key.fileobj]
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a connection")
            st["buf"] += chunk
            answer = take_answer(st["buf"])
            if answer is None:
                continue
            status, _, st["buf"] = answer
            latencies.append(time.perf_counter() - st["t0"])
            statuses[status] = statuses.get(status, 0) + 1
            if time.perf_counter() < stop_at:
                send(s)
            else:
                sel.unregister(s)
                s.close()
                open_conns -= 1
    out.put((latencies, statuses))


def load(port, clients, seconds):
    procs_n = min(int(os.environ.get("BENCH_CLIENT_PROCS", "4")), clients)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_client_process,
                         args=(port, clients // procs_n + (1 if i < clients % procs_n else 0), seconds, i, out))
             for i in range(procs_n)]
    for p in procs:
        p.start()
    latencies, statuses = [], {}
    for _ in procs:
        lat, st = out.get()
        latencies += lat
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    for p in procs:
        p.join()
    latencies.sort()
    return {"per_s": round(len(latencies) / seconds),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1) if latencies else None,
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def timed(url):
    t = time.perf_counter()
    r = requests.get(url, timeout=60)
    assert r.status_code == 200, r.text
    return (time.perf_counter() - t) * 1000, r.json()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--centers", type=int, default=2000)
    p.add_argument("--clients", type=int, default=64)
    args = p.parse_args()
    centres = [always_open(c) for c in province(args.centers, seed=1)["centers"]]
    out = {"centers": args.centers, "clients": args.clients}
    with tempfile.TemporaryDirectory(prefix="hall-bench-scale-") as tmp:
        server = HallServer(os.path.join(tmp, "sqlite"), centers=centres[:1])
        store = open_store(server.env["HALL_DATA_DIR"], None)
        try:
            t = time.perf_counter()
            catalog.load(Hall(store, clock=server.clock), catalog.parse({"centers": centres}))
            out["province_load_s"] = round(time.perf_counter() - t, 1)
        finally:
            store.close()
        server.env.update(UNLIMITED)
        server.start()
        try:
            rng = random.Random(99)
            ms, body = timed(server.url + "/api/v1/centers")
            assert len(body["centers"]) == args.centers
            out["province_all_centers_ms"] = round(ms, 1)
            timed(server.url + near_path(rng))          # the first reads every centre's location
            out["province_near_one_client_p50_ms"] = load(server.port, 1, 2)["p50_ms"]
            load(server.port, 8, 1)                     # warm up
            r = load(server.port, args.clients, args.seconds)
            out["province_centers_p99_ms"] = r["p99_ms"]
            out["province_centers_req_per_s"] = r["per_s"]
            out["province_centers_p50_ms"] = r["p50_ms"]
            out["statuses"] = r["statuses"]
        finally:
            server.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
