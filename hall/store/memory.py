"""A store in the process's memory: the simulator's and the tests' store, held to the same suite.

Events are kept encoded, as the other stores keep them, so that what is read back is a fresh copy
and never the object the gateway went on to change. Nothing survives the process.
`MemoryStore(shared=other)` is a second client of the same data, as a second connection would be.
"""
import json
import threading

from . import aggregates
from .base import Conflict, encode, decode


class _Data:
    def __init__(self):
        self.lock = threading.Lock()
        self.events = {}            # stream → [encoded event]
        self.snapshots = {}
        self.meta = {}
        self.aggregates = {}        # stream → {(day, kind, key): row}
        self.marks = {}             # stream → mark


class MemoryStore:
    def __init__(self, shared=None):
        self._d = shared._d if shared is not None else _Data()

    def append(self, stream, expected, events):
        bodies = [encode(e) for e in events]
        with self._d.lock:
            log = self._d.events.get(stream)
            actual = len(log) if log else 0
            if actual != expected:
                raise Conflict(stream, expected, actual)
            if log is None:
                log = self._d.events[stream] = []
            log.extend(bodies)
        return list(range(expected + 1, expected + len(bodies) + 1))

    def read(self, stream, after=0, limit=None):
        with self._d.lock:
            log = self._d.events.get(stream, ())
            end = len(log) if limit is None else min(len(log), after + limit)
            bodies = log[after:end]
        return [decode(after + i + 1, b) for i, b in enumerate(bodies)]

    def version(self, stream):
        with self._d.lock:
            return len(self._d.events.get(stream, ()))

    def streams(self):
        """Every stream, in the order they began."""
        with self._d.lock:
            return list(self._d.events)

    def save_snapshot(self, stream, data):
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self._d.lock:
            self._d.snapshots[stream] = body

    def load_snapshot(self, stream):
        with self._d.lock:
            body = self._d.snapshots.get(stream)
        return json.loads(body) if body else None

    def secret(self, make):
        with self._d.lock:
            return self._d.meta.setdefault("secret", make())

    # --- aggregates (see hall.store.aggregates) ---

    def aggregate_mark(self, stream):
        with self._d.lock:
            mark = self._d.marks.get(stream)
        return dict(mark) if mark else None

    def add_aggregates(self, stream, rows, expected, mark):
        with self._d.lock:
            if aggregates.mark_seq(self._d.marks.get(stream)) != expected:
                return False
            held = self._d.aggregates.setdefault(stream, {})
            for k, row in rows.items():
                held[k] = aggregates.added(held.get(k), json.loads(json.dumps(row)))
            self._d.marks[stream] = dict(mark)
        return True

    def read_aggregates(self, stream, first_day, last_day):
        with self._d.lock:
            held = self._d.aggregates.get(stream, {})
            return {k: json.loads(json.dumps(r)) for k, r in held.items() if first_day <= k[0] <= last_day}

    def clear_aggregates(self, stream):
        with self._d.lock:
            self._d.aggregates.pop(stream, None)
            self._d.marks.pop(stream, None)

    def close(self):
        pass
