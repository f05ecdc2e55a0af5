"""The kiosk's endpoints in-process: the tap path (API + print), idempotency, printer faults that keep
the ticket, confirmation and voiding, reprints and 绿色通道 behind the guide's PIN."""
import posixpath
import re

import pytest

from kiosk.layout import TicketInfo, ticket_ops
from kiosk.printer import escpos_module, render
from tests.helpers import small_center

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
KEY = "tap-0001-abcdef"


@pytest.fixture
def k(kiosk_app, auth):
    return auth.headers("kiosk-east")


def events(hall, type_=None):
    return [e for e in hall.events("east") if type_ is None or e["type"] == type_]


def take(client, headers, key=KEY, **body):
    return client.post("/api/v1/centers/east/tickets", json=body or {"item": "marriage"},
                       headers={**headers, "Idempotency-Key": key})


def print_(client, headers, tid, **body):
    return client.post(f"/kiosk/east/print/{tid}", json=body, headers=headers)


# --- the tap path ---

def test_a_tap_prints_the_ticket_exactly(client, k, kiosk_app, dummy):
    t = take(client, k).json
    answer = print_(client, k, t["id"]).json
    assert answer["printed"] is True and answer["fault"] is None
    url = f"https://hall.example.cn/m/tickets/{t['id']}"
    assert answer["track_url"] == url and answer["ticket"]["number"] == "A001"
    info = TicketInfo(center="东区政务服务中心", queue="综合受理", number="A001", ahead=0, est_wait_s=None,
                      issued="2026-11-26 10:00:00", track_url=url, item="结婚登记")
    assert dummy.output == render(ticket_ops(info, 80), 80)
    assert answer["qr_svg"].startswith("<svg") and "viewBox" in answer["qr_svg"]


def test_the_same_key_twice_is_one_ticket_and_one_print(client, k, kiosk_app, hall, dummy):
    first = take(client, k)
    second = take(client, k)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json == second.json
    a1 = print_(client, k, first.json["id"]).json
    a2 = print_(client, k, second.json["id"]).json
    assert a2.pop("replayed") is True and a1 == a2
    assert dummy.output.count(ESC + b"@") == 1
    assert len(events(hall, "ticket_issued")) == 1
    assert take(client, k, key="tap-0002-abcdef").json["number"] == "A002"   # a new tap, a new ticket


def test_a_reused_key_for_another_item_is_refused(client, k, kiosk_app):
    take(client, k)
    r = take(client, k, item="id-card")
    assert r.status_code == 409 and r.json["error"]["code"] == "idempotency_mismatch"


# --- faults: the ticket stays issued ---

def faulty(after_bytes):
    """A Dummy that takes `after_bytes` bytes of the ticket and then loses its connection."""
    Dummy = escpos_module().Dummy

    class Jams(Dummy):
        def _raw(self, msg):
            room = after_bytes - len(self.output)
            super()._raw(msg[:max(room, 0)])
            if room < len(msg):
                raise OSError(5, "Input/output error")
    return Jams()


def test_a_printer_that_fails_mid_ticket_loses_nothing(client, k, kiosk_app, hall):
    kiosk_app.printers.printer = faulty(60)
    t = take(client, k).json
    r = print_(client, k, t["id"])
    assert r.status_code == 200
    a = r.json
    assert a["printed"] is False and a["fault"] == "offline"
    assert a["notice"] == "请拍照留存" and a["needs_confirm"] is True and a["confirm_within_s"] == 120
    assert a["ticket"]["number"] == "A001" and a["track_url"].endswith(t["id"])
    assert a["qr_svg"].startswith("<svg")
    assert len(kiosk_app.printers.printer.output) == 60                      # it really was cut short
    state = hall.state("east")
    assert state.tickets[t["id"]].status == "waiting"
    assert state.tickets[t["id"]].unconfirmed_since is not None
    [reported] = events(hall, "device_reported")
    assert (reported["device"], reported["status"]) == ("kiosk-east", "fault")
    assert "打印机未连接" in reported["detail"] and reported["by"] == "device:kiosk-east"
    assert [e["ticket"] for e in events(hall, "ticket_print_failed")] == [t["id"]]


def paper_out_then_back():
    Dummy = escpos_module().Dummy

    class Roll(Dummy):
        paper = 0x72                                  # DLE EOT 4: paper end

        def _read(self):
            n = self._output_list[-1][2]
            return bytes([self.paper if n == 4 else 0x12])
    return Roll()


def test_paper_out_is_reported_and_printing_resumes_when_paper_is_in(client, k, kiosk_app, hall):
    roll = kiosk_app.printers.printer = paper_out_then_back()
    t1 = take(client, k).json
    a1 = print_(client, k, t1["id"]).json
    assert (a1["printed"], a1["fault"], a1["message"]) == (False, "paper_out", "打印机缺纸")
    assert b"A001" not in roll.output                                         # asked first, printed nothing
    assert client.get("/kiosk/east/printer", headers=k).json == {"status": "fault", "fault": "paper_out",
                                                                 "message": "打印机缺纸"}
    roll.paper = 0x12                                                         # a new roll
    assert client.get("/kiosk/east/printer", headers=k).json == {"status": "ok", "paper_low": False}
    t2 = take(client, k, key="tap-0002-abcdef").json                          # the kiosk kept serving
    a2 = print_(client, k, t2["id"]).json
    assert a2["printed"] is True and b"A002" in roll.output
    assert [(e["status"], e["detail"]) for e in events(hall, "device_reported")] == [
        ("fault", "打印机缺纸 / out of paper"), ("ok", None)]


def test_a_driver_bug_is_a_fault_too(client, k, kiosk_app, hall):
    Dummy = escpos_module().Dummy

    class Buggy(Dummy):
        def _raw(self, msg):
            raise RuntimeError("something deep in the driver")
    kiosk_app.printers.printer = Buggy()
    t = take(client, k).json
    a = print_(client, k, t["id"]).json
    assert a["printed"] is False and a["fault"] == "error" and a["notice"] == "请拍照留存"
    assert hall.state("east").tickets[t["id"]].status == "waiting"


def test_broken_settings_still_answer_with_the_ticket(client, k, kiosk_app, hall):
    kiosk_app.config["KIOSKS"]["kiosk-east"]["printer"] = {"kind": "usb"}
    t = take(client, k).json
    a = print_(client, k, t["id"]).json
    assert a["printed"] is False and a["fault"] == "config" and a["ticket"]["number"] == "A001"
    assert "vendor_id" in client.get("/kiosk/east/me", headers=k).json["settings_error"]


def test_a_kiosk_without_printer_shows_the_ticket_only(client, k, kiosk_app, hall):
    kiosk_app.config["KIOSKS"]["kiosk-east"]["printer"] = {"kind": "none"}
    t = take(client, k).json
    a = print_(client, k, t["id"]).json
    assert (a["printed"], a["printer"], a["fault"]) == (False, "none", None)
    assert hall.state("east").tickets[t["id"]].unconfirmed_since is None
    assert not events(hall, "device_reported")


# --- confirm, void, print again, reprint ---

def open_window_and_call(client, auth, hall, clock, seconds):
    staff = auth.headers("staff-east")
    assert client.post("/api/v1/centers/east/windows/1/open", headers=staff).status_code == 200
    clock.advance(seconds)
    return client.post("/api/v1/centers/east/windows/1/call-next", headers=staff)


def test_an_unconfirmed_failed_ticket_is_voided_not_called(client, k, kiosk_app, hall, auth, clock):
    kiosk_app.printers.printer = faulty(0)
    ghost = take(client, k).json
    print_(client, k, ghost["id"])
    kiosk_app.printers.printer = escpos_module().Dummy()
    real = take(client, k, key="tap-0002-abcdef").json
    print_(client, k, real["id"])
    r = open_window_and_call(client, auth, hall, clock, 121)
    assert r.json["number"] == real["number"]
    assert client.get(f"/api/v1/tickets/{ghost['id']}").json["status"] == "cancelled"
    [voided] = events(hall, "ticket_cancelled")
    assert voided["reason"] == "print_unconfirmed"
    r = client.post(f"/kiosk/east/confirm/{ghost['id']}", headers=k)
    assert r.status_code == 409 and r.json["error"]["code"] == "ticket_cancelled"


def test_a_confirmed_number_is_called(client, k, kiosk_app, hall, auth, clock):
    kiosk_app.printers.printer = faulty(0)
    t = take(client, k).json
    print_(client, k, t["id"])
    r = client.post(f"/kiosk/east/confirm/{t['id']}", headers=k)
    assert r.status_code == 200 and r.json == {"ticket": t["id"], "confirmed": True}
    assert open_window_and_call(client, auth, hall, clock, 600).json["number"] == "A001"


def test_print_again_after_a_fault_confirms_the_ticket(client, k, kiosk_app, hall):
    kiosk_app.printers.printer = faulty(0)
    t = take(client, k).json
    print_(client, k, t["id"])
    kiosk_app.printers.printer = fixed = escpos_module().Dummy()
    a = print_(client, k, t["id"], again=True).json
    assert a["printed"] is True and b"A001" in fixed.output
    assert hall.state("east").tickets[t["id"]].unconfirmed_since is None
    assert [e["type"] for e in events(hall)][-2:] == ["device_reported", "ticket_confirmed"]


def test_reprint_by_number_needs_the_guide_pin(client, k, kiosk_app, hall, dummy):
    t = take(client, k).json
    r = client.post("/kiosk/east/reprint", json={"code": "a001", "pin": "0000"}, headers=k)
    assert r.status_code == 403 and r.json["error"]["code"] == "bad_pin"
    r = client.post("/kiosk/east/reprint", json={"code": "a001", "pin": "2468"}, headers=k)
    assert r.status_code == 200 and r.json["printed"] is True and r.json["ticket"]["id"] == t["id"]
    assert dummy.output.count(b"A001\n") == 1
    r = client.post("/kiosk/east/reprint", json={"code": "A009", "pin": "2468"}, headers=k)
    assert r.status_code == 404 and r.json["error"]["code"] == "unknown_ticket"
    client.delete(f"/api/v1/tickets/{t['id']}")
    r = client.post("/kiosk/east/reprint", json={"code": "A001", "pin": "2468"}, headers=k)
    assert r.status_code == 409 and r.json["error"]["code"] == "not_printable"


# --- 绿色通道 ---

def test_a_priority_ticket_needs_the_guide_pin_checked_on_the_server(client, k, kiosk_app, hall):
    url = "/kiosk/east/tickets"
    r = client.post(url, json={"item": "marriage"}, headers=k)
    assert r.status_code == 400 and "pin" in r.json["error"]["message"]
    r = client.post(url, json={"item": "marriage", "pin": "1111"}, headers={**k, "Idempotency-Key": KEY})
    assert r.status_code == 403 and r.json["error"]["code"] == "bad_pin"
    assert not events(hall, "ticket_issued")
    r = client.post(url, json={"item": "marriage", "pin": "2468"}, headers={**k, "Idempotency-Key": KEY})
    assert r.status_code == 201 and r.json["priority"] == "priority" and r.json["channel"] == "kiosk"
    again = client.post(url, json={"item": "marriage", "pin": "2468"}, headers={**k, "Idempotency-Key": KEY})
    assert again.json == r.json and again.headers["Idempotent-Replayed"] == "true"
    a = print_(client, k, r.json["id"]).json
    assert a["printed"] is True and "【绿色通道】".encode("gb18030") in kiosk_app.printers.printer.output


def test_wrong_pins_lock_the_kiosk_for_a_while(client, k, kiosk_app, clock):
    for _ in range(5):
        assert client.post("/kiosk/east/pin", json={"pin": "0000"}, headers=k).status_code == 403
    r = client.post("/kiosk/east/pin", json={"pin": "2468"}, headers=k)
    assert r.status_code == 429 and r.json["error"]["code"] == "pin_locked"
    clock.advance(301)
    assert client.post("/kiosk/east/pin", json={"pin": "2468"}, headers=k).json == {"ok": True}


def test_without_a_configured_pin_there_is_no_priority_at_the_kiosk(client, k, kiosk_app):
    del kiosk_app.config["KIOSKS"]["kiosk-east"]["guide_pin"]
    r = client.post("/kiosk/east/tickets", json={"item": "marriage", "pin": "2468"}, headers=k)
    assert r.status_code == 403 and r.json["error"]["code"] == "no_guide_pin"


# --- refusals the screen explains ---

def test_closed_and_quota_refusals_carry_their_codes(client, k, kiosk_app, clock):
    for i in range(5):
        assert take(client, k, key=f"tax-tap-{i:04d}", queue="tax").status_code == 201
    r = take(client, k, key="tax-tap-0005", queue="tax")
    assert r.status_code == 503 and r.json["error"]["code"] == "quota_reached"
    clock.set("2026-11-26 12:30")                                             # lunch break
    r = take(client, k, key="tap-lunch-0001")
    assert r.status_code == 503 and r.json["error"]["code"] == "closed"


# --- who may do what, and bad input ---

def test_only_this_centres_kiosk_may_print(client, auth, kiosk_app):
    t = take(client, auth.headers("kiosk-east")).json
    assert print_(client, {}, t["id"]).status_code == 401
    assert print_(client, auth.headers("display-east"), t["id"]).status_code == 403
    auth.device("kiosk-west", "kiosk", "west")
    r = client.post(f"/kiosk/west/print/{t['id']}", json={}, headers=auth.headers("kiosk-west"))
    assert r.status_code == 404 and r.json["error"]["code"] == "unknown_ticket"
    assert print_(client, auth.headers("kiosk-west"), t["id"]).status_code == 403


@pytest.mark.parametrize("path, body", [("/kiosk/east/print/east.nope", {}),
                                        ("/kiosk/east/confirm/east.nope", {}),
                                        ("/kiosk/east/reprint", {"code": 7, "pin": "2468"}),
                                        ("/kiosk/east/print/{tid}", {"again": "yes"}),
                                        ("/kiosk/east/pin", {"pin": ["2468"]}),
                                        ("/kiosk/east/tickets", {"item": 5, "pin": "2468"}),
                                        ("/kiosk/east/tickets", {"queue": "nope", "pin": "2468"})])
def test_bad_requests_are_clear_4xx(client, k, kiosk_app, path, body):
    t = take(client, k).json
    r = client.post(path.format(tid=t["id"]), json=body, headers=k)
    assert 400 <= r.status_code < 500 and r.json["error"]["code"]


def test_a_body_that_is_not_json_is_a_400(client, k, kiosk_app):
    t = take(client, k).json
    r = client.post(f"/kiosk/east/print/{t['id']}", data="{{", headers={**k, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_json"


# --- the catalogue, the search, the page ---

def test_the_catalogue_is_shaped_for_the_touch_screen(client, kiosk_app, hall):
    from hall import catalog
    from tests.kiosk.conftest import kiosk_center
    catalog.load(hall, catalog.parse({"centers": [kiosk_center("east"), small_center("west")]}))
    c = client.get("/kiosk/east/catalog.json").json
    assert c["center"]["name"] == "东区政务服务中心" and c["center"]["open"] is True
    assert c["center"]["notice_en"].startswith("Bring the originals")
    assert c["life_events"] == ["出生", "上学", "工作", "结婚", "退休", "其他"]
    assert c["departments"][:3] == ["民政局", "卫生健康局", "公安局"]
    marriage = next(i for i in c["items"] if i["id"] == "marriage")
    assert marriage["materials"] == ["双方户口簿", "双方居民身份证", "近期半身免冠合影照片3张"]
    assert {q["id"] for q in c["queues"]} == {"general", "police", "tax"}
    assert client.get("/kiosk/east/search?q=xserh").json["items"] == ["newborn-hukou"]
    assert client.get("/kiosk/east/search?q=" + "a" * 41).status_code == 400
    west = client.get("/kiosk/west/catalog.json").json
    assert west["departments"] == ["综合受理", "户籍业务"]      # no department: grouped by queue


def test_the_page_and_its_files_need_nothing_from_outside(client, kiosk_app):
    page = client.get("/kiosk/east")
    assert page.status_code == 200 and "东区政务服务中心" in page.text and 'lang="zh-CN"' in page.text
    files = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert files and all(f.startswith(("/kiosk/static/", "/static/hall/", "/static/displays/vendor/")) for f in files)
    seen = set()
    while files:                        # the page's files, and the modules they import
        f = files.pop()
        if f in seen:
            continue
        seen.add(f)
        r = client.get(f)
        assert r.status_code == 200, f
        if "/vendor/" not in f:      # the vendored Socket.IO client names URLs in its messages only
            assert not re.search(r"https?://", r.text), f
        files += [posixpath.normpath(posixpath.join(posixpath.dirname(f), m))
                  for m in re.findall(r'^import .*?"(\./[^"]+)";', r.text, re.M)]
    assert {"/kiosk/static/js/main.js", "/kiosk/static/js/ticket.js", "/static/hall/text.js"} <= seen
    assert client.get("/kiosk/nowhere").status_code == 404


def test_the_qr_code_of_a_ticket(client, k, kiosk_app):
    t = take(client, k).json
    r = client.get(f"/kiosk/east/tickets/{t['id']}/qr.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml" and r.text.startswith("<svg")
    assert client.get(f"/kiosk/west/tickets/{t['id']}/qr.svg").status_code == 404


def test_me_tells_the_page_its_settings_but_never_the_pin(client, k, kiosk_app):
    me = client.get("/kiosk/east/me", headers=k).json
    assert me["device"] == "kiosk-east" and me["settings"]["has_pin"] is True
    assert "2468" not in str(me)
    assert client.get("/kiosk/east/me").status_code == 401
