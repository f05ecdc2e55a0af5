"""How many waited in each queue over the last hour: counts kept from the read model of the log."""
import threading

from ..core.lives import Lives
from .logs import PAGE, seq_before

DEFAULT_TZ = "Asia/Shanghai"

KEEP_S = 2 * 3600


class WaitingCounts:
    """Waiting tickets per queue, fed a centre's events in order; keeps each change for KEEP_S.
    Who waits in which line is the read model's (`hall.core.lives`)."""

    def __init__(self, day_start=None, tz=DEFAULT_TZ):
        self.day_start = day_start
        self.seq = 0
        self.queue_of = {}          # waiting ticket → its queue
        self.counts = {}            # queue → waiting now
        self.points = {}            # queue → [(at, count after the change)]
        self.lives = Lives(tz, on_line=self._moved)

    def _set(self, queue, at, delta):
        n = self.counts.get(queue, 0) + delta
        self.counts[queue] = n
        pts = self.points.setdefault(queue, [])
        if pts and pts[-1][0] == at:
            pts[-1] = (at, n)
        else:
            pts.append((at, n))

    def _moved(self, tid, queue, at):
        left = self.queue_of.pop(tid, None)
        if left is not None:
            self._set(left, at, -1)
        if queue is not None:
            self.queue_of[tid] = queue
            self._set(queue, at, +1)

    def feed(self, events):
        for e in events:
            if e["type"] == "day_started":
                for q in [q for q, n in self.counts.items() if n]:
                    self._set(q, e["at"], -self.counts[q])
                self.queue_of.clear()
            self.lives.feed(e)
            self.seq = e["seq"]
        self.lives.take()           # the day's rows are the reports' business, not the trend's
        self._prune(events[-1]["at"] if events else None)

    def _prune(self, now):
        if now is None:
            return
        for pts in self.points.values():
            cut = 0
            while cut + 1 < len(pts) and pts[cut + 1][0] <= now - KEEP_S:
                cut += 1
            if cut:
                del pts[:cut]

    def at(self, queue, when):
        n = 0
        for t, count in self.points.get(queue, ()):
            if t > when:
                break
            n = count
        return n

    def series(self, queues, now, span_s=3600, step_s=300):
        """{queue: [waiting at now − span, …, now]} every `step_s`."""
        marks = [now - span_s + k * step_s for k in range(span_s // step_s + 1)]
        return {q: [self.at(q, m) for m in marks] for q in queues}


class Trends:
    """One WaitingCounts per centre, caught up from the gateway's log when asked."""

    def __init__(self, hall):
        self.hall = hall
        self._counts = {}
        self._lock = threading.Lock()

    def series(self, cid, now, span_s=3600, step_s=300):
        with self._lock:
            with self.hall.reading(cid) as state:
                day_start, version, queues = state.day_start, state.version, list(state.config.queues)
                tz = state.config.timezone
            wc = self._counts.get(cid)
            if wc is None or wc.day_start != day_start:
                wc = self._counts[cid] = WaitingCounts(day_start, tz)
                wc.seq = seq_before(self.hall, cid, day_start)
            while wc.seq < version:
                page = self.hall.events(cid, wc.seq, PAGE)
                if not page:
                    break
                wc.feed(page)
            return wc.series(queues, now, span_s, step_s)
