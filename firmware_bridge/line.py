"""The bus master of one RS-485 line: polls every device in turn and keeps each display right.

One thread owns the port; nothing else writes to it, which is what half duplex demands. Between
polls it sends what devices should be showing and are not (`Device.outputs`), most urgent first
(window LEDs first, then evaluator prompts and keypads, bars last), at most a few per poll so
that polling — and with it every key press — never starves.

Sequence bits (PROTOCOL.md, "Sequence bits"): an event (key, evaluation) whose bit equals the last
one accepted from the device is a repeat — acknowledged again, not acted on again. A command is
resent with the same bit until the device acknowledges it, and only then may the next command
(with the other bit) go: with one bit, a new command sent over an unacknowledged one could be
mistaken by the device for a repeat.

A device that misses `offline_misses` answers in a row is reported offline and then only probed
every `probe_s`; when it answers again it is reported back, re-synchronised and sent its displays.
A port that fails is closed and reopened with back-off; if it stays away `port_down_offline_s`,
its devices are reported offline too.
"""
import logging
import time

from . import timing
from .messages import Ack, Acked, Envelope, EVENTS, Heartbeat, KeyPress, Nak, Poll, Sync
from .port import Backoff, Port, PortGone
from .worker import Worker

log = logging.getLogger(__name__)

NAK_NOT_SYNCED = 4


class Link:
    """What the master knows of one device on its line."""

    def __init__(self, device):
        self.device = device
        self.address = device.address
        self.online = None          # None until first heard or given up on
        self.synced = False
        self.rx_seq = None          # bit of the last event accepted from the device
        self.next_seq = 0           # bit the next new command gets
        self.pending = None         # (seq, key, body): a command sent and not yet acknowledged
        self.shown = {}             # output key → the body the device acknowledged
        self.misses = 0
        self.next_probe = 0.0
        self.last_heard = None

    def forget_session(self):
        self.synced = False
        self.pending = None
        self.shown = {}


class Line(Worker):
    def __init__(self, port, baud, devices, driver, handler, *, name=None, offline_misses=3, probe_s=1.0,
                 reopen_min_s=0.1, reopen_max_s=5.0, port_down_offline_s=3.0, outputs_per_poll=2,
                 clock=time.monotonic, wall=time.time):
        self.url, self.baud = port, baud
        self.name = name or port
        self.links = [Link(d) for d in devices]
        self.driver, self.handler = driver, handler
        self.offline_misses, self.probe_s = offline_misses, probe_s
        self.port_down_offline_s = port_down_offline_s
        self.outputs_per_poll = outputs_per_poll
        self.clock, self.wall = clock, wall
        self.decoder = driver.decoder()
        self.backoff = Backoff(reopen_min_s, reopen_max_s)
        self.port = None
        self.down_since = clock()
        self.down_reported = False
        self.counters = dict(polls=0, tx_frames=0, rx_frames=0, timeouts=0, duplicates=0, events=0, syncs=0,
                             naks=0, stray=0, opens=0, port_errors=0, refused_events=0)
        self._robin = 0
        self._free_at = 0.0          # the line is silent from here on (end of last frame + gap)
        self._gap = timing.gap_s(baud)
        self._init_worker(f"line {self.name}")

    # --- life ---

    def stop(self):
        super().stop()
        self._close()

    def wake(self):
        """Something a device should show changed: look at outputs now rather than after a sleep."""
        self._wake.set()

    def stats(self):
        return {**self.counters, **self.decoder.stats.as_dict(), "malformed": getattr(self.driver, "malformed", 0),
                "port_open": self.port is not None,
                "online": sorted(lk.device.name for lk in self.links if lk.online),
                "offline": sorted(lk.device.name for lk in self.links if lk.online is False)}

    def _run(self):
        self.run()

    def run(self):
        while not self._stop.is_set():
            if self.port is None and not self._open():
                continue
            try:
                self.step()
            except PortGone as e:
                log.warning("line %s: %s", self.name, e)
                self.counters["port_errors"] += 1
                self._close()
            except Exception:   # noqa: BLE001 - a bug must not silence the line for good
                log.exception("line %s: unexpected error; reopening the port", self.name)
                self._close()
                self._stop.wait(self.backoff.failed())

    def _open(self):
        try:
            self.port = Port(self.url, self.baud).open()
        except PortGone as e:
            self._port_down_check()
            delay = self.backoff.failed()
            log.info("line %s: %s; retrying in %.1f s", self.name, e, delay)
            self._stop.wait(delay)
            return False
        self.backoff.succeeded()
        self.counters["opens"] += 1
        self.decoder.reset()
        self.down_reported = False
        # what was said on a line that went away is uncertain: start every session again
        for lk in self.links:
            lk.forget_session()
            lk.misses = 0
        log.info("line %s: port open at %d baud", self.name, self.baud)
        return True

    def _close(self):
        if self.port is not None:
            self.port.close()
            self.port = None
            self.down_since = self.clock()

    def _port_down_check(self):
        if self.down_reported or self.clock() - self.down_since < self.port_down_offline_s:
            return
        self.down_reported = True
        for lk in self.links:
            if lk.online is not False:
                self._set_offline(lk, f"串口 {self.url} 不可用")

    # --- one step: outputs that are due, then one poll ---

    def step(self):
        self._wake.clear()
        for _ in range(self.outputs_per_poll):
            due = self._next_output()
            if due is None:
                break
            self._command(*due)
        lk = self._next_to_poll()
        if lk is None:
            # every device is offline and none is due for a probe: wait for one, or for news
            nxt = min(lk.next_probe for lk in self.links) if self.links else self.clock() + 1
            self._wake.wait(max(0.0, min(nxt - self.clock(), 1.0)))
            return
        self._poll(lk)

    def _next_output(self):
        best = None
        now = self.wall()
        for lk in self.links:
            if not lk.online or not lk.synced:
                continue
            if lk.pending is not None:
                seq, key, body = lk.pending
                item = (lk.device.priority, lk, key, body)
            else:
                item = None
                for key, body in lk.device.outputs(now).items():
                    if body is not None and lk.shown.get(key) != body:
                        item = (lk.device.priority, lk, key, body)
                        break
            if item is not None and (best is None or item[0] < best[0]):
                best = item
        return None if best is None else best[1:]

    def _next_to_poll(self):
        n = len(self.links)
        now = self.clock()
        for i in range(n):
            lk = self.links[(self._robin + i) % n]
            if lk.online is False and lk.next_probe > now:
                continue
            self._robin = (self._robin + i + 1) % n
            return lk
        return None

    # --- transactions ---

    def _poll(self, lk):
        if not lk.synced:
            # a device out of session (first contact, back from offline, port reopened) is not
            # polled but synchronised: polled, it would report a key an earlier session may have
            # acted on already; SYNC makes it drop that one and keep the presses not yet reported
            self._sync(lk)
            return
        self.counters["polls"] += 1
        reply = self._exchange(lk, Poll())
        if reply is None:
            return
        body = reply.body
        if isinstance(body, Heartbeat):
            if body.boot:
                self._sync(lk)
        elif isinstance(body, EVENTS):
            self._event(lk, reply)

    def _sync(self, lk):
        lk.forget_session()
        reply = self._exchange(lk, Sync(int(self.wall())))
        if reply is not None and isinstance(reply.body, Acked) and reply.body.of == "sync":
            lk.synced, lk.rx_seq, lk.next_seq = True, None, 0
            self.counters["syncs"] += 1

    def _event(self, lk, reply):
        body = reply.body
        of = "key" if isinstance(body, KeyPress) else "evaluation"
        if reply.seq == lk.rx_seq:
            self.counters["duplicates"] += 1
        else:
            try:
                accepted = self.handler.on_event(lk.device, body)
            except Exception:   # noqa: BLE001 - leave it unacknowledged; the device repeats it
                log.exception("line %s: handling %r from %s failed", self.name, body, lk.device.name)
                accepted = False
            if not accepted:
                # e.g. an evaluation that could not be kept on disk: without an ACK the device repeats it
                self.counters["refused_events"] += 1
                return
            self.counters["events"] += 1
            lk.rx_seq = reply.seq
        self._send(lk, Ack(of), reply.seq)

    def _command(self, lk, key, body):
        if lk.pending is not None:
            seq, key, body = lk.pending          # the unacknowledged one goes again, same bit
        else:
            seq = lk.next_seq
            lk.next_seq ^= 1
            lk.pending = (seq, key, body)
        reply = self._exchange(lk, body, seq)
        if reply is None:
            return
        r = reply.body
        if isinstance(r, Acked) and reply.seq == seq:
            lk.shown[key] = body
            lk.pending = None
        elif isinstance(r, Nak):
            self.counters["naks"] += 1
            if r.reason == NAK_NOT_SYNCED:
                lk.forget_session()
            else:
                log.warning("line %s: %s refused %s (reason %d)", self.name, lk.device.name, r.of, r.reason)
                lk.shown[key] = body    # do not hammer a device with what it cannot do
                lk.pending = None
        elif isinstance(r, Heartbeat) and r.boot:
            lk.forget_session()

    def _exchange(self, lk, body, seq=0):
        """Send a request and wait for the addressed device's answer (None on timeout)."""
        data = self._send(lk, body, seq)
        deadline = self._sent_at + timing.reply_timeout_s(len(data), self.baud, self.driver.max_reply_bytes)
        reply = self._await(lk.address, deadline)
        now = self.clock()
        if reply is None:
            self.counters["timeouts"] += 1
            self._free_at = now + self._gap
            self._missed(lk)
        else:
            self._free_at = now + self._gap
            self._heard(lk)
        return reply

    def _send(self, lk, body, seq):
        wait = self._free_at - self.clock()
        if wait > 0:
            time.sleep(wait)
        self._discard_stale()
        data = self.driver.encode_request(Envelope(lk.address, body, seq))
        self._sent_at = self.clock()
        self.port.write(data)
        self.counters["tx_frames"] += 1
        # a frame that expects no answer still occupies the line until its last byte is out
        self._free_at = self._sent_at + timing.wire_s(len(data), self.baud) + self._gap
        return data

    def _discard_stale(self):
        """Whatever arrived since the last answer (a late or repeated frame) must not pass for the next one."""
        chunk = self.port.read(0)
        frames = (self.decoder.feed(chunk) if chunk else []) + self.decoder.idle()
        for f in frames:
            if self.driver.decode_reply(f) is not None:
                self.counters["rx_frames"] += 1
                self.counters["stray"] += 1

    def _await(self, address, deadline):
        while True:
            left = deadline - self.clock()
            if left <= 0:
                break
            chunk = self.port.read(left)
            if chunk:
                found = self._match(self.decoder.feed(chunk), address)
                if found is not None:
                    return found
        return self._match(self.decoder.idle(), address)

    def _match(self, frames, address):
        found = None
        for f in frames:
            env = self.driver.decode_reply(f)
            if env is None:
                continue
            self.counters["rx_frames"] += 1
            if env.address == address and found is None:
                found = env
            else:
                # a late answer from a device that timed out before, or a frame heard twice
                self.counters["stray"] += 1
        return found

    # --- online / offline ---

    def _missed(self, lk):
        lk.misses += 1
        if lk.online is False:
            lk.next_probe = self.clock() + self.probe_s
        elif lk.misses >= self.offline_misses:
            self._set_offline(lk, f"{lk.misses} 次轮询无应答 (线路 {self.name} 地址 {lk.address})")

    def _set_offline(self, lk, detail):
        lk.online = False
        lk.forget_session()
        lk.next_probe = self.clock() + self.probe_s
        log.warning("line %s: %s offline: %s", self.name, lk.device.name, detail)
        self.handler.on_status(lk.device, "offline", detail)

    def _heard(self, lk):
        lk.misses = 0
        lk.last_heard = self.clock()
        if lk.online is not True:
            was = lk.online
            lk.online = True
            lk.forget_session()     # it may have restarted while away: sync, then resend displays
            if was is False:
                log.info("line %s: %s back online", self.name, lk.device.name)
            self.handler.on_status(lk.device, "ok", None)

