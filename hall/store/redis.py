"""Redis for many processes: a stream per centre, the version check in one Lua script.

Every key of a centre carries the hash tag `{centre}`, so the script touches one slot and a
province's centres spread over a Redis Cluster unchanged; the list of streams and the secret live
in slots of their own and are only ever used one key per command. Durability is Redis's own
(`appendonly yes` with `appendfsync always` for a commit that survives a crash); on a cluster,
whose replication is asynchronous, an append also waits for `wait_replicas` replicas (`WAIT`).
"""
import functools
import json
from urllib.parse import urlparse

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import (ClusterError, MovedError, ReadOnlyError, RedisClusterUnreachableError,
                              SlotNotCoveredError, TryAgainError)
from redis.retry import Retry

from . import aggregates
from .base import Conflict, Unavailable, encode, decode

# Append only if the stream's last entry is the expected version; entry ids are "<seq>-0".
APPEND = """
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local cur = 0
if #last > 0 then cur = tonumber(string.match(last[1][1], '^(%d+)')) end
if cur ~= tonumber(ARGV[1]) then return {0, cur} end
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], tostring(cur + i - 1) .. '-0', 'e', ARGV[i])
end
return {1, cur + #ARGV - 1}
"""
PAGE = 5000
WAIT_MS = 1000      # how long an append waits for its replicas before it is refused as not durable
# What any command meets while Redis cannot be reached or a cluster changes hands (a master killed,
# its replica not yet promoted, the map of slots out of date): answered 503, never 500.
SWITCHING = (redis.ConnectionError, redis.TimeoutError, ClusterError, TryAgainError, MovedError, ReadOnlyError,
             SlotNotCoveredError, RedisClusterUnreachableError)
# How a cluster client rides out a failover: a few quick retries, each after a fresh look at the map of
# slots, then a 503 within about a second (a kiosk retries; a held request would hold the centre's lock).
CLUSTER_OPTIONS = {"retry": Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.4), retries=4),
                   "reinitialize_steps": 1, "socket_connect_timeout": 1.0, "socket_timeout": 5.0}


def reachable(method):
    """Run a store method; a Redis that cannot be reached or is switching masters becomes Unavailable
    (503 store_unavailable), for reads as for writes. Every public method of RedisStore goes through it."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SWITCHING as e:
            self._refresh()
            raise Unavailable("the store cannot be reached or is changing masters; try again") from e
    return guarded


def _key(stream, what):
    return f"hall:{{{stream}}}:{what}"


def connect(url, **options):
    """A client for `url`: one Redis server, or a Redis Cluster when the server is a cluster node
    (`INFO cluster`) or `url` names several nodes, comma-separated (any that answers will do)."""
    urls = [u.strip() for u in url.split(",") if u.strip()]
    if len(urls) == 1:
        single = redis.Redis.from_url(urls[0], **options)
        try:
            clustered = single.info("cluster").get("cluster_enabled") == 1
        except redis.ResponseError:         # a server that does not know the section
            clustered = False
        if not clustered:
            return single
        single.close()
    others = [ClusterNode(u.hostname, u.port or 6379) for u in map(urlparse, urls[1:])]
    return RedisCluster.from_url(urls[0], startup_nodes=others, **{**CLUSTER_OPTIONS, **options})


def is_cluster(client):
    return isinstance(client, RedisCluster)


class RedisStore:
    def __init__(self, url, wait_replicas=1):
        self.url = url
        self.r = connect(url)
        self.cluster = is_cluster(self.r)
        self.wait_replicas = max(0, int(wait_replicas)) if self.cluster else 0
        self._append = self.r.register_script(APPEND)

    @reachable
    def append(self, stream, expected, events):
        if expected == 0:
            # The list of streams lives in another slot than the centre (no script may hold both on a
            # cluster), so a stream is registered first: a crash in between leaves a listed stream
            # with no events (which `streams` leaves out), never events no one lists.
            self._register(stream)
        return self._append_events(stream, expected, events)

    def _register(self, stream):
        if self.r.zscore("hall:streams", stream) is None:
            order = self.r.incr("hall:streams:created")
            self._write("hall:streams", lambda p: p.zadd("hall:streams", {stream: order}, nx=True))

    def _append_events(self, stream, expected, events):
        key = _key(stream, "events")
        ok, seq = self._write(key, lambda p: self._append(keys=[key], args=[expected] + [encode(e) for e in events],
                                                           client=p))
        if not ok:
            raise Conflict(stream, expected, seq)
        return list(range(expected + 1, seq + 1))

    @reachable
    def read(self, stream, after=0, limit=None):
        out = []
        start = f"{after + 1}-0"
        while True:
            want = PAGE if limit is None else min(PAGE, limit - len(out))
            if want <= 0:
                break
            page = self.r.xrange(_key(stream, "events"), min=start, max="+", count=want)
            for entry_id, fields in page:
                out.append(decode(int(entry_id.split(b"-")[0]), fields[b"e"]))
            if len(page) < want:
                break
            start = f"{out[-1]['seq'] + 1}-0"
        return out

    def _write(self, key, command):
        """Queue `command` on the connection to the node that holds `key` and run it; on a cluster,
        `WAIT` for the replicas on that same connection (WAIT counts only this connection's writes).
        Returns the command's reply; raises Unavailable when it cannot be made durable now."""
        for attempt in (1, 2):
            client = self.r.get_redis_connection(self.r.get_node_from_key(key)) if self.cluster else self.r
            pipe = client.pipeline(transaction=False)
            command(pipe)
            if self.wait_replicas:
                pipe.execute_command("WAIT", self.wait_replicas, WAIT_MS)
            try:
                replies = pipe.execute()
            except MovedError:
                # the slot has another master (a failover): nothing was written; learn the new map
                self._refresh()
                if attempt == 2:
                    raise
                continue
            if self.wait_replicas and replies[-1] < self.wait_replicas:
                # not undone (it is on the master), only not promised: a retry would be a second command
                raise Unavailable(f"written on one Redis node, but {replies[-1]} of {self.wait_replicas} replicas "
                                  f"confirmed it within {WAIT_MS} ms: it may not survive a failover",
                                  "store_not_durable")
            return replies[0]

    def _refresh(self):
        if self.cluster:
            try:
                self.r.nodes_manager.initialize()
            except Exception:  # noqa: BLE001 - the next command's own routing retries it
                pass

    @reachable
    def version(self, stream):
        last = self.r.xrevrange(_key(stream, "events"), count=1)
        return int(last[0][0].split(b"-")[0]) if last else 0

    @reachable
    def streams(self):
        """Every stream with events, in the order they began (a catalogue's centres keep their order)."""
        registered = [s.decode() for s in self.r.zrange("hall:streams", 0, -1)]
        pipe = self.r.pipeline(transaction=False)       # one key per command: fine across a cluster's slots
        for s in registered:
            pipe.exists(_key(s, "events"))
        return [s for s, held in zip(registered, pipe.execute()) if held]

    @reachable
    def save_snapshot(self, stream, data):
        self.r.set(_key(stream, "snapshot"), json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    @reachable
    def load_snapshot(self, stream):
        body = self.r.get(_key(stream, "snapshot"))
        return json.loads(body) if body else None

    @reachable
    def secret(self, make):
        """The district's signing secret, made once and shared by every process on this Redis."""
        held = self.r.get("hall:secret")
        if held is None:
            self._write("hall:secret", lambda p: p.set("hall:secret", make(), nx=True))
            held = self.r.get("hall:secret")
        return held.decode()

    # --- aggregates (see hall.store.aggregates): a hash per day, the mark, the set of days ---

    @reachable
    def aggregate_mark(self, stream):
        body = self.r.get(_key(stream, "aggmark"))
        return json.loads(body) if body else None

    @reachable
    def add_aggregates(self, stream, rows, expected, mark):
        by_day = {}
        for (day, kind, key), inc in rows.items():
            by_day.setdefault(day, {})[f"{kind}|{key}"] = inc
        # a transaction on keys of one hash tag: one slot, so a cluster client runs it too
        with self.r.pipeline(transaction=True) as p:
            try:
                p.watch(_key(stream, "aggmark"))
                body = p.get(_key(stream, "aggmark"))
                if aggregates.mark_seq(json.loads(body) if body else None) != expected:
                    return False
                out = {}
                for day, incs in by_day.items():
                    fields = list(incs)
                    held = p.hmget(_key(stream, f"agg:{day}"), fields)
                    out[day] = {f: _dump(aggregates.added(json.loads(h) if h else None, incs[f]))
                                for f, h in zip(fields, held)}
                p.multi()
                for day, mapping in out.items():
                    p.hset(_key(stream, f"agg:{day}"), mapping=mapping)
                if out:
                    p.sadd(_key(stream, "aggdays"), *out)
                p.set(_key(stream, "aggmark"), _dump(mark))
                p.execute()
            except redis.WatchError:
                return False
        return True

    @reachable
    def read_aggregates(self, stream, first_day, last_day):
        days = sorted(d.decode() for d in self.r.smembers(_key(stream, "aggdays")))
        days = [d for d in days if first_day <= d <= last_day]
        with self.r.pipeline(transaction=False) as p:
            for d in days:
                p.hgetall(_key(stream, f"agg:{d}"))
            got = p.execute()
        out = {}
        for day, fields in zip(days, got):
            for f, body in fields.items():
                kind, _, key = f.decode().partition("|")
                out[(day, kind, key)] = json.loads(body)
        return out

    @reachable
    def clear_aggregates(self, stream):
        days = [d.decode() for d in self.r.smembers(_key(stream, "aggdays"))]
        self.r.delete(_key(stream, "aggmark"), _key(stream, "aggdays"), *[_key(stream, f"agg:{d}") for d in days])

    def close(self):
        self.r.close()


def _dump(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
