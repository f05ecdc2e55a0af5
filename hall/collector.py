"""Python's full garbage collections, taken when the hall is quiet rather than mid-broadcast.

With 1,000 screens connected a full collection walks every object of every connection: 50–90 ms
here (bench/realtime.py, a `gc.callbacks` probe), during which no screen hears anything. Python
starts one whenever enough objects have outlived the younger collections, which, while screens
connect and calls go out, is in the middle of some call's fan-out: the call's p99 at 1,000 screens
on one process went from about 25 ms to over 100 ms whenever one landed. (`gc.freeze()` at start-up,
hall/realtime.py, keeps the start-up objects out of it, but not the connections made later.)

`hall serve` therefore turns the automatic full collection off (the young generations still
collect as before) and a `QuietCollector` runs one itself: once EVERY_S has passed since the last,
as soon as nothing has been broadcast for QUIET_S, and in any case after AT_MOST_S, so that a
process that is never quiet still frees its cyclic garbage. A hall between calls is quiet far
more often than that.
"""
import gc
import time

EVERY_S = 60.0          # a full collection at most this often while the hall is busy...
QUIET_S = 1.0           # ... and only after this long without a broadcast ...
AT_MOST_S = 600.0       # ... unless it has waited this long
CHECK_S = 0.25
NEVER = 1 << 30         # younger collections before Python would start a full one itself


class QuietCollector:
    def __init__(self, clock=time.monotonic, collect=gc.collect):
        self.clock, self.collect = clock, collect
        self.last_full = self.busy_at = clock()
        self.full_collections = 0

    def busy(self):
        """Something was just broadcast (hall/server.py's fan-out)."""
        self.busy_at = self.clock()

    def due(self, now):
        since = now - self.last_full
        return since >= AT_MOST_S or (since >= EVERY_S and now - self.busy_at >= QUIET_S)

    def step(self):
        """A full collection if one is due; whether it ran."""
        now = self.clock()
        if not self.due(now):
            return False
        self.collect()
        self.last_full = self.clock()
        self.full_collections += 1
        return True

    def install(self):
        """Turn Python's own full collections off; the caller runs `step` every CHECK_S."""
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)

    def run(self, sleep=time.sleep):
        self.install()
        while True:
            sleep(CHECK_S)
            self.step()
