"""From a projected wait to an honest one: what real waits followed projections like it.

The projection knows the policy and the windows but not what it cannot see: citizens who will
jump the line with a priority ticket, staff who step away, no-shows that free a window early, a
call centre's routing that is not ours. So every ticket's projection at the moment it joined is
kept, and when it is called the real wait is filed under the projection's size (log-spaced bins)
and the ticket's kind (queue, class, service item), with coarser kinds behind them for cells with
few tickets. An estimate is the median of its cell and the range the middle 80% of it:
ratios real/projected where the projection is positive, plain waits where it is zero or absent.
This is a conditional-quantile (split-conformal style) correction: it holds its coverage whatever
the projection's errors are, as long as the recent past looks like the present.
"""
from collections import deque

from ..stats import central_range, quantile

KEEP = 600          # recent tickets per cell: old habits of a hall fade
MIN_CELL = 40       # a cell answers once it has seen this many tickets
EDGES = (20, 45, 90, 180, 360, 720, 1440, 2880)


def bin_of(raw):
    if raw is None:
        return "none"
    if raw <= 0.5:
        return "zero"
    for i, e in enumerate(EDGES):
        if raw <= e:
            return i
    return len(EDGES)


class Cell:
    __slots__ = ("values", "_q")

    def __init__(self):
        self.values = deque(maxlen=KEEP)
        self._q = None

    def add(self, x):
        self.values.append(x)
        self._q = None

    def quantiles(self, width):
        """(low, median, high) holding `width` of the values even where many tie (a cell where most
        were called at once): the high end is taken `width` above what lies below the low end."""
        if self._q is None or self._q[0] != width:
            v = sorted(self.values)
            lo, hi = central_range(v, width)
            self._q = (width, (lo, quantile(v, 0.5), hi))
        return self._q[1]


class Calibration:
    """Cells of real waits by kind and projection size, and the range's width kept honest: the
    width steers itself so that the share of real waits inside the ranges given stays at 80%
    (adaptive conformal inference: a miss widens it a little, a hit narrows it a little)."""
    TARGET = 0.8
    STEP = 0.005

    def __init__(self):
        self.cells = {}
        self.version = 0
        self.width = self.TARGET
        self._memo, self._memo_version = {}, 0      # the cell answering each kind and bin, until the next add

    @staticmethod
    def kinds(queue, cls, item):
        return ((queue, cls, item), (queue, cls), (cls,), ())

    def add(self, queue, cls, item, raw, real):
        said = self.apply(queue, cls, item, raw)
        if said is not None:
            inside = said[0] - 0.5 <= real <= said[2] + 0.5
            self.width = min(0.98, max(0.5, self.width + self.STEP * ((0.0 if inside else 1.0) - (1 - self.TARGET))))
        b = bin_of(raw)
        x = real / raw if isinstance(b, int) else real
        for kind in self.kinds(queue, cls, item):
            c = self.cells.get((kind, b))
            if c is None:
                c = self.cells[(kind, b)] = Cell()
            c.add(x)
        self.version += 1

    def apply(self, queue, cls, item, raw):
        """(p10, p50, p90) of the real wait after this projection, or None while nothing is learned."""
        b = bin_of(raw)
        width = round(self.width, 2)
        if self._memo_version != self.version:
            self._memo.clear()
            self._memo_version = self.version
        key = (queue, cls, item, b, width)
        q = self._memo.get(key, False)
        if q is False:
            q = None
            for kind in self.kinds(queue, cls, item):
                c = self.cells.get((kind, b))
                if c is not None and len(c.values) >= MIN_CELL:
                    q = c.quantiles(width)
                    break
            self._memo[key] = q
        if q is None:
            return None
        lo, mid, hi = q
        if isinstance(b, int):
            return lo * raw, mid * raw, hi * raw
        return lo, mid, hi
