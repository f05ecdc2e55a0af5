"""The device end of a pseudo-terminal that can be unplugged: what every simulator here shares.

A simulator (the bridge's `sim.SimLine`, the kiosk's `idcard_sim.SimReader`) makes a pty pair and
points a stable path (like /dev/serial/by-id/...) at its slave end, which the process under test
opens as it would a USB-serial adapter. `unplug()` closes both ends and removes the path, so the
other side's port fails as it does when a cable is pulled; `replug()` makes a fresh pair. The
subclass gives `_run` (its thread, started by `start()`) and `_replugged()` (reset its decoder).
"""
import os
import pty
import threading
import tty


class PtyEnd:
    thread_name = "sim"

    def _init_pty(self, path):
        self.path = str(path)
        self._master = self._slave = None
        self._plugged = threading.Event()
        self._running = False
        self._thread = None

    def start(self):
        self._running = True
        self.replug()
        self._thread = threading.Thread(target=self._run, name=f"{self.thread_name} {self.path}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._running = False
        self.unplug()
        if self._thread:
            self._thread.join(5)

    def unplug(self):
        """The cable is pulled: the other side's port fails (EIO) and the path disappears."""
        self._plugged.clear()
        for fd in (self._master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = None
        if os.path.islink(self.path):
            os.unlink(self.path)

    def replug(self):
        master, slave = pty.openpty()
        tty.setraw(slave)     # until the other side opens it, a pty would turn \n into \r\n
        tmp = self.path + ".new"
        if os.path.islink(tmp):
            os.unlink(tmp)
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.path)
        self._replugged()
        self._master, self._slave = master, slave
        self._plugged.set()

    def _replugged(self):
        """A fresh line: forget half-heard bytes."""

    def inject(self, data):
        os.write(self._master, data)

    def _run(self):
        raise NotImplementedError
