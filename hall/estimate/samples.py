"""The tickets the learned correction is trained on: the newest `keep` of (day index, row, real
wait), held as three flat arrays that fill up to `keep` and then go round.

A serving process holds this for every centre whatever the length of its log, so it is the one
bound of the estimator that shows in memory: 40,000 rows of 59 numbers as Python float arrays cost
about 25 MB, as float32 here 9.4 MB (a row's numbers are seconds, counts and shares: seven
significant digits are far finer than a wait can be told). Each sample gets a serial number
(`first` is the oldest's), so that persist.py can tell a day it encoded before from one that changed.
"""
import numpy as np

ROW = np.float32


class Samples:
    def __init__(self, width, keep):
        self.width, self.keep = width, keep
        self.first = 0            # serial number of the oldest sample held
        self._n = 0
        self._days = np.empty(0, np.int32)
        self._rows = np.empty((0, width), ROW)
        self._waits = np.empty(0, np.float64)

    def __len__(self):
        return self._n

    def __bool__(self):
        return self._n > 0

    def append(self, day, row, wait):
        if len(row) != self.width:
            raise ValueError(f"a sample row has {len(row)} numbers, not {self.width}")
        if self._n < self.keep:
            if self._n == len(self._days):
                self._grow()
            at = self._n
            self._n += 1
        else:
            at = self.first % self.keep
            self.first += 1
        self._days[at], self._rows[at], self._waits[at] = day, row, wait

    def _grow(self):
        """Double the arrays (up to `keep`): a centre with a week of history holds a week's worth."""
        size = min(self.keep, max(1024, 2 * len(self._days)))
        for name in ("_days", "_rows", "_waits"):
            old = getattr(self, name)
            new = np.empty((size,) + old.shape[1:], old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)

    def arrays(self):
        """(days, rows, waits) oldest first, as copies."""
        if self._n < self.keep:
            n = self._n
            return self._days[:n].copy(), self._rows[:n].copy(), self._waits[:n].copy()
        order = np.roll(np.arange(self.keep), -(self.first % self.keep))
        return self._days[order], self._rows[order], self._waits[order]

    def __iter__(self):
        """(day, row, wait) oldest first; rows as float32 arrays, days and waits as Python numbers."""
        days, rows, waits = self.arrays()
        return zip(days.tolist(), rows, waits.tolist())

    @classmethod
    def of(cls, width, keep, days, rows, waits):
        """Samples holding the newest `keep` of these arrays (oldest first)."""
        s = cls(width, keep)
        days, rows, waits = days[-keep:], rows[-keep:], waits[-keep:]
        s._n = len(days)
        s._days = np.asarray(days, np.int32).copy()
        s._rows = np.asarray(rows, ROW).reshape(len(days), width).copy()
        s._waits = np.asarray(waits, np.float64).copy()
        return s
