"""A serial port as the bus master needs it: open, write, read what arrives before a deadline.

Every way a port can fail — the adapter unplugged (EIO, or a read that says ready and returns
nothing), the device node gone, a write that never drains — comes out as `PortGone`, which the
line answers by closing the port and reopening it with back-off.
"""
import select
import time

import serial


class PortGone(Exception):
    pass


class Port:
    def __init__(self, url, baud):
        self.url, self.baud = url, baud
        self._ser = None

    def open(self):
        try:
            # timeout=0: reads never block; we wait with select() and our own deadline, because
            # changing pyserial's timeout reconfigures the port on every call
            self._ser = serial.serial_for_url(self.url, baudrate=self.baud, bytesize=8, parity="N",
                                              stopbits=1, timeout=0, write_timeout=2, exclusive=True)
        except (serial.SerialException, OSError, ValueError) as e:
            raise PortGone(f"cannot open {self.url}: {e}") from None
        return self

    @property
    def is_open(self):
        return self._ser is not None

    def write(self, data):
        try:
            self._ser.write(data)
        except (serial.SerialException, OSError) as e:
            raise PortGone(f"write to {self.url} failed: {e}") from None

    def read(self, timeout):
        """Bytes that arrive within `timeout` seconds (b"" if none)."""
        try:
            ready, _, _ = select.select([self._ser.fileno()], [], [], max(0.0, timeout))
            return self._ser.read(4096) if ready else b""
        except (serial.SerialException, OSError, ValueError) as e:
            raise PortGone(f"read from {self.url} failed: {e}") from None

    def close(self):
        if self._ser is not None:
            try:
                self._ser.close()
            except (serial.SerialException, OSError):
                pass
            self._ser = None


class Backoff:
    """Delays that double from `low` to `high` and start again at `low` after a success."""

    def __init__(self, low=0.1, high=5.0):
        self.low, self.high = low, high
        self.next = low

    def failed(self):
        delay = self.next
        self.next = min(self.high, self.next * 2)
        return delay

    def succeeded(self):
        self.next = self.low


def sleep_until(t, clock=time.monotonic):
    while True:
        left = t - clock()
        if left <= 0:
            return
        time.sleep(left)
