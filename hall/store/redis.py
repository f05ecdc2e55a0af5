"""Redis for many processes: a stream per centre, the version check in one Lua script.

Every key of a centre carries the hash tag `{centre}`, so the script touches one slot and a
province's centres can spread over a Redis Cluster unchanged. Durability is Redis's own
(`appendonly yes` with `appendfsync always` for a commit that survives a crash).
"""
import json

import redis

from . import aggregates
from .base import Conflict, encode, decode

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


def _key(stream, what):
    return f"hall:{{{stream}}}:{what}"


class RedisStore:
    def __init__(self, url):
        self.url = url
        self.r = redis.Redis.from_url(url)
        self._append = self.r.register_script(APPEND)

    def append(self, stream, expected, events):
        if expected == 0:
            # The list of streams lives in another slot than the centre (no script may hold both on a
            # cluster), so a stream is registered first: a crash in between leaves a listed stream
            # with no events (which `streams` leaves out), never events no one lists.
            self._register(stream)
        return self._append_events(stream, expected, events)

    def _register(self, stream):
        if self.r.zscore("hall:streams", stream) is None:
            self.r.zadd("hall:streams", {stream: self.r.incr("hall:streams:created")}, nx=True)

    def _append_events(self, stream, expected, events):
        ok, seq = self._append(keys=[_key(stream, "events")], args=[expected] + [encode(e) for e in events])
        if not ok:
            raise Conflict(stream, expected, seq)
        return list(range(expected + 1, seq + 1))

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

    def version(self, stream):
        last = self.r.xrevrange(_key(stream, "events"), count=1)
        return int(last[0][0].split(b"-")[0]) if last else 0

    def streams(self):
        """Every stream with events, in the order they began (a catalogue's centres keep their order)."""
        registered = [s.decode() for s in self.r.zrange("hall:streams", 0, -1)]
        pipe = self.r.pipeline(transaction=False)       # one key per command: fine across a cluster's slots
        for s in registered:
            pipe.exists(_key(s, "events"))
        return [s for s, held in zip(registered, pipe.execute()) if held]

    def save_snapshot(self, stream, data):
        self.r.set(_key(stream, "snapshot"), json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def load_snapshot(self, stream):
        body = self.r.get(_key(stream, "snapshot"))
        return json.loads(body) if body else None

    def secret(self, make):
        """The district's signing secret, made once and shared by every process on this Redis."""
        self.r.set("hall:secret", make(), nx=True)
        return self.r.get("hall:secret").decode()

    # --- aggregates (see hall.store.aggregates): a hash per day, the mark, the set of days ---

    def aggregate_mark(self, stream):
        body = self.r.get(_key(stream, "aggmark"))
        return json.loads(body) if body else None

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

    def clear_aggregates(self, stream):
        days = [d.decode() for d in self.r.smembers(_key(stream, "aggdays"))]
        self.r.delete(_key(stream, "aggmark"), _key(stream, "aggdays"), *[_key(stream, f"agg:{d}") for d in days])

    def close(self):
        self.r.close()


def _dump(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
