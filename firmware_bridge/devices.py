"""The bridge's model of each device: what it should show now (`outputs`), what its keys mean.

The bus master compares `outputs(now)` with what the device has acknowledged and sends the
difference, so a display is never told twice, a rebooted one is told again, and under load only
the latest state goes out (intermediate ones are skipped, not queued).
"""
import itertools
import random
import threading
import time

from . import render
from .messages import Brightness, Effect, Kind, Prompt, ShowText

MESSAGE_S = 5.0          # a keypad's answer stays on its second line this long
COUNT_REFRESH_S = 10.0   # a keypad's waiting count is refreshed at most this often


class Device:
    kind = None
    priority = 1         # lower goes first when several displays wait for the bus

    def __init__(self, cfg, view, settings):
        self.address, self.name = cfg.address, cfg.name
        self.center, self.window = cfg.center, cfg.window
        self.view, self.settings = view, settings

    def outputs(self, now):
        return {}

    def __repr__(self):
        return f"<{type(self).__name__} {self.name} @{self.address}>"


class WindowLed(Device):
    kind = Kind.LED
    priority = 0         # the citizen is looking up at it

    def outputs(self, now):
        with self.view.lock:
            w = self.view.windows.get(self.window)
            text = render.led_text(w, self.settings.texts)
            flash = bool(w and w.get("ticket_status") == "called" and self.view.recalled.get(self.window))
            recalls = self.view.recalls[self.window]
        return {"brightness": Brightness(self.settings.brightness),
                "text": ShowText(0, text, Effect.FLASH if flash else Effect.STATIC, generation=recalls)}


class LedBar(Device):
    kind = Kind.BAR
    priority = 2

    def outputs(self, now):
        return {"brightness": Brightness(self.settings.brightness),
                "text": ShowText(0, render.bar_text(self.view.recent_calls(), self.settings.texts), Effect.SCROLL)}


class Keypad(Device):
    kind = Kind.KEYPAD
    priority = 1

    def __init__(self, cfg, view, settings, clock=time.monotonic):
        super().__init__(cfg, view, settings)
        self.clock = clock
        self._message = None            # (text, until)
        self._busy = threading.Lock()
        self._count = None              # the waiting count on show, and since when
        self._count_at = float("-inf")

    def say(self, text, seconds=MESSAGE_S):
        self._message = (text, self.clock() + seconds)
        self._count_at = float("-inf")  # after its own key, a keypad shows the count as it is

    def message(self):
        m = self._message
        return m[0] if m and self.clock() < m[1] else None

    def try_begin(self):
        """Only one key press of a keypad is with the hall at a time; False if one is."""
        return self._busy.acquire(blocking=False)

    def end(self):
        self._busy.release()

    def outputs(self, now):
        waiting, t = self.view.waiting_for(self.window), self.clock()
        # The count is a hint, and every ticket taken and every call in the centre changes it: sent
        # on each change it would put a frame per keypad on the line each time (PROTOCOL.md, 7).
        if waiting != self._count and (t - self._count_at >= COUNT_REFRESH_S or self._count is None
                                       or waiting is None or (waiting == 0) != (self._count == 0)):
            self._count, self._count_at = waiting, t
        first, second = render.keypad_lines(self.view.window(self.window), self._count, self.view.online,
                                            self.message())
        return {"line1": ShowText(0, first), "line2": ShowText(1, second)}


class Evaluator(Device):
    kind = Kind.EVALUATOR
    priority = 1         # after the window LEDs: the citizen is still at the counter, the next one is not
    FORGET_AFTER_S = 30  # a result later than its timeout by this much is not waited for

    def __init__(self, cfg, view, settings, clock=time.monotonic):
        super().__init__(cfg, view, settings)
        self.clock = clock
        self._ids = itertools.count(random.randrange(1, 60000))
        self._lock = threading.Lock()
        self._current = None            # the Prompt to show (until answered or timed out)
        self._prompts = {}              # prompt id → (ticket id, number, forget at)
        self._rated = []                # ticket ids prompted for, most recent last

    def prompt_for(self, ticket_id, number):
        """Ask the citizen of this finished ticket to rate it (once per ticket); the prompt id, or None."""
        timeout = self.settings.evaluation_timeout_s
        with self._lock:
            if ticket_id in self._rated:
                return None
            self._rated = (self._rated + [ticket_id])[-50:]
            pid = next(self._ids) % 65535 + 1
            now = self.clock()
            self._prompts = {k: v for k, v in self._prompts.items() if v[2] > now}
            self._prompts[pid] = (ticket_id, number, now + timeout + self.FORGET_AFTER_S)
            self._current = (Prompt(pid, timeout, self.settings.texts["prompt"].format(ticket=number)),
                             now + timeout)
            return pid

    def result(self, prompt_id):
        """The ticket a result answers (ticket id, number), or None if the prompt is unknown or forgotten."""
        with self._lock:
            entry = self._prompts.pop(prompt_id, None)
            if self._current and self._current[0].prompt == prompt_id:
                self._current = None
        if entry is None or entry[2] < self.clock():
            return None
        return entry[0], entry[1]

    def outputs(self, now):
        cur = self._current
        # a prompt past its timeout is not sent (again) to a device that comes back late
        return {"prompt": cur[0] if cur and self.clock() < cur[1] else None}


KINDS = {"keypad": Keypad, "evaluator": Evaluator, "led": WindowLed, "bar": LedBar}


def build(cfg, view, settings):
    return KINDS[cfg.kind](cfg, view, settings)
