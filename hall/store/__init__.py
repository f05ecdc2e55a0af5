"""Where a centre's events live. One small interface, two backends, one conformance suite.

    append(stream, expected_version, events) -> [seq, ...]   # raises Conflict if not at version
    read(stream, after=0, limit=None) -> [event, ...]         # each with its "seq"
    version(stream) -> int
    streams() -> [stream, ...]
    save_snapshot(stream, data) / load_snapshot(stream) -> data | None  (data["version"] is its seq)
"""
import os

from .base import Conflict, Unavailable


def open_store(data_dir=None, redis_url=None, wait_replicas=1):
    """SQLite in `data_dir`, or Redis at `redis_url` (one server, or a cluster: see redis.connect);
    on a cluster an append waits for `wait_replicas` replicas (0: not at all)."""
    if redis_url:
        from .redis import RedisStore
        return RedisStore(redis_url, wait_replicas)
    from .sqlite import SQLiteStore
    data_dir = data_dir or "hall-data"
    os.makedirs(data_dir, exist_ok=True)
    return SQLiteStore(os.path.join(data_dir, "hall.db"))


__all__ = ["Conflict", "Unavailable", "open_store"]
