"""The ID-card reader driver: poll find → select → read (kiosk/IDCARD.md) on a serial port.

A thread polls the reader every `poll_s`. A card is read once while it stays on the reader; taking
it away and laying it (or another) again reads again. A port that will not open, an answer that
does not come, or a read error (a pty whose other end went away answers EIO: that is an unplugged
USB reader) closes the port and opens it again with growing pauses. `on_card(card)` hears each
card read (an `idcard.Card`), `on_status("ok"|"offline", detail)` each change of the reader's health.
Imports nothing of Hall.
"""
import logging
import select
import termios
import time

import serial

from firmware_bridge.worker import Worker

from . import idcard

log = logging.getLogger(__name__)


class ReaderGone(Exception):
    pass


# what an unplugged USB-serial port raises: pyserial's own errors, EIO, and (from a flush on a pty
# whose other end is gone) termios.error, which is not an OSError
PORT_ERRORS = (serial.SerialException, OSError, ValueError, termios.error)


class Reader(Worker):
    join_s = 5

    def __init__(self, port, baudrate=115200, on_card=None, on_status=None, poll_s=0.3, answer_timeout_s=1.0,
                 reopen_min_s=0.5, reopen_max_s=5.0):
        self.port, self.baudrate = port, baudrate
        self.on_card = on_card or (lambda card: None)
        self.on_status = on_status or (lambda status, detail: None)
        self.poll_s, self.answer_timeout_s = poll_s, answer_timeout_s
        self.reopen_min_s, self.reopen_max_s = reopen_min_s, reopen_max_s
        self.status = None
        self.present = False          # a card is on the reader and was read
        self.counters = dict(reads=0, opens=0, losses=0, bad_frames=0)
        self._ser = None
        self._decoder = idcard.Decoder()
        self._init_worker(f"id reader {self.port}")

    def stop(self):
        super().stop()
        self._close()

    # --- the loop ---

    def _run(self):
        pause = self.reopen_min_s
        while not self._stop.is_set():
            try:
                self._open()
                pause = self.reopen_min_s
                while not self._stop.is_set():
                    self.poll()
                    self._stop.wait(self.poll_s)
            except Exception as e:   # noqa: BLE001 - ReaderGone, or anything a dying port raises: reopen
                if not isinstance(e, ReaderGone):
                    log.warning("ID-card reader %s: %s: %s", self.port, type(e).__name__, e)
                self._close()
                self.counters["losses"] += 1
                self.present = False
                self._set_status("offline", str(e))
                self._stop.wait(pause)
                pause = min(self.reopen_max_s, pause * 2)

    def poll(self):
        """One round: find; for a card not yet read, select and read it. Raises ReaderGone."""
        found = self._ask(idcard.FIND)
        self._set_status("ok", None)
        if found.sw3 != idcard.FOUND:
            self.present = False
            return None
        if self.present:
            return None               # still the card already read
        if self._ask(idcard.SELECT).sw3 != idcard.OK:
            return None
        read = self._ask(idcard.READ_BASE)
        card = idcard.parse_base(read.data) if read.sw3 == idcard.OK else None
        if card is None:
            return None
        self.present = True
        self.counters["reads"] += 1
        try:
            self.on_card(card)
        except Exception:   # noqa: BLE001 - a listener's fault must not stop the reader
            log.exception("handling a card")
        return card

    # --- the port ---

    def _open(self):
        try:
            self._ser = serial.serial_for_url(self.port, baudrate=self.baudrate, timeout=0, write_timeout=1,
                                              exclusive=True)
        except PORT_ERRORS as e:
            raise ReaderGone(f"cannot open {self.port}: {e}") from None
        self._decoder.reset()
        self.counters["opens"] += 1

    def _close(self):
        if self._ser is not None:
            try:
                self._ser.close()
            except PORT_ERRORS:
                pass
            self._ser = None

    def _ask(self, command):
        try:
            self._ser.reset_input_buffer()
            self._ser.write(idcard.request(command))
        except PORT_ERRORS as e:
            raise ReaderGone(f"write to {self.port} failed: {e}") from None
        self._decoder.reset()
        deadline = time.monotonic() + self.answer_timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReaderGone(f"no answer from {self.port}")
            try:
                ready, _, _ = select.select([self._ser.fileno()], [], [], left)
                data = self._ser.read(4096) if ready else b""
            except PORT_ERRORS as e:
                raise ReaderGone(f"read from {self.port} failed: {e}") from None
            if ready and not data:
                raise ReaderGone(f"{self.port} closed")
            before = self._decoder.bad
            for body in self._decoder.feed(data):
                answer = idcard.parse_answer(body)
                if answer is not None:
                    return answer
            self.counters["bad_frames"] += self._decoder.bad - before

    def _set_status(self, status, detail):
        if status != self.status:
            self.status = status
            log.info("ID-card reader %s: %s%s", self.port, status, f" ({detail})" if detail else "")
            try:
                self.on_status(status, detail)
            except Exception:   # noqa: BLE001
                log.exception("reporting the reader's status")
