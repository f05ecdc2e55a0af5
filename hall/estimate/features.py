"""What the learned correction sees of a waiting ticket: the state around it, in numbers.

`Recent` follows a centre's events (the waits just seen, the pace of calls, arrivals and hang-ups);
`Context(...).matrix(...)` turns a state, a moment and some waiting tickets (real ones, or the
would-be ticket of a queue) into one row of numbers each, in the order of NAMES. Pure: the same
events and state give the same rows, in training (a ticket as it joins) and in the live estimate
(every ticket still waiting).
"""
from collections import deque

from ..core.state import CLASSES, OPEN
from .order import CAP_S, kind_of

TICKET_NAMES = (        # the ticket's own place
    "ahead_policy", "ahead_key", "ahead_key_queue", "behind_key", "projected", "projected_sd",
    "line_hol", "naive", "key_throughput", "class_hol", "window_free_k",
)
KIND_NAMES = (          # the same for every ticket of its kind (class and item)
    "head_start", "kind_median", "kind_zero_share",
    "les_kind", "les_kind_age", "kind_recent_median", "kind_recent_mean", "kind_recent_median_20",
)
LINE_NAMES = (          # the same for every ticket of its queue and class
    "class", "queue_service", "queue_waiting", "class_recent_median", "class_recent_mean_20",
    "open_windows", "idle_windows", "idle_skilled", "open_skilled", "busy_windows",
    "idle_skilled_fresh", "idle_skilled_stale",
)
CENTRE_NAMES = (        # the centre as a whole
    "waiting", "waiting_priority", "waiting_normal", "hol_all", "all_idle",
    "idle_free_min", "idle_free_median", "idle_over_60", "idle_over_300", "idle_opened_10m",
    "busy_elapsed_min", "busy_elapsed_median",
    "calls_5m", "calls_15m", "queued_calls_5m", "queued_calls_15m", "queued_calls_30m",
    "finished_5m", "arrived_5m", "arrived_15m", "cancelled_15m", "day_abandon",
    "since_call", "since_queued_call", "since_finish", "all_recent_median",
    "hour", "weekday",
)
NAMES = TICKET_NAMES + KIND_NAMES + LINE_NAMES + CENTRE_NAMES
_BLOCK = 1e7            # order keys of one block of tickets lie within this many seconds of each other
NONE = -1.0             # a number that is not there (no projection, no recent wait …)
LONG_AGO = 1e5
QUEUED_S = 1.0          # a call that waited longer than this was taken from the queue
KIND_KEEP = 500


class _Waits:
    """Recent waits of one kind: (called at, wait)."""
    __slots__ = ("last",)

    def __init__(self):
        self.last = deque(maxlen=20)


class Recent:
    """The recent past of a centre, fed every event in order (after it is applied to the state)."""

    def __init__(self):
        self.kinds = {}           # kind → its waits over many days (the kind's usual wait)
        self._kind_stats = {}
        self.today = {}           # kind, ("class", c) or "all" → _Waits of today
        self.calls = deque()      # today's call times (last hour)
        self.queued = deque()     # … of calls that had waited
        self.finished = deque()
        self.arrived = deque()
        self.cancelled = deque()
        self.last_call = self.last_queued = self.last_finish = None
        self.day_issued = self.day_cancelled = 0
        self._summaries = {}

    def summary(self, key):
        """Today's waits of a kind, ("class", c) or "all": (last wait, called at, median and mean of
        the last 5, median and mean of the last 20); NONE where there are none."""
        s = self._summaries.get(key)
        if s is None:
            w = self.today.get(key)
            if w is None or not w.last:
                s = (NONE, None, NONE, NONE, NONE, NONE)
            else:
                s = (w.last[-1][1], w.last[-1][0]) + _recent(w, 5) + _recent(w, 20)
            self._summaries[key] = s
        return s

    def feed(self, e, state):
        kind, at = e["type"], e["at"]
        if kind == "ticket_called":
            if e.get("callback"):
                return
            t = state.tickets.get(e["ticket"])
            if t is None:
                return
            wait = max(0.0, at - t.issued_at)
            k = kind_of(t.item, t.priority)
            d = self.kinds.get(k)
            if d is None:
                d = self.kinds[k] = deque(maxlen=KIND_KEEP)
            d.append(wait)
            self._kind_stats.pop(k, None)
            for key in (k, ("class", t.priority), "all"):
                w = self.today.get(key)
                if w is None:
                    w = self.today[key] = _Waits()
                w.last.append((at, wait))
                self._summaries.pop(key, None)
            _push(self.calls, at)
            self.last_call = at
            if wait > QUEUED_S:
                _push(self.queued, at)
                self.last_queued = at
        elif kind in ("ticket_finished", "ticket_no_show", "ticket_transferred"):
            _push(self.finished, at)
            self.last_finish = at
        elif kind == "ticket_issued":
            _push(self.arrived, at)
            self.day_issued += 1
        elif kind == "ticket_cancelled":
            _push(self.cancelled, at)
            self.day_cancelled += 1
        elif kind == "day_started":
            self.today.clear()
            self._summaries.clear()
            for d in (self.calls, self.queued, self.finished, self.arrived, self.cancelled):
                d.clear()
            self.last_call = self.last_queued = self.last_finish = None
            self.day_issued = self.day_cancelled = 0

    def kind_stats(self, k):
        """(median wait, share not waiting) of a kind over its recent tickets, or (NONE, NONE)."""
        s = self._kind_stats.get(k)
        if s is None:
            d = self.kinds.get(k)
            if not d or len(d) < 10:
                s = (NONE, NONE)
            else:
                v = sorted(d)
                s = (v[len(v) // 2], sum(1 for x in v if x <= QUEUED_S) / len(v))
            self._kind_stats[k] = s
        return s


def _push(d, at):
    """Append a moment, forgetting those over an hour before it."""
    d.append(at)
    while d[0] < at - 3600:
        d.popleft()


def _count(d, now, span):
    """Moments in `d` within `span` seconds before `now`."""
    lo = now - span
    n = 0
    for x in reversed(d):
        if x < lo:
            break
        n += 1
    return n


def _kth_free(frees, queue, k, service):
    """When the window that would take the (k+1)-th ticket in order is free: the (k+1)-th of the
    first free moments of the windows serving its queue, then one service per window for each round
    past them (NONE where no window serves it). `frees`: (all moments, start and size per queue)."""
    import numpy as np
    flat, starts, sizes = frees
    size = sizes[queue]
    k = k.astype(np.intp)
    last = starts[queue] + np.maximum(size - 1, 0)
    at = np.where(k < size, starts[queue] + k, last)
    out = flat[np.where(size > 0, at, len(flat) - 1)]
    past = (k >= size) & (size > 0)
    return np.where(past, out + (k - size + 1) * np.maximum(service, 0.0) / np.maximum(size, 1), out)


def _recent(w, n):
    """(median, mean) of the last n waits in `w` (or NONE)."""
    if w is None or not w.last:
        return NONE, NONE
    v = [x for _, x in list(w.last)[-n:]]
    s = sorted(v)
    return s[len(s) // 2], sum(v) / len(v)


class Context:
    """What the rows of one state at one moment share, computed once; each ticket adds its own part.
    A row is four blocks (NAMES): the ticket's, its kind's, its line's (queue and class) and the
    centre's; kinds and lines are computed once each however many tickets share them."""

    def __init__(self, state, now, recent, offsets, skills, free_since, tz_offset, service, free=None):
        self.state, self.now, self.recent, self.offsets, self.skills = state, now, recent, offsets, skills
        self.free = free or {}          # window → seconds until it is first free (the projection's)
        self.service = service          # queue → expected occupancy (s)
        tickets = state.tickets
        head_of = offsets.of_kind if offsets else (lambda k: 0.0)
        self.waiting = waiting = []
        self.ticket_info = info = {}    # ticket id → (kind, order key, tickets of its queue called before it)
        self.line_hol = {}
        by_class = {}
        heads = {}
        self._queue_keys = queue_keys = {}
        for (q, cls), ids in state.lines.items():
            if not ids:
                continue
            keys = queue_keys.setdefault(q, [])
            higher = 0
            for c in CLASSES:
                if c == cls:
                    break
                higher += len(state.lines.get((q, c), ()))
            for i, tid in enumerate(ids):
                t = tickets[tid]
                waiting.append(t)
                kind = kind_of(t.item, cls)
                h = heads.get(kind)
                if h is None:
                    h = heads[kind] = head_of(kind)
                key = t.since - h
                info[tid] = (kind, key, i + higher)
                keys.append(key)
            self.line_hol[(q, cls)] = (ids[0], now - tickets[ids[0]].since)
            by_class[cls] = by_class.get(cls, 0) + len(ids)
        self._heads = heads
        self.serving, self.free_for = {}, {}
        idle_free, busy_el, opened_idle = [], [], 0
        for w in state.windows.values():
            if w.state != OPEN:
                continue
            for q in w.queues:
                self.serving.setdefault(q, []).append(w)
            if w.ticket is None:
                f = now - free_since.get(w.number, w.since if w.since is not None else now)
                idle_free.append(f)
                self.free_for[w.number] = f
                if w.since is not None and now - w.since < 600:
                    opened_idle += 1
            else:
                t = tickets.get(w.ticket)
                if t is not None and t.called_at is not None:
                    busy_el.append(now - t.called_at)
        idle_free.sort()
        busy_el.sort()
        rc = recent
        hol_all = max((h for _, h in self.line_hol.values()), default=0.0)
        local_s = now + tz_offset
        self.centre = [
            float(len(waiting)), float(by_class.get(CLASSES[0], 0)), float(by_class.get(CLASSES[-1], 0)), hol_all,
            float(len(idle_free)),
            idle_free[0] if idle_free else NONE, idle_free[len(idle_free) // 2] if idle_free else NONE,
            float(sum(1 for x in idle_free if x > 60)), float(sum(1 for x in idle_free if x > 300)), float(opened_idle),
            busy_el[0] if busy_el else NONE, busy_el[len(busy_el) // 2] if busy_el else NONE,
            float(_count(rc.calls, now, 300)), float(_count(rc.calls, now, 900)),
            float(_count(rc.queued, now, 300)), float(_count(rc.queued, now, 900)), float(_count(rc.queued, now, 1800)),
            float(_count(rc.finished, now, 300)),
            float(_count(rc.arrived, now, 300)), float(_count(rc.arrived, now, 900)),
            float(_count(rc.cancelled, now, 900)), rc.day_cancelled / max(1, rc.day_issued),
            now - rc.last_call if rc.last_call is not None else LONG_AGO,
            now - rc.last_queued if rc.last_queued is not None else LONG_AGO,
            now - rc.last_finish if rc.last_finish is not None else LONG_AGO,
            rc.summary("all")[4], (local_s % 86400) / 3600,
            float(int((local_s // 86400 + 3) % 7)),          # weekday, Monday 0 (1970-01-01 was a Thursday)
        ]
        self._queued_15m = self.centre[CENTRE_NAMES.index("queued_calls_15m")]
        self._groups, self._sorted, self._class_hol = {}, {}, {}
        self._kinds, self._kind_rows = {}, []     # kind → row index in _kind_rows
        self._lines, self._line_rows = {}, []     # (queue, class) → (row index, rival queues, head, waiting)
        self._frees = {}                          # queue → sorted first free moments of its windows
        self._line_info, self._line_extra, self._blocks = {}, {}, None
        # order keys are at least a day's first ticket less the largest head start: counted from below that
        self._key0 = min((t.since for t in waiting), default=now) - CAP_S - 1.0

    def _group(self, queue):
        """The queues that share an open window with `queue` (itself included)."""
        g = self._groups.get(queue)
        if g is None:
            share = {queue}
            for w in self.serving.get(queue, ()):
                share.update(w.queues)
            g = self._groups[queue] = frozenset(share)
        return g

    def _keys_of(self, group):
        """Sorted order keys of the tickets waiting in the queues of `group`."""
        s = self._sorted.get(group)
        if s is None:
            by_queue = self._queue_keys
            s = []
            for q in group:
                s.extend(by_queue.get(q, ()))
            s.sort()
            self._sorted[group] = s
        return s

    def _kind(self, kind):
        """Index of the KIND_NAMES row of a kind."""
        i = self._kinds.get(kind)
        if i is not None:
            return i
        now, rc = self.now, self.recent
        head = self._heads.get(kind)
        if head is None:
            head = self._heads[kind] = self.offsets.of_kind(kind) if self.offsets else 0.0
        med, zero = rc.kind_stats(kind)
        les, les_at, k_med, k_mean, k20, _ = rc.summary(kind)
        i = self._kinds[kind] = len(self._kind_rows)
        self._kind_rows.append([head, med, zero, les, now - les_at if les_at is not None else LONG_AGO,
                                k_med, k_mean, k20])
        return i

    def _line(self, queue, cls):
        """(index of the LINE_NAMES row, the queues sharing its windows, the id of its head, the
        tickets waiting in its queue); what the vectorised part needs is kept by row index."""
        c = self._lines.get((queue, cls))
        if c is not None:
            return c
        wc = self.recent.summary(("class", cls))
        ws = self.serving.get(queue, ())
        sk, free = self.skills, self.free_for
        n_idle = idle_sk = open_sk = fresh = stale = 0.0
        for w in ws:
            share = sk.share(w.number, queue) if sk is not None else None
            s = 1.0 if share is None else min(1.0, share * len(w.queues))
            open_sk += s
            if w.ticket is None:
                n_idle += 1
                idle_sk += s
                f = free[w.number]
                if f < 60:
                    fresh += s
                elif f >= 300:
                    stale += s
        lines = self.state.lines
        service = self.service.get(queue, NONE)
        waiting = float(sum(len(lines.get((queue, k), ())) for k in CLASSES))
        self._line_rows.append([
            float(CLASSES.index(cls)) if cls in CLASSES else NONE, service, waiting, wc[2], wc[5],
            float(len(ws)), n_idle, idle_sk, open_sk, len(ws) - n_idle, fresh, stale])
        group = self._group(queue)
        if queue not in self._frees:
            self._frees[queue] = sorted(self.free[w.number] for w in ws if w.number in self.free)
        hol = self.line_hol.get((queue, cls))
        i = len(self._line_rows) - 1
        self._line_info[i] = (group, queue, hol[1] if hol is not None else 0.0)
        self._line_extra[i] = self._hol_of_class(cls)
        c = self._lines[(queue, cls)] = (i, group, hol[0] if hol is not None else None, waiting)
        return c

    def _hol_of_class(self, cls):
        h = self._class_hol.get(cls)
        if h is None:
            h = self._class_hol[cls] = min((self.state.tickets[ids[0]].since for (q, c), ids in self.state.lines.items()
                                            if ids and c == cls), default=float("inf"))
        return h

    def rows(self, items):
        """Rows (NAMES) of [(ticket, its projection (wait, variance))]; a ticket with id None is a
        would-be one (a queue's estimate), standing last in its queue."""
        return self.matrix(items).tolist()

    def matrix(self, items):
        """The same rows as a numpy array (what the trees read), built by blocks: the tickets' own
        numbers computed for all of them at once, the kinds', lines' and centre's looked up."""
        import numpy as np
        n = len(items)
        a, b, c = len(TICKET_NAMES), len(TICKET_NAMES) + len(KIND_NAMES), len(NAMES) - len(CENTRE_NAMES)
        X = np.empty((n, len(NAMES)))
        if not n:
            return X
        info, lines, kinds = self.ticket_info, self._lines, self._kinds
        li = np.empty(n, dtype=np.intp)
        ki = np.empty(n, dtype=np.intp)
        f = np.empty((n, 6))           # order key, place by the policy, mine, since, projected, its variance
        not_head = np.empty(n)
        for j, (t, raw) in enumerate(items):
            q, cls, tid = t.queue, t.priority, t.id
            line = lines.get((q, cls)) or self._line(q, cls)
            mine = info.get(tid) if tid is not None else None
            if mine is not None:
                kind, key, pol = mine
            else:               # a would-be ticket: new, last in its queue
                kind = kind_of(t.item, cls)
                key = t.since - (self.offsets.of_kind(kind) if self.offsets else 0.0)
                pol = line[3]
            k = kinds.get(kind)
            li[j] = line[0]
            ki[j] = k if k is not None else self._kind(kind)
            f[j] = (key, pol, mine is not None, t.since, raw[0], raw[1])
            not_head[j] = line[2] != tid
        K = np.asarray(self._kind_rows)
        L = np.asarray(self._line_rows)
        X[:, a:b] = K[ki]
        X[:, b:c] = L[li]
        X[:, c:] = self.centre
        key, pol, mine, since = f[:, 0], f[:, 1], f[:, 2], f[:, 3]
        # places in the learned order: among the rival queues' tickets, and the queue's own
        groups, queues, frees = self._sorted_blocks()
        gi, qi = self._line_group[li], self._line_queue[li]
        ahead_key = np.searchsorted(groups[0], gi * _BLOCK + (key - self._key0), side="left") - groups[1][gi]
        ahead_q = np.searchsorted(queues[0], qi * _BLOCK + (key - self._key0), side="left") - queues[1][qi]
        service, n_open = self._line_service[li], L[li, LINE_NAMES.index("open_windows")]
        serves = (n_open > 0) & (service != NONE)
        per = np.where(serves, service / np.where(n_open > 0, n_open, 1.0), 0.0)
        hol_class = self._line_class_hol[li]
        T = X[:, :a]
        T[:, 0] = pol
        T[:, 1] = ahead_key
        T[:, 2] = ahead_q
        T[:, 3] = groups[2][gi] - ahead_key - mine
        T[:, 4] = f[:, 4]
        T[:, 5] = np.sqrt(np.maximum(f[:, 5], 0.0))
        T[:, 6] = self._line_hol_wait[li] * not_head
        T[:, 7] = np.where(serves, (pol + 1) * per, NONE)
        T[:, 8] = (ahead_key + 1) * 900.0 / max(1.0, self._queued_15m)
        T[:, 9] = np.where(hol_class < since, self.now - hol_class, 0.0)
        T[:, 10] = _kth_free(frees, qi, ahead_key, service)
        return X

    def _sorted_blocks(self):
        """The sorted order keys of every rival group and every queue, and the windows' free moments
        of every queue, each as one array of consecutive blocks (searched at once for all tickets)."""
        import numpy as np
        if self._blocks is not None and self._blocks[3] == len(self._line_rows):
            return self._blocks[:3]
        info = [self._line_info[i] for i in range(len(self._line_rows))]
        group_ids, queue_ids = {}, {}
        for g, q, _ in info:
            group_ids.setdefault(g, len(group_ids))
            queue_ids.setdefault(q, len(queue_ids))
        key0 = self._key0

        def blocks(ids, values_of):
            flat, starts, sizes = [], [], []
            for x, i in sorted(ids.items(), key=lambda kv: kv[1]):
                v = values_of(x)
                starts.append(len(flat))
                sizes.append(len(v))
                flat.extend(i * _BLOCK + (k - key0) for k in v)
            return np.asarray(flat, dtype=float), np.asarray(starts, dtype=np.intp), np.asarray(sizes, dtype=float)
        groups = blocks(group_ids, self._keys_of)
        queues = blocks(queue_ids, lambda q: self._keys_of(frozenset((q,))))
        fl, fs, fn = [], [], []
        for q, _i in sorted(queue_ids.items(), key=lambda kv: kv[1]):
            v = self._frees[q]
            fs.append(len(fl))
            fn.append(len(v))
            fl.extend(v)
        frees = (np.asarray(fl + [NONE], dtype=float), np.asarray(fs, dtype=np.intp), np.asarray(fn, dtype=np.intp))
        self._line_group = np.asarray([group_ids[g] for g, _, _ in info], dtype=np.intp)
        self._line_queue = np.asarray([queue_ids[q] for _, q, _ in info], dtype=np.intp)
        self._line_service = np.asarray([self._line_rows[i][1] for i in range(len(info))], dtype=float)
        self._line_hol_wait = np.asarray([h for _, _, h in info], dtype=float)
        self._line_class_hol = np.asarray([self._line_extra[i] for i in range(len(info))], dtype=float)
        self._blocks = (groups, queues, frees, len(self._line_rows))
        return self._blocks[:3]
