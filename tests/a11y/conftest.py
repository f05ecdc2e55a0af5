"""One real `hall serve` for the accessibility tests: a centre with the kiosk's departments and life
events, a queue that takes bookings, three windows; its kiosk-east prints into a file. Every page a
citizen touches is opened from it in Debian's headless Chromium."""
import os
from datetime import timedelta

import pytest
import requests
import yaml

from tests.booking.conftest import FIXED_SLOTS, SERVED_DAY
from tests.helpers import HallServer, PHONE_VIEWPORT, api, always_open
from tests.kiosk.conftest import kiosk_center

PORTRAIT = {"width": 1080, "height": 1920}          # a standing totem
LANDSCAPE = {"width": 1920, "height": 1080}         # a counter kiosk


def a11y_center():
    c = kiosk_center("east")
    c["queues"][0]["appointments"] = {"slots": FIXED_SLOTS, "capacity": 3}
    c["queues"][0]["name_en"] = "General Services"
    c["notice_en"] = c.get("notice_en") or "Bring the originals of your documents."
    return always_open(c)


@pytest.fixture(scope="package")
def hall(tmp_path_factory):
    """The served hall on a working day: two windows open, one ticket served, one called, people
    waiting, one booking for tomorrow."""
    folder = tmp_path_factory.mktemp("a11y")
    server = HallServer(folder / "hall", centers=[a11y_center()])
    kiosks = os.path.join(server.env["HALL_DATA_DIR"], "kiosks")
    os.makedirs(kiosks, exist_ok=True)
    server.printer_file = str(folder / "printer.bin")
    # long idle times: a screen must stay put while it is audited on a loaded machine
    with open(os.path.join(kiosks, "kiosk-east.yaml"), "w", encoding="utf-8") as f:
        yaml.safe_dump({"printer": {"kind": "file", "path": server.printer_file, "paper_mm": 80},
                        "guide_pin": "2468", "ticket_idle_s": 600, "idle_s": 600}, f, allow_unicode=True)
    server.env["HALL_RATE_LIMIT_BURST"] = "5000"
    server.start()
    try:
        for w in (1, 2):
            assert api(server, "POST", f"/centers/east/windows/{w}/open", "staff-east").status_code == 200
        tickets = [api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": q}).json()
                   for q in ("general", "general", "police", "general", "tax")]
        # the first served (its page asks for a rating), the second called to window 1, the rest waiting
        for action in ("call-next", "start", "finish", "call-next"):
            r = api(server, "POST", f"/centers/east/windows/1/{action}", "staff-east")
            assert r.status_code == 200, (action, r.text)
        server.served_ticket, server.called_ticket = tickets[0]["id"], tickets[1]["id"]
        server.waiting_ticket = tickets[-1]["id"]
        day = (SERVED_DAY + timedelta(days=1)).isoformat()
        r = requests.post(f"{server.url}/api/v1/centers/east/appointments", timeout=10,
                          json={"queue": "general", "day": day, "slot": FIXED_SLOTS[1], "name": "张三丰",
                                "phone": "13812345678"})
        assert r.status_code == 201, r.text
        server.booking_code = r.json()["code"]
        yield server
    finally:
        server.stop()


@pytest.fixture
def pages(browser):
    """pages(url, viewport=PORTRAIT, touch=True, **context options) → a page in a context of its own
    (zh-CN, Shanghai); any JavaScript error fails the test."""
    contexts, errors = [], []

    def open_(url, viewport=PORTRAIT, touch=True, **kw):
        ctx = browser.new_context(viewport=viewport, has_touch=touch, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", **kw)
        contexts.append(ctx)
        ctx.set_default_timeout(30000)                   # a loaded machine: wait long, fail clearly
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(f"{url}: {e}"))
        page.goto(url)
        return page
    yield open_
    for ctx in contexts:
        ctx.close()
    assert errors == []


@pytest.fixture
def phone_page(pages):
    return lambda url, **kw: pages(url, viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True, **kw)


@pytest.fixture
def kiosk(pages, hall):
    """kiosk(viewport) → the kiosk's home screen, ready."""
    def open_(viewport=PORTRAIT):
        page = pages(f"{hall.url}/kiosk/east?token={hall.tokens['kiosk-east']}", viewport)
        page.wait_for_selector("body[data-ready='1'] #view-home:not([hidden]) .event-tile")
        return page
    return open_


@pytest.fixture
def artifacts():
    from tests.kiosk.conftest import ARTIFACTS
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS
