"""The demo's simulated citizens and staff: the simulator's people, acting through the gateway.

They take tickets and call, serve, pause and close windows with `hall.execute(...)`, the path the
API takes, so every screen, kiosk page and dashboard sees them as it would see real people. Time
runs `speed` times faster than the clock for them (a 7-minute service lasts 7 s at speed 60); the
events carry the real clock. A simulated day starts with a crowd at the door and runs from 08:30
to 17:30 with a lunch dip; the next one starts as soon as it ends.

A window someone opened in the staff console belongs to them: the simulated staff leave it alone.
"""
import logging
import threading
import time
from datetime import datetime, timedelta

from ..core.clock import zone
from ..core.config import CenterConfig, normalize_center
from .engine import Engine, GatewayBackend
from .model import Options

log = logging.getLogger(__name__)
STAFF_NAMES = ("陈静", "李伟", "黄晓明", "梁丽萍", "张敏", "王芳", "刘洋", "吴婷", "周杰", "何嘉欣", "林志强", "郑小红")


def demo_options():
    return Options(door_crowd=0.04, breaks_per_period=1, break_s=(300.0, 600.0))


def staff_of(cid, config, index):
    return {n: {"username": f"demo-{cid}-{n}", "name": STAFF_NAMES[(index * 5 + n) % len(STAFF_NAMES)],
                "staff_no": f"{index + 1:02d}{n:03d}"} for n in config.windows}


class Actors:
    """Every centre's simulated people on one clock: `speed` simulated seconds per real second."""

    def __init__(self, hall, centers, speed=1.0, seed=None, options=None, clock=time.time):
        self.speed, self.clock = float(speed), clock
        self.engines = []
        seed = int(clock()) if seed is None else seed
        for i, c in enumerate(centers):
            raw = normalize_center(c)
            cfg = CenterConfig.from_dict(raw)
            backend = GatewayBackend(hall, raw["id"])
            self.engines.append(Engine(backend, cfg, options or demo_options(), seed=seed + i,
                                       staff=staff_of(raw["id"], cfg, i), by_prefix="demo"))
        self._stop = threading.Event()
        self._day = None
        self.steps = 0

    def _start_day(self):
        """A new simulated day; its clock is set so that the doors open a few real seconds from now."""
        tz = zone(self.engines[0].cfg.timezone)
        self._day = (datetime.fromtimestamp(self.clock(), tz).date() if self._day is None
                     else self._day + timedelta(days=1))
        for e in self.engines:
            e.start_day(self._day)
        first = min(e.next_time() for e in self.engines if e.next_time() is not None)
        self._v0, self._r0 = first - 2 * self.speed, self.clock()

    def stop(self):
        self._stop.set()

    def run(self):
        while not self._stop.is_set():
            pending = [e for e in self.engines if e.next_time() is not None]
            if not pending:
                self._start_day()
                continue
            engine = min(pending, key=lambda e: e.next_time())
            due = self._r0 + (engine.next_time() - self._v0) / self.speed
            wait = due - self.clock()
            if wait > 0:
                self._stop.wait(min(wait, 0.5))
                continue
            try:
                engine.backend.refresh()
                engine.step()
                self.steps += 1
            except Exception:   # a demo keeps going whatever one step met
                log.exception("simulated step failed")
            time.sleep(0)       # let the server's green threads answer between steps

    def start(self):
        thread = threading.Thread(target=self.run, name="hall-demo-actors", daemon=True)
        thread.start()
        return thread
