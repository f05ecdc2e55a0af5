"""Play the call policy forward from the current state: when will each waiting ticket be called?

Every window that can call (open, or paused and expected back) becomes free at a projected time:
now if it is idle, after the expected rest of its current ticket, after the expected rest of its
pause. The earliest free window takes the ticket `hall.core.policy` would give it (priority class
first, then its mode: `ordered` by its queue list, `longest_wait` by the ticket's `since`), and is
busy for the expected occupancy of that ticket's queue at that window and hour. Tickets no window
can call get no projection.

The same pass answers "how long would a normal ticket taken now in queue q wait" for every queue
at once: such a ticket stands behind every real one, so nothing changes until the first moment a
free window's policy would pick it, and that moment is its call time.

With deterministic service times the projection is exact. Each projected wait also carries the
variance that the occupancies before it add up to, for a range when nothing better is learned.
"""
from heapq import heappush, heappop

from ..core.state import CLASSES, OPEN, PAUSED

NORMAL = CLASSES[-1]
HORIZON_S = 8 * 3600      # no projection looks further than a working day
FUTURE_S = 2 * 3600       # nor expects arrivals at today's rate for more than two hours


class Projection:
    __slots__ = ("now", "tickets", "queues", "free")

    def __init__(self, now):
        self.now = now
        self.tickets = {}     # ticket id → (wait s, variance)
        self.queues = {}      # queue → (wait s, variance) of a normal ticket taken now
        self.free = {}        # window → seconds until it is first free to call (open or paused ones)


def project(state, now, times):
    """A Projection of `state` at `now`; `times` answers occupancy(queue, window, at) → (mean, var),
    residual(ticket, window, now), pickup_left(window, now), pickup_mean(window), pause_left(window, now)
    (each → (mean, var)) and arrivals(now) → [(queue, class, per second)]: the citizens still to come,
    who take their place by the same policy (a priority ticket ahead of every normal one; a queue a
    window lists first ahead of the ones after it)."""
    out = Projection(now)
    lines, heads = {}, {}
    for (q, cls), ids in state.lines.items():
        if ids:
            lines[(q, cls)] = ids
            heads[(q, cls)] = 0
    future = {}
    for q, cls, rate in times.arrivals(now):
        # only priority citizens to come change the order of those waiting now (they go first);
        # normal ones would only in `ordered` windows, where they proved too rare to pay for
        if rate > 0 and cls != NORMAL:
            future[(q, cls)] = _Stream(now, rate)
    pending_virtual = set(state.config.queues)
    heap = []
    tickets = state.tickets
    busy = []
    for w in state.windows.values():
        if w.state == OPEN:
            if w.ticket is not None:
                busy.append((times.residual(tickets[w.ticket], w, now)[0], w))
            else:
                m, v = times.pickup_left(w, now)
                heappush(heap, (now + m, v, w.number))
        elif w.state == PAUSED:
            m, v = times.pause_left(w, now)
            if w.ticket is not None:
                rm, rv = times.residual(tickets[w.ticket], w, now)
                m, v = m + rm, v + rv
            heappush(heap, (now + m, v, w.number))
    # The busy windows do not all free up at their mean: of the c windows serving a queue, the first
    # frees up as early as the earliest of c draws. Each window's rest is taken at a quantile spread
    # like the order statistics of its queues' pools, in the order of their means.
    busy.sort(key=lambda mw: (mw[0], mw[1].number))
    pools = {}
    for _, w in busy:
        for q in w.queues:
            pools.setdefault(q, []).append(w.number)
    for _, w in busy:
        u = sum((pools[q].index(w.number) + 1) / (len(pools[q]) + 1) for q in w.queues) / len(w.queues)
        m, v = times.residual(tickets[w.ticket], w, now, u)
        heappush(heap, (now + m, v, w.number))
    windows = state.windows
    remaining = sum(len(ids) for ids in lines.values())
    left = {}             # queue → real tickets not yet projected: while a window's queues hold some,
    by_class = {}         # a new normal ticket cannot be its next call
    for (q, cls), ids in lines.items():
        left[q] = left.get(q, 0) + len(ids)
        by_class[cls] = by_class.get(cls, 0) + len(ids)
    future_classes = {cls for _, cls in future}
    live = tuple(c for c in CLASSES if by_class.get(c) or c in future_classes)     # classes a window may take
    streams = {}          # window → the future streams of its queues
    queue_sets = {}
    for w in windows.values():
        queue_sets[w.number] = frozenset(w.queues)
        if future:
            streams[w.number] = [future[(q, c)] for q in w.queues for c in CLASSES if (q, c) in future]
    occupancy, pickup = times.occupancy, times.pickup_mean
    for t, _, n in heap:
        out.free[n] = t - now
    while heap and (remaining or pending_virtual):
        t, var, n = heappop(heap)
        if t - now > HORIZON_S:
            break
        w = windows[n]
        mine = streams.get(n, ())
        for f in mine:
            f.until(t)
        if pending_virtual and not pending_virtual.isdisjoint(queue_sets[n]) and not (
                left.get(w.queues[0]) if w.mode == "ordered" else any(left.get(q) for q in w.queues)):
            _virtual_calls(w, lines, heads, future, pending_virtual, out, t - now, var)
        picked = _pick(w, lines, heads, tickets, future, live)
        if picked is None:
            if mine and (remaining or pending_virtual):
                nxt = min(f.next for f in mine)
                if nxt - now < FUTURE_S:
                    heappush(heap, (nxt, var, n))   # idle until the next one comes
            continue      # nothing it serves will come: the real lines only shrink
        queue, tid, cls = picked
        if tid is not None:
            remaining -= 1
            left[queue] -= 1
            by_class[cls] -= 1
            if not by_class[cls] and cls not in future_classes:
                live = tuple(c for c in live if c != cls)
            out.tickets[tid] = (t - now, var)
        m, v = occupancy(queue, w, t)
        pm, pv = pickup(w)
        heappush(heap, (t + m + pm, var + v + pv, n))
    return out


class _Stream:
    """Citizens expected in one line at a steady rate: their arrival times as they come due."""
    __slots__ = ("start", "next", "gap", "arrived")

    def __init__(self, now, rate):
        self.start = now
        self.gap = 1.0 / rate
        self.next = now + self.gap
        self.arrived = []

    def until(self, t):
        while self.next <= t and self.next - self.start < FUTURE_S:
            self.arrived.append(self.next)
            self.next += self.gap

    def __bool__(self):
        return bool(self.arrived)


def _pick(w, lines, heads, tickets, future, classes=CLASSES):
    """`hall.core.policy.next_ticket` on the projected lines: (queue, ticket id, class), or (queue,
    None, class) for a citizen still to come; real tickets of a line stand before its future ones.
    `classes`: those that may still have someone (the others are skipped)."""
    for cls in classes:
        best_key, best_since, best_real = None, None, False
        for q in w.queues:
            key = (q, cls)
            ids = lines.get(key)
            i = heads.get(key, 0)
            if ids is not None and i < len(ids):
                since, real = tickets[ids[i]].since, True
            else:
                f = future.get(key)
                if not f:
                    continue
                since, real = f.arrived[0], False
            if w.mode == "ordered":
                best_key, best_real = key, real
                break
            if best_key is None or since < best_since:
                best_key, best_since, best_real = key, since, real
        if best_key is not None:
            if best_real:
                i = heads[best_key]
                heads[best_key] = i + 1
                return best_key[0], lines[best_key][i], cls
            future[best_key].arrived.pop(0)
            return best_key[0], None, cls
    return None


def _empty(lines, heads, key, future=None):
    ids = lines.get(key)
    if ids is not None and heads[key] < len(ids):
        return False
    return not (future and future.get(key))


def _virtual_calls(w, lines, heads, future, pending, out, wait, var):
    """Queues whose would-be new normal ticket this window's policy would call now: no priority
    ticket (real or come since) for it, and in `ordered` mode no one in the queues it lists first."""
    for cls in CLASSES[:-1]:
        if not all(_empty(lines, heads, (q, cls), future) for q in w.queues):
            return
    if w.mode == "ordered":
        for q in w.queues:
            if q in pending and _empty(lines, heads, (q, NORMAL)):
                out.queues[q] = (wait, var)
                pending.discard(q)
            if not _empty(lines, heads, (q, NORMAL), future):
                return      # someone of this queue comes first, and blocks the queues after it
    elif all(_empty(lines, heads, (q, NORMAL)) for q in w.queues):
        for q in w.queues:
            if q in pending:
                out.queues[q] = (wait, var)
                pending.discard(q)
