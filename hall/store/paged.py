"""A store that holds appends back and writes them to another store in pages: for writing a long
simulated history quickly through the gateway (`hall simulate --store`).

The gateway decides, numbers and applies every command as it would live, against this store;
`flush()` then appends what was held to the real store in pages of `page` events (one durable
commit per page instead of one per command), then the aggregate increments held meanwhile (one
update, its mark no further than the events just written), then the last snapshot. Only one
writer may use the real store's streams meanwhile: a conflict at flush time is an error.
"""
from . import aggregates
from .base import Conflict


class PagedStore:
    def __init__(self, base, page=5000):
        self.base, self.page = base, page
        self._held = {}            # stream → [event, ...] not yet in base
        self._base_version = {}    # stream → base's version when holding began
        self._agg = {}             # stream → {"rows", "mark", "expected"}
        self._snapshots = {}

    def _bv(self, stream):
        if stream not in self._base_version:
            self._base_version[stream] = self.base.version(stream)
        return self._base_version[stream]

    def append(self, stream, expected, events):
        actual = self.version(stream)
        if actual != expected:
            raise Conflict(stream, expected, actual)
        held = self._held.setdefault(stream, [])
        held.extend({k: v for k, v in e.items() if k != "seq"} for e in events)
        return list(range(expected + 1, expected + len(events) + 1))

    def read(self, stream, after=0, limit=None):
        bv = self._bv(stream)
        out = self.base.read(stream, after, limit) if after < bv else []
        if limit is not None and len(out) >= limit:
            return out
        start = max(after, bv) - bv
        held = self._held.get(stream, [])
        end = len(held) if limit is None else min(len(held), start + limit - len(out))
        return out + [{**e, "seq": bv + i + 1} for i, e in enumerate(held[start:end], start)]

    def version(self, stream):
        return self._bv(stream) + len(self._held.get(stream, ()))

    def streams(self):
        known = self.base.streams()
        return known + [s for s in self._held if s not in known]

    def save_snapshot(self, stream, data):
        self._snapshots[stream] = data

    def load_snapshot(self, stream):
        return self._snapshots.get(stream) or self.base.load_snapshot(stream)

    def secret(self, make):
        return self.base.secret(make)

    def aggregate_mark(self, stream):
        held = self._agg.get(stream)
        return dict(held["mark"]) if held else self.base.aggregate_mark(stream)

    def add_aggregates(self, stream, rows, expected, mark):
        if aggregates.mark_seq(self.aggregate_mark(stream)) != expected:
            return False
        held = self._agg.get(stream)
        if held is None:
            held = self._agg[stream] = {"rows": {}, "mark": None, "expected": expected}
        for k, row in rows.items():
            held["rows"][k] = aggregates.added(held["rows"].get(k), row)
        held["mark"] = dict(mark)
        return True

    def read_aggregates(self, stream, first_day, last_day):
        out = self.base.read_aggregates(stream, first_day, last_day)
        held = self._agg.get(stream)
        for k, row in (held["rows"].items() if held else ()):
            if first_day <= k[0] <= last_day:
                out[k] = aggregates.merge(out.get(k) or aggregates.new_row(), row)
        return out

    def clear_aggregates(self, stream):
        self._agg.pop(stream, None)
        self.base.clear_aggregates(stream)

    def flush(self):
        """Write everything held to the real store: events in pages, then aggregates, then snapshots."""
        for stream, held in self._held.items():
            v = self._base_version[stream]
            for i in range(0, len(held), self.page):
                page = held[i:i + self.page]
                self.base.append(stream, v, page)
                v += len(page)
            self._base_version[stream] = v
        self._held = {}
        for stream, held in self._agg.items():
            if not self.base.add_aggregates(stream, held["rows"], held["expected"], held["mark"]):
                raise Conflict(stream, held["expected"], aggregates.mark_seq(self.base.aggregate_mark(stream)))
        self._agg = {}
        for stream, data in self._snapshots.items():
            self.base.save_snapshot(stream, data)
        self._snapshots = {}

    def close(self):
        self.flush()
