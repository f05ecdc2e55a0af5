"""The thread that keeps a process's own Socket.IO connection to the hall (the bridge's live link,
the kiosk agent's link).

The subclass calls `_init_thread(name)` and gives `_run`, which waits on `self._gone` while connected.
"""
from .worker import Worker


class LinkThread(Worker):
    def _init_thread(self, name):
        self._init_worker(name)
        self._gone = self._wake         # set when the connection is lost (or on stop)
        self.sio = None

    def _stopping(self):
        disconnect_quietly(self.sio)


def disconnect_quietly(sio):
    """Close a Socket.IO client that may be gone already."""
    if sio is None:
        return
    try:
        sio.disconnect()
    except Exception:   # noqa: BLE001 - stopping anyway
        pass
