"""One background thread per object, as the bridge's lines, courier and links and the kiosk agent's
reader and link each keep: started once, stopped once, woken early from its waits.

The subclass calls `_init_worker(name)` and gives `_run`, which loops until `self._stop` is set and
waits on `self._wake` (or `self._stop`); `_stopping()` runs between the signal and the join.
"""
import threading


class Worker:
    join_s = 10

    def _init_worker(self, name):
        self._thread_name = name
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._wake.set()
        self._stopping()
        if self._thread:
            self._thread.join(self.join_s)

    def _stopping(self):
        """Unblock what the thread may be waiting on besides the events (a socket, say)."""

    def _run(self):
        raise NotImplementedError
