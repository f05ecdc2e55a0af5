"""A thermal printer on the far side of a pseudo-terminal: it keeps what it is sent and answers the
ESC/POS real-time status request (DLE EOT n) the way a real one does, from a state the test sets."""
import os
import select
import threading
import tty

DLE_EOT = b"\x10\x04"


class PtyPrinter:
    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)             # no \n → \r\n before the kiosk opens its end
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self.paper = "ok"                  # ok | low | out
        self.cover_open = False
        self.silent = False                # a printer that never answers (switched off)
        self._scanned = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _status(self, n):
        offline = self.cover_open or self.paper == "out"
        if n == 1:
            return 0x12 | (0x08 if offline else 0)
        if n == 2:
            return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper == "out" else 0)
        if n == 4:
            return 0x12 | {"ok": 0, "low": 0x0C, "out": 0x60}[self.paper]
        return 0x12

    def _serve(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:                # every slave end closed for a moment
                continue
            self.received += chunk
            while True:
                i = self.received.find(DLE_EOT, self._scanned)
                if i < 0 or i + 2 >= len(self.received):
                    break
                self._scanned = i + 3
                if not self.silent:
                    os.write(self.master, bytes([self._status(self.received[i + 2])]))

    def printed(self):
        """What was sent, less the status requests."""
        out = bytes(self.received)
        for n in (1, 2, 4):
            out = out.replace(DLE_EOT + bytes([n]), b"")
        return out

    def close(self):
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)
