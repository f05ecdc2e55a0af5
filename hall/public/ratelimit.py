"""Per-client token buckets: in process memory, or shared by every process through Redis.

A bucket holds up to `burst` tokens and refills at `rate` per second; a request takes one.

Why leases for Redis: a Redis round trip on every public request would cost more than the
cached answer it guards (the cached path is tens of microseconds). So a process borrows a
small lease of tokens from the shared bucket (one Lua call) and spends it locally; leases
expire after a second. The shared budget is then exact up to the tokens lent out and not yet
spent (at most processes × lease per client), and a client that spreads its requests over
every process still gets one budget, not one per process. With a small burst the lease is one
token, so tests and strict limits are exact. If Redis is unreachable, each process falls back
to its own memory buckets rather than refusing everyone.
"""
import logging
import math
import threading
import time

log = logging.getLogger(__name__)

LEASE_MAX = 50
LEASE_TTL_S = 1.0
REDIS_DOWN_S = 5.0          # after a Redis failure, limit locally this long before trying again


def refill(tokens, last, now, rate, burst):
    return min(burst, tokens + max(0.0, now - last) * rate)


class MemoryLimiter:
    """Buckets in this process's memory; `hit(key)` → (allowed, seconds until a token is back)."""

    def __init__(self, rate, burst, clock=time.monotonic, max_keys=100_000):
        self.rate, self.burst, self.clock, self.max_keys = float(rate), float(burst), clock, max_keys
        self._buckets = {}
        self._lock = threading.Lock()

    def hit(self, key):
        now = self.clock()
        with self._lock:
            b = self._buckets.get(key)
            tokens = self.burst if b is None else refill(b[0], b[1], now, self.rate, self.burst)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if b is None and len(self._buckets) > self.max_keys:
                    self._prune(now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            return False, (1 - tokens) / self.rate

    def _prune(self, now):
        # a bucket that has refilled is the same as no bucket
        full = [k for k, (t, last) in self._buckets.items()
                if refill(t, last, now, self.rate, self.burst) >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) > self.max_keys:     # a flood of distinct clients: forget the oldest half
            for k in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: len(self._buckets) // 2]:
                del self._buckets[k]


# The shared bucket: refill by Redis's own clock (processes on several machines agree on it),
# then grant up to ARGV[3] tokens. Returns {granted, seconds until the next token}.
_LEASE_SCRIPT = """
redis.replicate_commands()
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local last = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
local grant = math.min(want, math.floor(tokens))
tokens = tokens - grant
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
local wait = 0
if grant == 0 then wait = (1 - tokens) / rate end
return {grant, tostring(wait)}
"""


class RedisLimiter:
    """One budget per client shared by every process on the Redis, spent through local leases."""

    def __init__(self, redis_client, rate, burst, clock=time.monotonic, prefix="hall:ratelimit"):
        self.redis, self.rate, self.burst, self.clock, self.prefix = redis_client, float(rate), float(burst), \
            clock, prefix
        self.lease = max(1, min(LEASE_MAX, int(burst) // 10))
        self._script = redis_client.register_script(_LEASE_SCRIPT)
        self._credit = {}        # key → (tokens lent to this process, until)
        self._lock = threading.Lock()
        self._fallback = MemoryLimiter(rate, burst, clock)
        self._down_until = 0.0
        self._down_logged = 0.0

    def hit(self, key):
        now = self.clock()
        with self._lock:
            c = self._credit.get(key)
            if c is not None and c[0] >= 1 and now < c[1]:
                self._credit[key] = (c[0] - 1, c[1])
                return True, 0.0
        if now < self._down_until:      # a Redis that just failed is not asked on every request
            return self._fallback.hit(key)
        try:
            # the {key} hash tag keeps a client's bucket in one slot of a Redis Cluster
            granted, wait = self._script(keys=[f"{self.prefix}:{{{key}}}"],
                                         args=[self.rate, self.burst, self.lease])
        except Exception as e:  # noqa: BLE001 - any Redis failure: limit locally, keep serving
            self._down_until = now + REDIS_DOWN_S
            if now - self._down_logged > 60:
                log.warning("rate limiter: Redis unavailable (%s); limiting per process", e)
                self._down_logged = now
            return self._fallback.hit(key)
        granted = int(granted)
        if granted <= 0:
            return False, float(wait)
        with self._lock:
            self._credit[key] = (granted - 1, now + LEASE_TTL_S)
            if len(self._credit) > 100_000:
                self._credit = {k: v for k, v in self._credit.items() if v[1] > now}
        return True, 0.0


def retry_after(wait_s):
    """The Retry-After header's whole seconds: never 0, so a client does wait."""
    return max(1, math.ceil(wait_s))
