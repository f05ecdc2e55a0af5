"""Simulated lines on pty pairs, bus masters on them, and real hall servers for end-to-end tests."""
import threading

import pytest

from firmware_bridge import config as cfgmod, devices, sim
from firmware_bridge.drivers import driver
from firmware_bridge.line import Line
from firmware_bridge.model import CentreView


class Recorder:
    """A bridge stand-in for the bus master: records events and device statuses."""

    def __init__(self):
        self.events, self.statuses = [], []
        self.accept = True
        self.lock = threading.Lock()

    def on_event(self, device, body):
        with self.lock:
            if self.accept:
                self.events.append((device.name, body))
            return self.accept

    def on_status(self, device, status, detail):
        with self.lock:
            self.statuses.append((device.name, status))

    def status_of(self, name):
        with self.lock:
            got = [s for n, s in self.statuses if n == name]
        return got[-1] if got else None


SNAPSHOT = {"seq": 1, "queues": [{"id": "general", "waiting": 3}],
            "windows": [{"number": 1, "name": "1号窗口", "state": "open", "ticket": None, "ticket_status": None,
                         "queues": ["general"]}],
            "calls": []}

DEVICES = [{"address": 1, "kind": "keypad", "window": 1}, {"address": 2, "kind": "evaluator", "window": 1},
           {"address": 3, "kind": "led", "window": 1}, {"address": 4, "kind": "bar"}]


class Rig:
    """A simulated line and the real bus master on it, with a view the test feeds."""

    def __init__(self, tmp_path, devs=DEVICES, baud=19200, **line_options):
        self.path = str(tmp_path / "ttyRS485-0")
        self.config = cfgmod.parse({"hall": {"url": "http://127.0.0.1:9", "token": "dev_t", "center": "east"},
                                    "lines": [{"port": self.path, "baud": baud, "devices": devs}]})
        self.sim = sim.build(self.config.lines[0]).start()
        self.view = CentreView("east")
        self.view.apply_snapshot(SNAPSHOT)
        self.devices = [devices.build(d, self.view, self.config) for d in self.config.lines[0].devices]
        self.recorder = Recorder()
        self.line_options = {"reopen_min_s": 0.05, "reopen_max_s": 0.2, **line_options}
        self.line = None

    def start_line(self):
        self.line = Line(self.path, self.config.lines[0].baud, self.devices, driver("hq485"), self.recorder,
                         **self.line_options).start()
        return self.line

    def device(self, name):
        return next(d for d in self.devices if d.name == name)

    def stop(self):
        if self.line:
            self.line.stop()
        self.sim.stop()


@pytest.fixture
def rig(tmp_path):
    made = []

    def make(**kw):
        r = Rig(tmp_path, **kw)
        made.append(r)
        return r
    yield make
    for r in made:
        r.stop()
