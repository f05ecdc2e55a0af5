"""预约签到 at the kiosk, in real headless Chromium: the code on the big keypad becomes a ticket that is
printed like any other and called before walk-ins who came earlier (checked through the API);
refusals say what to do instead. Against a real `hall serve` on the real clock, and an in-process
server on the test's clock for too early and missed. Screenshots go to test-artifacts/."""
import os

from tests.booking.conftest import book, today, tomorrow
from tests.helpers import api, printed


def type_code(page, code):
    for digit in code:
        page.tap(f"#checkin-pad button[data-k='{digit}']")


def test_check_in_at_the_kiosk_goes_ahead_of_walk_ins(booking_server, kiosk_page, artifacts):
    server = booking_server
    code = book(server.url, today(), server.slot_now)["code"]
    walk_in = api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "general"}).json()
    kiosk = kiosk_page(server)
    assert kiosk.is_visible("#open-checkin")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-home.png"))
    kiosk.tap("#open-checkin")
    kiosk.wait_for_selector("#view-checkin:not([hidden])")
    assert kiosk.is_disabled("#checkin-go")
    type_code(kiosk, code[:6] + "9")
    kiosk.tap("#checkin-pad button[data-k='back']")                 # a slip, put right
    type_code(kiosk, code[6:])
    assert kiosk.get_attribute("#checkin-boxes", "data-code") == code
    assert kiosk.locator("#checkin-boxes .code-box").all_inner_texts() == list(code)
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-keypad.png"))
    kiosk.set_viewport_size({"width": 1920, "height": 1080})           # a counter kiosk lies on its side
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-keypad-landscape.png"))
    assert kiosk.evaluate("() => document.getElementById('checkin-go').getBoundingClientRect().bottom") <= \
        kiosk.evaluate("() => document.querySelector('.dock').getBoundingClientRect().top")
    kiosk.set_viewport_size({"width": 1080, "height": 1920})
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    number = kiosk.inner_text("#ticket-number")
    assert number == "A002" and walk_in["number"] == "A001"
    assert kiosk.inner_text("#ticket-headline-text") == "签到成功"
    assert kiosk.is_visible("#ticket-appointment") and kiosk.inner_text("#ticket-item") == "综合受理"
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-ticket.png"))
    out = printed(server)
    assert b"\x1d!\x33A002\n" in out and "【预约】".encode("gb18030") in out
    # the appointment is called first though the walk-in took a ticket before it
    assert api(server, "POST", "/centers/east/windows/1/open", "staff-east").status_code == 200
    first = api(server, "POST", "/centers/east/windows/1/call-next", "staff-east").json()
    assert (first["number"], first["appointment"]) == ("A002", code)
    api(server, "POST", "/centers/east/windows/1/finish", "staff-east")
    assert api(server, "POST", "/centers/east/windows/1/call-next", "staff-east").json()["id"] == walk_in["id"]
    assert api(server, "GET", f"/centers/east/appointments/{code}").json()["status"] == "checked_in"
    assert not kiosk.errors, kiosk.errors


def test_checking_in_twice_gives_the_same_ticket_and_prints_once(booking_server, kiosk_page):
    server = booking_server
    code = book(server.url, today(), server.slot_now)["code"]
    kiosk = kiosk_page(server)
    for _ in range(2):
        kiosk.tap("#open-checkin")
        type_code(kiosk, code)
        kiosk.tap("#checkin-go")
        kiosk.wait_for_selector("#view-ticket:not([hidden])")
        assert kiosk.inner_text("#ticket-number") == "A001"
        kiosk.tap("#ticket-done")
    assert printed(server).count(b"\x1d!\x33A001\n") == 1
    r = api(server, "GET", "/centers/east")
    assert r.status_code == 200 and r.json()["queues"][0]["issued_today"] == 1


def test_elderly_mode_has_the_check_in_entry(booking_server, kiosk_page, artifacts):
    server = booking_server
    code = book(server.url, today(), server.slot_now)["code"]
    kiosk = kiosk_page(server)
    kiosk.tap("#btn-elderly")
    kiosk.wait_for_selector("#elderly-checkin:not([hidden])")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-elderly-home.png"))
    kiosk.tap("#elderly-checkin")
    type_code(kiosk, code)
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-elderly-keypad.png"))
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.inner_text("#ticket-number") == "A001"


def test_an_unknown_code_is_refused_in_plain_words(booking_server, kiosk_page, artifacts):
    kiosk = kiosk_page(booking_server)
    kiosk.tap("#open-checkin")
    type_code(kiosk, "12345678")
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "没有找到这个预约号"
    assert "1234 5678" in kiosk.inner_text("#modal-text")
    assert "核对" in kiosk.inner_text("#modal-list")
    kiosk.tap("#modal-ok")
    assert kiosk.is_visible("#view-checkin")
    assert kiosk.get_attribute("#checkin-boxes", "data-code") == ""       # ready for the right one


def test_tomorrows_booking_says_when_to_come_back(booking_server, kiosk_page, artifacts):
    server = booking_server
    code = book(server.url, tomorrow(), "10:00-11:00")["code"]
    kiosk = kiosk_page(server)
    kiosk.tap("#open-checkin")
    type_code(kiosk, code)
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "还没到签到时间"
    assert "10:00-11:00" in kiosk.inner_text("#modal-text") and "综合受理" in kiosk.inner_text("#modal-text")
    m, d = int(tomorrow()[5:7]), int(tomorrow()[8:])
    assert f"请在 {m}月{d}日 09:30 以后再来签到" in kiosk.inner_text("#modal-list")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-too-early.png"))
    assert api(server, "GET", "/centers/east").json()["queues"][0]["issued_today"] == 0


def test_a_missed_appointment_sends_to_an_ordinary_ticket(clocked_server, kiosk_page, artifacts):
    server = clocked_server
    code = book(server.url, "2026-11-26", "14:00-15:00")["code"]     # booked at 10:00
    server.clock.set("2026-11-26 15:20")                 # the slot ended at 15:00, 15 minutes' grace
    kiosk = kiosk_page(server)
    kiosk.tap("#open-checkin")
    type_code(kiosk, code)
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "预约时间已过"
    assert "普通号" in kiosk.inner_text("#modal-list")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-checkin-missed.png"))
    assert kiosk.evaluate("() => document.querySelectorAll('#modal-list li').length") == 2
    kiosk.tap("#modal-ok")
    kiosk.tap("#btn-home")                               # and an ordinary ticket is one tap away
    kiosk.wait_for_selector("#view-home:not([hidden]) .event-tile")
    assert not kiosk.errors, kiosk.errors


def test_no_entry_where_nothing_is_booked(hall_server, kiosk_page):
    server = hall_server().start()                       # the default catalogue takes no bookings
    kiosk = kiosk_page(server)
    assert kiosk.is_hidden("#open-checkin")
    kiosk.tap("#btn-elderly")
    assert kiosk.is_hidden("#elderly-checkin")


def test_check_in_in_english(booking_server, kiosk_page):
    kiosk = kiosk_page(booking_server)
    kiosk.tap("#btn-lang")
    assert kiosk.inner_text("#open-checkin strong") == "Appointment check-in"
    kiosk.tap("#open-checkin")
    assert kiosk.inner_text("#view-checkin .view-title") == "Appointment check-in"
    assert kiosk.inner_text("#checkin-pad button[data-k='clear']") == "Clear"
    type_code(kiosk, "12345678")
    kiosk.tap("#checkin-go")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "Appointment code not found"
