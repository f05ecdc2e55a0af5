"""Short-lived keys every process must agree on (WeChat nonces, replies to retried messages).

In process memory on one machine; in Redis when the app has one, so that a retry or a replay
that lands on another process is still recognised.
"""
import threading
import time


class MemoryMemo:
    def __init__(self, clock=time.monotonic, max_keys=100_000):
        self.clock, self.max_keys = clock, max_keys
        self._data = {}
        self._lock = threading.Lock()

    def add(self, key, value, ttl):
        """Store `value` unless the key is alive; return the value that the key now holds."""
        now = self.clock()
        with self._lock:
            held = self._data.get(key)
            if held is not None and held[1] > now:
                return held[0]
            if len(self._data) >= self.max_keys:
                self._data = {k: v for k, v in self._data.items() if v[1] > now}
            self._data[key] = (value, now + ttl)
            return value

    def get(self, key):
        held = self._data.get(key)
        return held[0] if held is not None and held[1] > self.clock() else None

    def set(self, key, value, ttl):
        with self._lock:
            self._data[key] = (value, self.clock() + ttl)


class RedisMemo:
    def __init__(self, redis_client, prefix="hall:memo"):
        self.redis, self.prefix = redis_client, prefix

    def _k(self, key):
        return f"{self.prefix}:{{{key}}}"

    def add(self, key, value, ttl):
        k = self._k(key)
        ms = max(1, int(ttl * 1000))
        if self.redis.set(k, value, nx=True, px=ms):
            return value
        held = self.redis.get(k)
        if held is None:            # expired between the two calls: take it
            self.redis.set(k, value, px=ms)
            return value
        return held.decode()

    def get(self, key):
        held = self.redis.get(self._k(key))
        return held.decode() if held is not None else None

    def set(self, key, value, ttl):
        self.redis.set(self._k(key), value, px=max(1, int(ttl * 1000)))


def open_memo(redis_client=None):
    """Shared through Redis (the app's own client) when the app has one, else in this process."""
    if redis_client is not None:
        return RedisMemo(redis_client)
    return MemoryMemo()
