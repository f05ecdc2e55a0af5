"""Delivers to the hall what may wait: kept evaluations and device status reports.

One thread; after a failure it waits with back-off, and `wake()` (the hall came back, something
new to send) cuts the wait short. A device status is state, not an action: only the latest one
per device is sent, however long the hall was away.
"""
import logging
import threading

from .hall_api import HallUnreachable
from .port import Backoff
from .worker import Worker

log = logging.getLogger(__name__)


class Courier(Worker):
    def __init__(self, api, outbox, low_s=0.2, high_s=10.0):
        self.api, self.outbox = api, outbox
        self.backoff = Backoff(low_s, high_s)
        self.counters = dict(evaluations_sent=0, evaluations_refused=0, reports_sent=0, failures=0)
        self._statuses = {}             # (centre, device) → (status, detail)
        self._lock = threading.Lock()
        self._init_worker("courier")

    def wake(self):
        self._wake.set()

    def status(self, center, device, status, detail=None):
        with self._lock:
            self._statuses[(center, device)] = (status, detail)
        self.wake()

    def _run(self):
        delay = None
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._deliver()
            except HallUnreachable as e:
                self.counters["failures"] += 1
                delay = self.backoff.failed()
                log.info("hall unreachable (%s); retrying in %.1f s", e, delay)
                continue
            self.backoff.succeeded()
            delay = None

    def _deliver(self):
        with self._lock:
            statuses = list(self._statuses.items())
        for (center, device), (status, detail) in statuses:
            code, data = self.api.report(center, device, status, detail)
            if code >= 500 or code == 429:
                raise HallUnreachable(f"device status answered {code}")
            if code >= 400:
                log.warning("the hall refused the status of %s: %s %s", device, code, data)
            with self._lock:
                if self._statuses.get((center, device)) == (status, detail):
                    del self._statuses[(center, device)]
            self.counters["reports_sent"] += 1
        while True:
            rows = self.outbox.pending()
            if not rows:
                return
            for row in rows:
                code, data = self.api.evaluate(row["center"], row["ticket"], row["score"])
                if code >= 500 or code == 429:
                    self.outbox.tried(row["id"])
                    raise HallUnreachable(f"evaluation answered {code}")
                if 200 <= code < 300:
                    self.counters["evaluations_sent"] += 1
                else:
                    # already rated, no such ticket, not served: sending it again cannot change that
                    self.counters["evaluations_refused"] += 1
                    log.warning("the hall refused the evaluation of %s: %s %s", row["number"], code, data)
                self.outbox.done(row["id"])
