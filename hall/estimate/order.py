"""The call order a centre really follows, learned from its calls: a head start per kind of ticket.

Hall's own policy (`hall.core.policy`) is strict: priority before appointment before normal, then
the longest wait. A log from elsewhere — or a hall whose staff pick by hand — may follow another
rule. A common one in call centres is the time-shifted priority: a high-priority call is served
before a regular one that has waited less than D seconds longer, after which the older call goes
first. So every kind of ticket (its class and service item; its class alone) gets a head start in
seconds, and the order is by `since - head start`: equal head starts are plain longest-wait, a head
start larger than any wait is strict priority.

The head starts are learned from the calls themselves. When a window calls ticket X while Y, of
another kind, waits in a queue the window takes calls from, X came first in the order: the head
start of Y's kind over X's is less than how much younger Y is than X. Every call gives such bounds
against the longest-waiting ticket of the other kinds waiting, and each kind in turn takes the head
start that the fewest bounds contradict, given the others', until they settle. Every ticket belongs
to two kinds, its class with its item and its class alone, so that a kind with too few calls can
take its class's head start, on the same scale.
"""
from array import array
from collections import deque
from itertools import chain

from ..core.state import CLASSES

CAP_S = 4 * 3600          # a head start this large means "always first": strict priority
KEEP = 500                # bounds kept per pair of kinds: the order follows recent habits
GENERATION_DAYS = 28      # bounds are kept for two generations of this many days (28–56 days): rare pairs
                          # of kinds keep turning up, so without it a year holds 3.5× a month's bounds
MIN_KIND = 30             # calls a kind needs before it has a head start of its own
MIN_PAIR = 20             # bounds a pair of kinds needs before they count
OPEN_S = 1800             # how far first a kind that every bound puts first is placed
RIVALS = 6                # kinds compared with at each call: those waiting longest


def class_kind(cls):
    return f"{cls}|"


def kind_of(item, cls):
    """The kind of a ticket: its class and item ("normal|ps-p1"), or its class alone ("normal|")."""
    return f"{cls}|{item}" if item is not None else f"{cls}|"


def class_of(kind):
    return kind.split("|", 1)[0]


class CallOrder:
    """Bounds on head starts collected from calls; `fit()` turns them into an `Offsets`."""

    def __init__(self):
        self.bounds = {}      # (kind a, kind b), a < b → deque of (is_upper, gap): off_b - off_a < gap or > gap
        self.older = {}       # the same, of the generation before, read-only: flat arrays (flag, gap, …)
        self.days = 0         # days into this generation
        self.calls = {}       # kind → calls seen
        self.skills = Skills()

    def observe(self, state, window, called):
        """`called` (a Ticket, already out of its line) was called at `window`: bounds against the
        longest-waiting ticket of the other kinds in the queues the window takes calls from."""
        mine = {kind_of(called.item, called.priority), class_kind(called.priority)}
        for k in mine:
            self.calls[k] = self.calls.get(k, 0) + 1
        oldest = {}
        tickets = state.tickets
        skills = self.skills
        for q in window.queues:
            if not skills.takes(window.number, q):
                continue        # a window that never serves this queue says nothing of its order
            for cls in CLASSES:
                for tid in state.lines.get((q, cls), ()):
                    y = tickets[tid]
                    for k in (kind_of(y.item, y.priority), class_kind(y.priority)):
                        o = oldest.get(k)
                        if o is None or y.since < o.since:
                            oldest[k] = y
        skills.add(window.number, called.queue)
        rivals = sorted(oldest.items(), key=lambda ky: ky[1].since)[:2 * RIVALS]
        for kb, y in rivals:
            gap = y.since - called.since      # X first ⇒ off_b - off_a < gap
            for ka in mine:
                if ka != kb:
                    self._add(ka, kb, gap)

    def new_day(self):
        self.days += 1
        if self.days >= GENERATION_DAYS:
            # a generation's bounds are many small tuples; kept as one array a pair they cost a sixth
            self.older = {k: array("d", chain.from_iterable(d)) for k, d in self.bounds.items()}
            self.bounds, self.days = {}, 0

    def pairs(self):
        """(pair of kinds, its most recent KEEP bounds) over both generations."""
        for key in self.older.keys() | self.bounds.keys():
            old, new = self.older.get(key), self.bounds.get(key)
            if old is not None:
                old = zip(map(bool, old[0::2]), old[1::2])
            if old is None:
                yield key, list(new)
            elif new is None:
                yield key, list(old)
            else:
                yield key, (list(old) + list(new))[-KEEP:]

    def snapshot(self):
        """A copy to fit apart (in another process) while this one goes on collecting: the current
        generation's deques copied (their tuples shared), the older one's arrays shared (never
        changed, only replaced), so that making it costs little memory."""
        c = CallOrder()
        c.bounds = {k: deque(d, maxlen=KEEP) for k, d in self.bounds.items()}
        c.older = dict(self.older)
        c.calls = dict(self.calls)
        return c

    def _add(self, ka, kb, gap):
        if ka < kb:
            key, upper, g = (ka, kb), True, gap
        else:
            key, upper, g = (kb, ka), False, -gap     # off_a - off_b > -gap
        d = self.bounds.get(key)
        if d is None:
            d = self.bounds[key] = deque(maxlen=KEEP)
        d.append((upper, max(-CAP_S, min(CAP_S, g))))

    def fit(self, rounds=8):
        """Offsets (head starts) of every kind seen often enough: each kind in turn takes the head
        start that the fewest bounds contradict given the others', until they settle."""
        kinds = {k for k, n in self.calls.items() if n >= MIN_KIND}
        by_kind = {k: [] for k in kinds}
        for (a, b), obs in sorted(self.pairs()):
            if a in kinds and b in kinds and len(obs) >= MIN_PAIR:
                by_kind[a].append((b, obs, True))
                by_kind[b].append((a, obs, False))
        off = {k: 0.0 for k in kinds}
        for _ in range(rounds):
            moved = 0.0
            for k in sorted(kinds):
                if not by_kind[k]:
                    continue
                pts = []
                for other, obs, k_is_a in by_kind[k]:
                    base = off[other]
                    for upper, g in obs:
                        # k is b: off_k < off_a + g (upper) or > (lower);
                        # k is a: off_k > off_b - g (upper) or < (lower)
                        if k_is_a:
                            pts.append((not upper, base - g))
                        else:
                            pts.append((upper, base + g))
                v = best_value(pts)
                moved = max(moved, abs(v - off[k]))
                off[k] = v
            if moved < 0.5:
                break
        if off:
            low = min(off.values())
            off = {k: min(CAP_S, v - low) for k, v in off.items()}
        return Offsets(off)


class Skills:
    """Which queues a window really takes calls from: a queue makes up at least SKILL_SHARE of its
    calls (until it has made SKILL_MIN calls, every queue it serves counts)."""
    SKILL_MIN = 20
    SKILL_SHARE = 0.02

    def __init__(self):
        self.counts = {}      # window → {queue: calls}
        self.totals = {}

    def add(self, window, queue):
        c = self.counts.setdefault(window, {})
        c[queue] = c.get(queue, 0) + 1
        self.totals[window] = self.totals.get(window, 0) + 1

    def takes(self, window, queue):
        n = self.totals.get(window, 0)
        if n < self.SKILL_MIN:
            return True
        return self.counts[window].get(queue, 0) >= self.SKILL_SHARE * n

    def share(self, window, queue):
        """Share of the window's calls from this queue (None while it has made too few)."""
        n = self.totals.get(window, 0)
        if n < self.SKILL_MIN:
            return None
        return self.counts[window].get(queue, 0) / n


def best_value(pts):
    """The x that the fewest bounds contradict (upper (True, g): x < g; lower (False, g): x > g):
    the middle of the best interval; OPEN_S beyond its end when it is open on one side."""
    pts.sort(key=lambda ug: ug[1])
    lowers_above = sum(1 for u, _ in pts if not u)
    uppers_below = 0
    best, best_lo, best_hi = None, None, None
    i, n = 0, len(pts)
    prev = -float("inf")
    while True:
        nxt = pts[i][1] if i < n else float("inf")
        v = uppers_below + lowers_above
        if best is None or v < best:
            best, best_lo, best_hi = v, prev, nxt
        if i >= n:
            break
        while i < n and pts[i][1] == nxt:
            if pts[i][0]:
                uppers_below += 1
            else:
                lowers_above -= 1
            i += 1
        prev = nxt
    if best_lo == -float("inf"):
        return best_hi - OPEN_S if best_hi != float("inf") else 0.0
    if best_hi == float("inf"):
        return best_lo + OPEN_S
    return (best_lo + best_hi) / 2


class Offsets:
    """Head start (s) of a ticket's kind: its own when learned, else its class's, else 0."""

    def __init__(self, by_kind=None):
        self.by_kind = by_kind or {}

    def of_kind(self, kind):
        v = self.by_kind.get(kind)
        if v is None:
            v = self.by_kind.get(class_kind(class_of(kind)), 0.0)
        return v

    def of(self, item, cls):
        return self.of_kind(kind_of(item, cls))

    def key(self, ticket):
        return ticket.since - self.of_kind(kind_of(ticket.item, ticket.priority))

    def __bool__(self):
        return bool(self.by_kind)
