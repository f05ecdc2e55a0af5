"""The thread that keeps a process's own Socket.IO connection to the hall (the bridge's live link,
the kiosk agent's link): started once, stopped once, woken from its wait for a disconnection.

The subclass calls `_init_thread(name)` and gives `_run`, which waits on `self._gone` while connected.
"""
import threading


class LinkThread:
    def _init_thread(self, name):
        self._thread_name = name
        self._stop = threading.Event()
        self._gone = threading.Event()      # set when the connection is lost (or on stop)
        self._thread = None
        self.sio = None

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._gone.set()
        disconnect_quietly(self.sio)
        if self._thread:
            self._thread.join(10)

    def _run(self):
        raise NotImplementedError


def disconnect_quietly(sio):
    """Close a Socket.IO client that may be gone already."""
    if sio is None:
        return
    try:
        sio.disconnect()
    except Exception:   # noqa: BLE001 - stopping anyway
        pass
