"""The rate limit's cost per request: ours against Flask-Limiter. Prints one JSON object.

    python bench/ratelimit.py [--requests 20000]

Why this bench: issue #17 asks for Flask-Limiter on Redis unless a bench shows ours is needed.
It measures, in one process, microseconds per request (median of 5 rounds):

  edge_cached_answer_us        the public edge answering GET /api/v1/centers from its cache, limit off:
                               the whole cost of the hot path the limit guards
  ours_memory_hit_us           hall.public.ratelimit.MemoryLimiter.hit (token bucket)
  ours_redis_hit_us            RedisLimiter.hit on a real redis-server (leases of 30 tokens, as with burst 300)
  limits_memory_hit_us         Flask-Limiter's engine (`limits`), sliding window counter, memory
  limits_redis_hit_us          the same on Redis (one round trip per request)
  flask_plain_us               that request through Flask with no limit (what Flask's dispatch costs)
  flask_limiter_memory_us      a request through Flask with Flask-Limiter (memory) to a view that
                               returns a prepared body: what a cached read would cost if the limit
                               sat where Flask-Limiter sits (inside Flask, after dispatch)
  flask_limiter_redis_us       the same with Flask-Limiter's Redis storage
64 clients take turns (a key each), as the phones of a busy hall would, within a budget none
reaches: every figure is the cost of an allowed request.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tests.helpers import RedisServer  # noqa: E402

CLIENTS = [f"198.51.100.{i}" for i in range(64)]
# a budget no client reaches, so every figure is the cost of an allowed request (the common case)
RATE, BURST = 10 ** 9, 10 ** 9
LEASE = 30          # what RedisLimiter lends with the default burst of 300


def per_call_us(fn, n, rounds=5):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(n):
            fn(CLIENTS[i % len(CLIENTS)])
        times.append((time.perf_counter() - t0) / n * 1e6)
    return round(statistics.median(times), 2)


def environ(path, ip):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "bench", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http", "REMOTE_ADDR": ip, "QUERY_STRING": "", "wsgi.input": None}


def start_response(status, headers, exc_info=None):
    return None


def served(wsgi):
    """One GET /api/v1/centers from `ip` through a WSGI app, read to the end."""
    return lambda ip: b"".join(wsgi(environ("/api/v1/centers", ip), start_response))


def edge_answer(tmp, n):
    from hall import catalog
    from hall.app import create_app
    from tests.helpers import small_center
    app = create_app({"DATA_DIR": os.path.join(tmp, "data"), "SECRET_KEY": "bench", "RATE_LIMIT_PER_S": 0})
    catalog.load(app.extensions["hall"], catalog.parse({"centers": [small_center("east"), small_center("west")]}))
    app.config["PUBLIC_CACHE_TTL"] = 3600
    app.extensions["public_edge"].ttl = 3600
    wsgi = app.wsgi_app
    b"".join(wsgi(environ("/api/v1/centers", CLIENTS[0]), start_response))
    try:
        return per_call_us(served(wsgi), n)
    finally:
        app.extensions["hall"].store.close()


def flask_limiter_app(storage_uri):
    """A Flask app with one view returning a prepared body; Flask-Limiter on it unless storage_uri is None."""
    from flask import Flask, request
    from flask_limiter import Limiter
    app = Flask("bench")
    body = json.dumps({"centers": [{"id": "east", "queues": []}]}).encode()
    limiter = None
    if storage_uri is not None:
        limiter = Limiter(lambda: request.remote_addr, app=app, storage_uri=storage_uri,
                          default_limits=[f"{BURST} per 1 second"], strategy="sliding-window-counter")

    @app.get("/api/v1/centers")
    def centers():
        return app.response_class(body, mimetype="application/json")
    return app, limiter


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=20000)
    n = p.parse_args().requests
    from limits import parse
    from limits.storage import MemoryStorage, RedisStorage
    from limits.strategies import SlidingWindowCounterRateLimiter

    from hall.public.ratelimit import MemoryLimiter, RedisLimiter
    import redis

    out = {}
    with tempfile.TemporaryDirectory(prefix="hall-bench-ratelimit-") as tmp:
        out["edge_cached_answer_us"] = edge_answer(tmp, n)
        ours = MemoryLimiter(RATE, BURST)
        out["ours_memory_hit_us"] = per_call_us(ours.hit, n)
        window = parse(f"{BURST} per 1 second")
        lim = SlidingWindowCounterRateLimiter(MemoryStorage())
        out["limits_memory_hit_us"] = per_call_us(lambda k: lim.hit(window, k), n)
        for name, uri in (("flask_plain_us", None), ("flask_limiter_memory_us", "memory://")):
            out[name] = per_call_us(served(flask_limiter_app(uri)[0].wsgi_app), n)

        server = RedisServer(tmp)
        try:
            client = redis.Redis.from_url(server.url)
            ours_r = RedisLimiter(client, RATE, BURST)
            ours_r.lease = LEASE
            out["ours_redis_hit_us"] = per_call_us(ours_r.hit, n)
            server.flush()
            lim_r = SlidingWindowCounterRateLimiter(RedisStorage(server.url))
            out["limits_redis_hit_us"] = per_call_us(lambda k: lim_r.hit(window, k), n // 4)
            server.flush()
            out["flask_limiter_redis_us"] = per_call_us(served(flask_limiter_app(server.url)[0].wsgi_app), n // 4)
        finally:
            server.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
