"""Booking fixtures: a centre whose general queue takes appointments, a real `hall serve` on its test
clock (Thursday 2026-11-26 from 10:00 on, running in real time: slots are computed from it), and an
in-process server on the test's clock for what only a moved clock can show (too early, missed)."""
import functools
import os
import threading
from datetime import datetime, timedelta

import pytest
import requests
import yaml
from werkzeug.serving import make_server

from hall import catalog
from hall.app import create_app
from hall.auth import device_token_hash, new_device_token, user_token, hash_password
from tests.helpers import SERVED_START, always_open, at, free_port, small_center, SHANGHAI

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts")
FIXED_SLOTS = ["09:00-10:00", "10:00-11:00", "14:00-15:00"]
PORTRAIT = {"width": 1080, "height": 1920}


@functools.cache
def _password_hash():
    return hash_password("pw-123456")


SERVED_DAY = datetime.fromtimestamp(at(SERVED_START), SHANGHAI).date()


def soon_slot(now=None):
    """A half-hour slot starting 3–4 minutes after `now` (the served clock's start): bookable then,
    and open for check-in (check-in opens 30 minutes before a slot)."""
    now = now or datetime.fromtimestamp(at(SERVED_START), SHANGHAI)
    start = (now + timedelta(minutes=4)).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    assert end.date() == now.date(), "the served clock starts too late in its day"
    return f"{start:%H:%M}-{end:%H:%M}"


def bookable_center(extra_slots=(), capacity=2, hours=False, **over):
    """small_center("east") whose general queue (综合受理) takes bookings; always open unless `hours`."""
    c = small_center("east", name_en="East District Government Service Centre", **over)
    slots = sorted(set(FIXED_SLOTS) | set(extra_slots))
    c["queues"][0]["appointments"] = {"slots": slots, "capacity": capacity}
    c["queues"][0]["name_en"] = "General Services"
    return c if hours else always_open(c)


def today():
    """The served halls' day (their clock starts at 10:00 and a test lasts minutes)."""
    return SERVED_DAY.isoformat()


def tomorrow():
    return (SERVED_DAY + timedelta(days=1)).isoformat()


def book(url, day, slot, phone="13812345678", name="张三丰", queue="general"):
    r = requests.post(f"{url}/api/v1/centers/east/appointments", timeout=10,
                      json={"queue": queue, "day": day, "slot": slot, "name": name, "phone": phone})
    assert r.status_code == 201, r.text
    return r.json()




@pytest.fixture
def slot_now():
    return soon_slot()


@pytest.fixture
def booking_server(hall_server, tmp_path, slot_now):
    """A real `hall serve` (always open, on its test clock) with a slot starting in a few minutes; its
    kiosk-east prints into tmp_path/printer.bin."""
    server = hall_server(centers=[bookable_center(extra_slots=[slot_now])])
    folder = os.path.join(server.env["HALL_DATA_DIR"], "kiosks")
    os.makedirs(folder, exist_ok=True)
    server.printer_file = str(tmp_path / "printer.bin")
    with open(os.path.join(folder, "kiosk-east.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"printer": {"kind": "file", "path": server.printer_file, "paper_mm": 80},
                        "ticket_idle_s": 60, "idle_s": 120}, f, allow_unicode=True)
    server.env["HALL_RATE_LIMIT_BURST"] = "5000"
    server.slot_now = slot_now
    server.start()
    return server


class ClockedServer:
    """The app on the test's clock, served over loopback by Werkzeug in a thread: the browser talks
    HTTP to it like to `hall serve`, and the test moves time."""

    def __init__(self, directory, clock, centers):
        self.clock = clock
        self.printer_file = os.path.join(directory, "printer.bin")
        self.app = create_app({"DATA_DIR": os.path.join(directory, "data"), "CLOCK": clock, "SECRET_KEY": "test-secret",
                               "KIOSKS": {"kiosk-east": {"printer": {"kind": "file", "path": self.printer_file,
                                                                     "paper_mm": 80}, "idle_s": 120}}})
        self.hall = self.app.extensions["hall"]
        catalog.load(self.hall, catalog.parse({"centers": centers}))
        self.tokens = {}
        token = new_device_token()
        self.hall.execute_district("add-device", {"name": "kiosk-east", "kind": "kiosk", "center": "east",
                                                  "token": device_token_hash(token)})
        self.tokens["kiosk-east"] = token
        self.hall.execute_district("add-user", {"username": "staff-east", "role": "staff", "center": "east",
                                                "password": _password_hash()})
        self.tokens["staff-east"] = user_token("test-secret", "staff-east", self.hall.district().users["staff-east"])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.http.shutdown()
        self.thread.join(10)
        self.hall.store.close()


@pytest.fixture
def clocked_server(tmp_path, clock):
    """Thursday 2026-11-26 10:00 in Shanghai, with the centre's real opening hours."""
    server = ClockedServer(str(tmp_path), clock, [bookable_center(hours=True)])
    yield server
    server.stop()


@pytest.fixture
def kiosk_page(browser):
    """open(server) → the kiosk of centre east with its device token, at home."""
    contexts = []

    def open_(server):
        context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"{server.url}/kiosk/east?token={server.tokens['kiosk-east']}")
        page.wait_for_selector("body[data-ready='1'] #view-home:not([hidden]) .event-tile")
        page.server = server
        return page
    yield open_
    for c in contexts:
        c.close()


@pytest.fixture
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS
