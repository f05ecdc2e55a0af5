"""A simulated ID-card reader on a pseudo-terminal: the reader's side of `kiosk/IDCARD.md`.

`SimReader(path)` makes a pty pair and points `path` (a stable name, like /dev/serial/by-id/...)
at its slave end, which the kiosk agent opens as it would the reader's USB-serial port. A thread
answers find, select and read as a real reader does, `answer_s` after each request. A test or the
demo lays a card (`lay(fields)`), takes it away (`remove()`), pulls the cable (`unplug()`,
`replug()`) or garbles the line (`inject(bytes)`); the pty's life is `firmware_bridge.ptyend`'s.
Imports nothing of Hall.
"""
import os
import select
import threading
import time

from firmware_bridge.ptyend import PtyEnd

from . import idcard


class SimReader(PtyEnd):
    thread_name = "sim reader"

    def __init__(self, path, answer_s=0.005):
        self._init_pty(path)
        self.answer_s = answer_s
        self.card = None              # the text fields of the card in the field, or None
        self.photo = b""
        self.requests = []            # (CMD, PARA) of every request heard, in order
        self.reads = 0                # successful read-base answers
        self.laid_at = None           # time.monotonic() when the card was last laid (benches)
        self._lock = threading.Lock()
        self._decoder = idcard.Decoder()

    def _replugged(self):
        self._decoder.reset()

    # --- the card ---

    def lay(self, fields, photo=b""):
        with self._lock:
            self.card, self.photo = dict(fields), photo
            self.laid_at = time.monotonic()

    def remove(self):
        with self._lock:
            self.card = None

    # --- the line ---

    def _run(self):
        while self._running:
            if not self._plugged.wait(0.05):
                continue
            fd = self._master
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                data = os.read(fd, 4096) if ready else b""
            except (OSError, ValueError, TypeError):
                continue              # unplugged under our feet, or nobody has the port open
            for body in self._decoder.feed(data):
                reply = self._answer(body)
                if reply is None:
                    continue
                time.sleep(self.answer_s)
                try:
                    os.write(fd, reply)
                except OSError:
                    pass

    def _answer(self, body):
        if len(body) < 2:
            return None
        command = (body[0], body[1])
        self.requests.append(command)
        with self._lock:
            card, photo = self.card, self.photo
        if command == idcard.FIND:
            return idcard.answer(idcard.FOUND, bytes(4)) if card else idcard.answer(idcard.NONE_FOUND)
        if command == idcard.SELECT:
            return idcard.answer(idcard.OK, bytes(8)) if card else idcard.answer(idcard.SELECT_FAILED)
        if command == idcard.READ_BASE:
            if not card:
                return idcard.answer(0x41)
            self.reads += 1
            return idcard.answer(idcard.OK, idcard.base_data(card, photo))
        return None                   # a reader is silent to what it does not know
