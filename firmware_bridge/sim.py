"""Simulated devices on a pseudo-terminal: the device side of HQ-485, for tests and the demo.

`SimLine` makes a pty pair and points a stable path (like /dev/serial/by-id/...) at its slave
end, which the bridge opens as it would a USB-RS485 adapter. One thread plays every device on
the line: it decodes the master's frames with the same decoder, answers for the addressed device
and keeps the line's timing — a frame takes its wire time at the configured baud rate, a device
answers `response_s` after a request ends — so that latencies measured here are those of a real
line, not of a pty (which moves bytes instantly).

Faults a test can cause: `unplug()`/`replug()` the adapter, `power_off(addr)`/`power_on(addr)` a
device, `corrupt_replies(n)`, `duplicate_replies(n)`, `drop_acks(addr, n)` (a device that misses
the master's acknowledgements, so it reports the same event again), `inject(bytes)`.

Device firmware rules the simulator follows (PROTOCOL.md, "Device behaviour"): a device that has
not been polled for `watchdog_s` shows 系统离线 and refuses key presses; a key press not reported
within `key_expiry_s` is dropped; SYNC drops a key reported and not acknowledged (an evaluation is
reported again); an evaluator reports 0 when its prompt times out.
"""
import collections
import logging
import os
import select
import threading
import time

from . import timing
from .ptyend import PtyEnd
from .drivers.hq485 import BROADCAST, HQ485, NAK_NOT_SYNCED
from .messages import (Ack, Acked, Brightness, Effect, Envelope, Evaluation, Heartbeat, Key, KeyPress, Kind, Nak,
                       NO_ANSWER, Poll, Prompt, ShowText, Sync)

log = logging.getLogger(__name__)

EVENT_QUEUE = 8
WATCHDOG_S = 3.0
KEY_EXPIRY_S = 2.0
OFFLINE_TEXT = "系统离线"


class SimDevice:
    kind = None
    watchdog_s = WATCHDOG_S
    key_expiry_s = KEY_EXPIRY_S

    def __init__(self, address, name=None):
        self.address = address
        self.name = name or f"{self.kind.name.lower()}@{address}"
        self.lock = threading.Condition()
        self.powered = True
        self.brightness = None
        self.history = []            # (monotonic time, what) of everything the device did
        self._reset()

    def _reset(self):
        self.synced = False
        self.last_cmd_seq = None
        self.event_seq = 0
        self.events = collections.deque()   # (event, when it happened), not yet reported
        self.outstanding = None      # (seq, body) reported and not yet acknowledged
        self.expired = 0
        self.last_polled = None
        self.reports = 0
        self.repeats = 0
        self.polls = 0
        self.drop_acks = 0

    # --- what the line thread calls ---

    def handle(self, env, at):
        """The answer body and bit to a request that ended at `at`, or None for silence."""
        with self.lock:
            if not self.powered:
                return None
            body = env.body
            self.last_polled = at        # any frame from the master shows it is there
            if isinstance(body, Poll):
                self.polls += 1
                return self._poll_reply()
            if isinstance(body, Sync):
                if self.outstanding is not None and not isinstance(self.outstanding[1], KeyPress):
                    # a rating is reported again (the master treats a second one as delivered); a key
                    # the master may already have acted on is not
                    self.events.appendleft((self.outstanding[1], at))
                self.synced, self.last_cmd_seq, self.event_seq, self.outstanding = True, None, 0, None
                self._record(at, ("sync",))
                return Acked("sync"), 0
            if isinstance(body, Ack):
                if self.outstanding is not None and env.seq == self.outstanding[0]:
                    if self.drop_acks:
                        self.drop_acks -= 1
                    else:
                        self.outstanding = None
                        self.event_seq ^= 1
                        self.lock.notify_all()
                return None
            if isinstance(body, Nak):
                return body, 0
            if not self.synced:
                return Nak(_command_name(body), NAK_NOT_SYNCED), env.seq
            if env.seq != self.last_cmd_seq:
                self.last_cmd_seq = env.seq
                self.execute(body, at)
            else:
                self.repeats += 1
            self.lock.notify_all()
            return Acked(_command_name(body)), env.seq

    def _poll_reply(self):
        if not self.synced:
            return Heartbeat(self.kind, boot=True), 0
        self._expire_keys()
        if self.outstanding is None and self.events:
            self.outstanding = (self.event_seq, self.events.popleft()[0])
        if self.outstanding is not None:
            self.reports += 1
            self.lock.notify_all()
            return self.outstanding[1], self.outstanding[0]
        return Heartbeat(self.kind, busy=self.busy()), 0

    def busy(self):
        return False

    def tick(self, now):
        if self.powered and self.synced and self.watchdog_expired(now):
            # no master for a while: the session is over; answer BOOT until synced again
            self.synced = False
            self.events = collections.deque(e for e in self.events if not isinstance(e[0], KeyPress))
            self.outstanding = None
            self.session_lost(now)

    def session_lost(self, now):
        pass

    def execute(self, body, at):
        if isinstance(body, Brightness):
            self.brightness = body.level
            self._record(at, ("brightness", body.level))
        else:
            self.show(body, at)

    def show(self, body, at):
        pass

    def _record(self, at, what):
        self.history.append((at, what))
        self.lock.notify_all()

    def _queue(self, event):
        if len(self.events) >= EVENT_QUEUE:
            return False
        self.events.append((event, time.monotonic()))
        return True

    def _expire_keys(self):
        """A key press not reported within key_expiry_s is dropped: acted on promptly or not at all."""
        now = time.monotonic()
        kept = collections.deque(e for e in self.events
                                 if not (isinstance(e[0], KeyPress) and now - e[1] > self.key_expiry_s))
        if len(kept) != len(self.events):
            self.expired += len(self.events) - len(kept)
            self.events = kept
            self.lock.notify_all()

    def synced_since(self, t):
        return any(at >= t and what == ("sync",) for at, what in self.history)

    def watchdog_expired(self, now=None):
        now = time.monotonic() if now is None else now
        return self.last_polled is None or now - self.last_polled > self.watchdog_s

    # --- what a test does to the device ---

    def power_off(self):
        with self.lock:
            self.powered = False

    def power_on(self):
        with self.lock:
            self.powered = True
            self._reset()
            self.power_cycled()

    def power_cycled(self):
        pass

    def wait_for(self, predicate, timeout=5.0):
        """Wait until predicate(self) holds (checked under the device's lock); return its value."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name}: condition not met within {timeout} s; "
                                       f"history {self.history[-5:]}")
                self.lock.wait(left)


class TextDevice(SimDevice):
    """A device with text zones (LED display, bar, the keypad's two lines)."""
    zones = 1

    def _reset(self):
        super()._reset()
        self.texts = [""] * self.zones
        self.effects = [Effect.STATIC] * self.zones

    def show(self, body, at):
        if isinstance(body, ShowText) and body.zone < self.zones:
            self.texts[body.zone] = body.text
            self.effects[body.zone] = body.effect
            self._record(at, ("text", body.zone, body.text, body.effect))

    @property
    def text(self):
        return self.texts[0]

    def wait_text(self, needle, timeout=5.0, zone=0):
        return self.wait_for(lambda d: needle in d.texts[zone] and d.texts[zone], timeout)

    def shown_at(self, needle, after=0.0, zone=0):
        """When a text containing `needle` was first shown after `after` (monotonic), or None."""
        with self.lock:
            for at, what in self.history:
                if at >= after and what[0] == "text" and what[1] == zone and needle in what[2]:
                    return at
        return None


class SimLed(TextDevice):
    kind = Kind.LED


class SimBar(TextDevice):
    kind = Kind.BAR


class SimKeypad(TextDevice):
    kind = Kind.KEYPAD
    zones = 2

    def press(self, key, arg=0):
        """Press a key (a `Key` or its action name). False when the keypad refuses it (offline)."""
        key = key if isinstance(key, Key) else Key[str(key).upper().replace("-", "_")]
        with self.lock:
            if not self.powered:
                return False
            now = time.monotonic()
            if not self.synced or self.watchdog_expired(now):
                self._record(now, ("refused", key.action))
                return False
            ok = self._queue(KeyPress(key, arg))
            self._record(now, ("press", key.action, arg))
            return ok

    def session_lost(self, now):
        self.texts[1] = OFFLINE_TEXT
        self._record(now, ("text", 1, OFFLINE_TEXT, Effect.STATIC))


class SimEvaluator(SimDevice):
    kind = Kind.EVALUATOR

    def _reset(self):
        super()._reset()
        self.prompt = None          # (prompt id, text, deadline)
        self.results = []

    def busy(self):
        return self.prompt is not None

    def show(self, body, at):
        if isinstance(body, Prompt):
            self.prompt = (body.prompt, body.text, at + body.timeout_s)
            self._record(at, ("prompt", body.prompt, body.text))

    def press(self, score):
        """The citizen presses one of the five keys (5 非常满意 … 1 非常不满意)."""
        if score not in range(1, 6):
            raise ValueError("score is 1..5")
        with self.lock:
            if self.prompt is None or not self.powered:
                return False
            ok = self._queue(Evaluation(self.prompt[0], score))
            self.results.append((self.prompt[0], score))
            self._record(time.monotonic(), ("press", score))
            self.prompt = None
            return ok

    def tick(self, now):
        super().tick(now)
        if self.prompt is not None and now >= self.prompt[2]:
            self._queue(Evaluation(self.prompt[0], NO_ANSWER))
            self._record(now, ("timeout", self.prompt[0]))
            self.prompt = None


KINDS = {"keypad": SimKeypad, "evaluator": SimEvaluator, "led": SimLed, "bar": SimBar}


def _command_name(body):
    return {ShowText: "text", Brightness: "brightness", Prompt: "prompt", Sync: "sync"}.get(type(body), "0x3f")


class SimLine(PtyEnd):
    """Devices on one simulated RS-485 line, reachable at `path` (a symlink to a pty)."""

    def __init__(self, path, baud, devices, response_s=timing.RESPONSE_TYPICAL_S, pace=True, driver=None):
        self._init_pty(path)
        self.baud = baud
        self.devices = {d.address: d for d in devices}
        self.response_s, self.pace = response_s, pace
        self.driver = driver or HQ485()
        self.decoder = self.driver.decoder()
        self.counters = collections.Counter()
        self._fault_lock = threading.Lock()
        self._corrupt = collections.Counter()       # address (None: any) → replies to damage
        self._duplicate = collections.Counter()
        self._line_free = 0.0
        self.last_command_at = 0.0          # when a frame other than a poll last ended (monotonic)

    def __getitem__(self, address):
        return self.devices[address]

    def _replugged(self):
        self.decoder.reset()

    # --- faults ---

    def corrupt_replies(self, n=1, address=None):
        """Damage the CRC of the next n replies (of one device, or of any)."""
        with self._fault_lock:
            self._corrupt[address] += n

    def duplicate_replies(self, n=1, address=None):
        """Send each of the next n replies twice, back to back."""
        with self._fault_lock:
            self._duplicate[address] += n

    def drop_acks(self, address, n=1):
        with self.devices[address].lock:
            self.devices[address].drop_acks += n

    # --- the line ---

    def _run(self):
        while self._running:
            if not self._plugged.wait(0.05):
                self._tick(time.monotonic())     # unplugged, the devices still keep time
                continue
            fd = self._master
            try:
                ready, _, _ = select.select([fd], [], [], max(0.002, 3.5 * timing.char_s(self.baud)))
                data = os.read(fd, 4096) if ready else b""
            except (OSError, ValueError, TypeError):
                continue        # unplugged under our feet
            now = time.monotonic()
            if not data:
                if self.decoder.pending:
                    self._frames(self.decoder.idle(), now)
                self._tick(now)
                continue
            self._frames(self.decoder.feed(data), now)

    def _frames(self, frames, arrived):
        for frame in frames:
            nbytes = len(frame.payload) + 6
            done = max(arrived, self._line_free) + (timing.wire_s(nbytes, self.baud) if self.pace else 0)
            self._line_free = done
            env = self.driver.decode_request(frame)
            if env is None:
                continue
            self.counters["requests"] += 1
            if not isinstance(env.body, Poll):
                self.last_command_at = done
                self.counters["command_bytes"] += nbytes
            if env.address == BROADCAST:
                if self.pace:
                    _sleep_until(done)
                for d in self.devices.values():
                    d.handle(env, done)          # every device obeys, none answers
                continue
            device = self.devices.get(env.address)
            if device is None:
                continue
            if self.pace:
                _sleep_until(done)
            answer = device.handle(env, done)
            self._tick(done)
            if answer is None:
                continue
            sent = self._reply(env.address, *answer, done)
            if not isinstance(env.body, Poll):
                self.counters["command_bytes"] += sent

    def _tick(self, now):
        for d in self.devices.values():
            with d.lock:
                d.tick(now)

    def _reply(self, address, body, seq, request_done):
        data = self.driver.encode_reply(Envelope(address, body, seq))
        send_at = request_done + self.response_s + (timing.wire_s(len(data), self.baud) if self.pace else 0)
        with self._fault_lock:
            corrupt = _take(self._corrupt, address)
            duplicate = not corrupt and _take(self._duplicate, address)
        if corrupt:
            data = data[:-1] + bytes((data[-1] ^ 0xFF,))
            self.counters["corrupted"] += 1
        if self.pace:
            _sleep_until(send_at)
        try:
            os.write(self._master, data + (data if duplicate else b""))
        except (OSError, TypeError):
            return 0
        self.counters["replies"] += 1
        self.counters["duplicated"] += duplicate
        self._line_free = time.monotonic()
        return len(data)


def _take(faults, address):
    for key in (address, None):
        if faults[key] > 0:
            faults[key] -= 1
            return True
    return False


def _sleep_until(t):
    while True:
        left = t - time.monotonic()
        if left <= 0:
            return
        time.sleep(left)


def build(line_config, response_s=timing.RESPONSE_TYPICAL_S, pace=True):
    """A SimLine for one `lines:` entry of a bridge config (see config.py)."""
    devices = [KINDS[d.kind](d.address, d.name) for d in line_config.devices]
    return SimLine(line_config.port, line_config.baud, devices, response_s=response_s, pace=pace)
