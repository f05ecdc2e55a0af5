"""The booking pages' server side on the test's clock (Thursday 2026-11-26 10:00 Shanghai): what the
pages embed, what they refuse, the queue view's `appointments`, the kiosk's printed 【预约】 line and
the demo district's bookable queues."""
import json
import re
from importlib import resources

import pytest
import yaml

from hall.core.clock import parse_hours, parse_range
from kiosk import layout
from tests.booking.conftest import bookable_center


@pytest.fixture
def bookable(hall):
    hall.execute("east", "configure", {"config": bookable_center(hours=True)})


def config_of(html):
    m = re.search(r'<script id="config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def book(client, **kw):
    body = {"queue": "general", "day": "2026-11-26", "slot": "14:00-15:00", "name": "张三丰", "phone": "13812345678",
            **kw}
    r = client.post("/api/v1/centers/east/appointments", json=body)
    assert r.status_code == 201, r.json
    return r.json


def test_the_queue_view_says_which_queues_take_bookings(client, bookable):
    queues = {q["id"]: q for q in client.get("/api/v1/centers/east").json["queues"]}
    assert queues["general"]["appointments"] == {"slots": ["09:00-10:00", "10:00-11:00", "14:00-15:00"],
                                                 "capacity": 2}
    assert queues["police"]["appointments"] is None
    district = client.get("/api/v1/centers").json["centers"]
    assert next(c for c in district if c["id"] == "west")["queues"][0]["appointments"] is None


def test_the_booking_page_carries_each_bookable_centres_clock_and_rules(client, bookable):
    r = client.get("/m/book")
    assert r.status_code == 200
    cfg = config_of(r.get_data(as_text=True))
    assert list(cfg["rules"]) == ["east"]                        # west takes no bookings
    days = cfg["rules"]["east"].pop("days")                      # each day's opening, by the official calendar
    assert len(days) == 8 and days["2026-11-29"] == {"open": [], "holiday": None, "holiday_en": None}
    assert days["2026-11-28"] == {"open": [[540, 720]], "holiday": None, "holiday_en": None}
    assert cfg["rules"]["east"] == {"today": "2026-11-26", "now_min": 600, "days_ahead": 7, "early_s": 1800,
                                    "grace_s": 900, "hours": {"mon-fri": ["08:30-12:00", "13:30-17:30"],
                                                              "sat": ["09:00-12:00"]}}
    assert cfg["center"] is None
    assert config_of(client.get("/m/book?center=east").get_data(as_text=True))["center"] == "east"
    assert config_of(client.get("/m/book?center=west").get_data(as_text=True))["center"] is None


def test_the_booking_page_follows_the_centres_rules(client, hall):
    hall.execute("east", "configure", {"config": bookable_center(hours=True, booking={"days_ahead": 14,
                                                                                      "early_s": 600})})
    rules = config_of(client.get("/m/book").get_data(as_text=True))["rules"]["east"]
    assert (rules["days_ahead"], rules["early_s"], rules["grace_s"]) == (14, 600, 900)


def test_a_bookings_page_has_its_check_in_window_and_no_personal_data(client, bookable):
    code = book(client)["code"]
    r = client.get(f"/m/book/east/{code}?new=1")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "13812345678" not in html and "张三丰" not in html
    cfg = config_of(html)
    assert cfg == {"center": "east", "code": code, "center_name": "东区政务服务中心",
                   "center_name_en": "East District Government Service Centre", "queue_name": "综合受理",
                   "queue_name_en": "General Services", "address": None, "day": "2026-11-26", "slot": "14:00-15:00",
                   "opens_at": "2026-11-26T13:30:00+08:00", "until": "2026-11-26T15:15:00+08:00",
                   "now": "2026-11-26T10:00:00+08:00", "new": True}
    assert f"{code[:4]} {code[4:]}" in html                      # the code, large, before any script runs


@pytest.mark.parametrize("path", ["/m/book/east/12345678", "/m/book/nowhere/12345678", "/m/book/east/abc",
                                  "/m/book/EAST/12345678", "/m/book/east/" + "1" * 40])
def test_an_unknown_booking_is_a_404_page(client, bookable, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "没有找到这个预约" in r.get_data(as_text=True)


def test_pages_load_nothing_from_outside(client, bookable):
    code = book(client)["code"]
    for path in ("/m/book", f"/m/book/east/{code}"):
        html = client.get(path).get_data(as_text=True)
        refs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert refs and all(ref.startswith(("/", "data:", "#")) for ref in refs), refs
        for ref in refs:
            if ref.endswith((".js", ".css")):
                assert client.get(ref).status_code == 200, ref


def test_the_kiosk_catalogue_says_when_check_in_opens(client, auth, bookable):
    cat = client.get("/kiosk/east/catalog.json").json
    assert cat["booking"] == {"early_s": 1800, "grace_s": 900}
    assert [q["id"] for q in cat["queues"] if q["appointments"]] == ["general"]


def test_a_checked_in_ticket_is_marked_on_paper():
    info = layout.TicketInfo(center="东区政务服务中心", queue="综合受理", number="A002", ahead=0, est_wait_s=60,
                             issued="2026-11-26 13:40:00", track_url="https://hall.example.cn/m/tickets/east.x",
                             appointment=True)
    texts = [op.text for op in layout.ticket_ops(info) if isinstance(op, layout.Text)]
    assert texts.index("【预约】") == texts.index("A002") + 1
    plain = layout.ticket_ops(layout.TicketInfo(**{**info.__dict__, "appointment": False}))
    assert "【预约】" not in [op.text for op in plain if isinstance(op, layout.Text)]


def test_the_queue_view_survives_a_line_of_appointments_only(client, auth, bookable, clock):
    """An appointment ticket waiting alone: the queue's longest wait is counted from it."""
    code = book(client)["code"]
    clock.set("2026-11-26 13:40")
    t = client.post(f"/api/v1/centers/east/appointments/{code}/check-in", headers=auth.headers("kiosk-east"))
    assert t.status_code == 201
    clock.advance(120)
    general = client.get("/api/v1/centers/east").json["queues"][0]
    assert (general["waiting"], general["longest_wait_s"]) == (1, 120)


def demo_queues():
    raw = yaml.safe_load(resources.files("hall.demo").joinpath("district.yaml").read_text(encoding="utf-8"))
    for c in raw["centers"]:
        for q in c["queues"]:
            if q.get("appointments"):
                yield c, q


def test_the_demo_district_takes_bookings_where_halls_do():
    bookable = {(c["id"], q["id"]) for c, q in demo_queues()}
    assert {("huanshi", "real-estate"), ("huanshi", "exit-entry"), ("huanshi", "tax")} <= bookable
    assert any(cid == "shadi-town" for cid, _ in bookable)


@pytest.mark.parametrize("centre, queue", [(c, q) for c, q in demo_queues()], ids=lambda x: x["id"])
def test_demo_slots_lie_inside_weekday_opening_hours(centre, queue):
    week = parse_hours(centre["hours"])
    slots = [parse_range(s) for s in queue["appointments"]["slots"]]
    assert slots == sorted(slots) and queue["appointments"]["capacity"] >= 1
    for day in range(5):                                          # Monday to Friday
        for a, b in slots:
            assert any(lo <= a and b <= hi for lo, hi in week[day]), (centre["id"], queue["id"], a, b)


def test_the_demo_offers_bookings_on_its_phone_page(tmp_path):
    from hall import catalog
    from hall.app import create_app
    from hall.demo import district
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-secret"})
    try:
        catalog.load(app.extensions["hall"], catalog.parse(district()))
        rules = config_of(app.test_client().get("/m/book").get_data(as_text=True))["rules"]
        assert {"huanshi", "shadi-town"} <= set(rules) and "donghu-community" not in rules
        assert rules["huanshi"]["hours"] is None                  # the demo is always open
    finally:
        app.extensions["hall"].store.close()
