"""The bridge daemon: serial lines on one side, the hall's HTTP API and Socket.IO on the other.

    key press      → POST /api/v1/centers/<c>/windows/<n>/<action>   → the keypad shows the answer
    evaluation     → kept on disk → POST /api/v1/tickets/<id>/evaluation (when the hall is there)
    call / window  → (Socket.IO) → the window LED, the bars, the keypads' displays
    service ends   → (the finish answer, or a Socket.IO `ticket` message) → the evaluator is prompted
    device silent  → POST /api/v1/centers/<c>/devices/status {"status": "offline"}, "ok" when back

The bridge does nothing the staff did not ask for: a key press is tried once, at once; if the
hall cannot be reached the keypad says 系统离线 and the press is forgotten, never replayed.
"""
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from . import devices as devmodels
from .config import Config
from .courier import Courier
from .drivers import driver
from .hall_api import HallApi, HallUnreachable
from .line import Line
from .live import LiveLink
from .messages import Evaluation, Key, KeyPress, NO_ANSWER
from .model import CentreView
from .outbox import Outbox
from . import render

log = logging.getLogger(__name__)

STALE_S = 2.0           # a press that waited this long for a worker is dropped, not acted on late
WORKERS = 4


class Bridge:
    def __init__(self, config: Config, line_options=None):
        self.config = config
        self.api = HallApi(config.url, config.tokens)
        self.views = {c: CentreView(c) for c in config.centers}
        self.outbox = Outbox(config.state_dir)
        self.courier = Courier(self.api, self.outbox)
        self.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="keys")
        self.counters = dict(keys=0, keys_refused_offline=0, keys_busy=0, keys_stale=0, evaluations=0,
                             evaluations_unknown=0, evaluations_no_answer=0, prompts=0)
        self.lines, self.evaluators = [], {}
        for lc in config.lines:
            devs = [devmodels.build(d, self.views[d.center], config) for d in lc.devices]
            for d in devs:
                if isinstance(d, devmodels.Evaluator):
                    self.evaluators[(d.center, d.window)] = d
            self.lines.append(Line(lc.port, lc.baud, devs, driver(lc.protocol), self,
                                   reopen_max_s=lc.reopen_max_s, **(line_options or {})))
        self.live = [LiveLink(config.url, c, config.tokens[c], self.views[c], self._changed, self._finished,
                              self._online, fetch=self.api.center) for c in config.centers]
        self._checked = set()

    def start(self):
        self.courier.start()
        self.courier.wake()          # evaluations kept from a previous run
        for ln in self.lines:
            ln.start()
        for lk in self.live:
            lk.start()
        return self

    def stop(self):
        for lk in self.live:
            lk.stop()
        for ln in self.lines:
            ln.stop()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.courier.stop()
        self.outbox.close()

    def stats(self):
        return {"bridge": dict(self.counters), "courier": dict(self.courier.counters),
                "evaluations_kept": len(self.outbox),
                "live": {lk.center: {**lk.counters, "online": lk.connected} for lk in self.live},
                "lines": {ln.name: ln.stats() for ln in self.lines}}

    # --- from the lines (the line's thread: return quickly) ---

    def on_event(self, device, body):
        if isinstance(body, KeyPress) and isinstance(device, devmodels.Keypad):
            self._key(device, body)
            return True
        if isinstance(body, Evaluation) and isinstance(device, devmodels.Evaluator):
            return self._evaluation(device, body)
        log.warning("%s sent %r, which it should not", device.name, body)
        return True

    def on_status(self, device, status, detail):
        self.courier.status(device.center, device.name, status, detail)

    def _key(self, keypad, press):
        self.counters["keys"] += 1
        if not keypad.try_begin():
            self.counters["keys_busy"] += 1
            keypad.say(render.BUSY, 1.5)
            self._changed()
            return
        try:
            self.pool.submit(self._act, keypad, press, time.monotonic())
        except RuntimeError:    # shutting down
            keypad.end()

    def _act(self, keypad, press, pressed_at):
        try:
            if time.monotonic() - pressed_at > STALE_S:
                self.counters["keys_stale"] += 1
                keypad.say(render.STALE)
                return
            action, body = press.key.action, {}
            if press.key == Key.TRANSFER:
                queue = self.views[keypad.center].transfer_queue(press.arg, self.config.transfer)
                if queue is None:
                    keypad.say(render.REFUSED["unknown_queue"])
                    return
                body = {"queue": queue}
            try:
                status, data = self.api.act(keypad.center, keypad.window, action, body)
            except HallUnreachable as e:
                self.counters["keys_refused_offline"] += 1
                log.warning("%s: %s refused, the hall is unreachable (%s)", keypad.name, action, e)
                keypad.say(render.OFFLINE)
                return
            keypad.say(render.answer(action, status, data))
            if status == 200 and isinstance(data, dict) and data.get("status") == "done" and data.get("id"):
                self._finished(keypad.center, data)
        except Exception:   # noqa: BLE001 - the keypad must get an answer whatever happened
            log.exception("%s: handling %r failed", keypad.name, press)
            keypad.say(render.FAILED)
        finally:
            keypad.end()
            self._changed()

    def _evaluation(self, evaluator, result):
        if result.score == NO_ANSWER:
            self.counters["evaluations_no_answer"] += 1
            evaluator.result(result.prompt)
            return True
        found = evaluator.result(result.prompt)
        if found is None:
            self.counters["evaluations_unknown"] += 1
            log.warning("%s: a result for prompt %d, which is unknown or too old", evaluator.name, result.prompt)
            return True
        ticket, number = found
        # on disk before the evaluator hears that we have it (an exception here leaves it unacknowledged)
        self.outbox.add(evaluator.center, ticket, number, result.score, evaluator.name)
        self.counters["evaluations"] += 1
        self.courier.wake()
        return True

    # --- from the hall ---

    def _finished(self, center, ticket):
        ev = self.evaluators.get((center, ticket.get("window")))
        if ev is not None and ev.prompt_for(ticket["id"], ticket.get("number") or "") is not None:
            self.counters["prompts"] += 1
            self._changed()

    def _online(self, center, online):
        if online:
            self.courier.wake()
            if center not in self._checked:
                self._checked.add(center)
                known = set(self.views[center].windows)
                for ln in self.lines:
                    for lk in ln.links:
                        d = lk.device
                        if d.center == center and d.window is not None and d.window not in known:
                            log.warning("%s is configured for window %s, which centre %s does not have",
                                        d.name, d.window, center)

    def _changed(self):
        for ln in self.lines:
            ln.wake()

