"""Booking on the phone pages in real headless Chromium against a real `hall serve` (real clock):
the five steps to a code, refusals in plain words, cancelling with the booking phone, checking in
from the phone inside the window. Screenshots go to test-artifacts/."""
import os
import re

from tests.booking.conftest import ClockedServer, book, bookable_center, today, tomorrow
from tests.helpers import api


def shoot(page, path):
    """A whole-page screenshot from the top (the sticky header stays where it belongs)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def open_booking_form(page, server, day, slot):
    """From /m/book to the filled form: the only centre is chosen for us, then service, day and time."""
    page.goto(f"{server.url}/m/book")
    page.wait_for_selector(".choice.centre.selected[data-center='east']")
    page.tap(".choice.queue[data-queue='general']")
    page.tap(f".day[data-day='{day}']")
    page.wait_for_selector(f".slot[data-slot='{slot}']")
    page.tap(f".slot[data-slot='{slot}']")
    page.wait_for_selector("#step-form:not([hidden])")


def test_book_on_the_phone_and_see_the_code(booking_server, phone, artifacts):
    server = booking_server
    page = phone()
    page.goto(f"{server.url}/m/book")
    page.wait_for_selector(".choice.centre.selected[data-center='east']")
    assert "可预约：综合受理" in page.inner_text(".choice.centre")
    # only the queues that take bookings are offered
    assert page.locator(".choice.queue").count() == 1
    page.tap(".choice.queue[data-queue='general']")
    days = page.locator(".day")
    assert days.count() == 8                                   # today and the 7 days ahead
    assert page.inner_text(f".day[data-day='{today()}'] strong") == "今天"
    assert page.inner_text(f".day[data-day='{tomorrow()}'] strong") == "明天"
    page.tap(f".day[data-day='{tomorrow()}']")
    page.wait_for_selector(".slot[data-slot='10:00-11:00']")
    assert page.inner_text(".slot[data-slot='10:00-11:00'] span") == "余 2 个"
    page.tap(".slot[data-slot='10:00-11:00']")
    assert "综合受理" in page.inner_text("#summary") and "10:00-11:00" in page.inner_text("#summary")
    page.fill("#name", "张三丰")
    page.fill("#phone", "138 1234 5678")
    assert "张*" in page.inner_text(".privacy")                    # the privacy note says what is shown
    page.tap("#submit")                                           # consent not yet given
    assert page.inner_text("#consent-error") == "请先勾选同意个人信息说明"
    page.check("#consent")
    assert page.inner_text("#consent-error") == ""
    shoot(page, os.path.join(artifacts, "booking-form.png"))
    page.tap("#submit")
    page.wait_for_url(re.compile(r"/m/book/east/\d{8}\?new=1$"))
    page.wait_for_selector("#booking[data-status='booked']")
    code = page.get_attribute("#code", "data-code")
    assert page.inner_text("#code").replace(" ", "") == code
    assert page.is_visible("#booked-ok")
    assert re.search(r"请于 \d+月\d+日 11:15 前到中心签到", page.inner_text("#deadline"))   # slot end + 15 min grace
    assert "09:30 起可签到" in page.inner_text("#deadline")                                 # 30 min before
    assert page.inner_text("#d-name") == "张**" and page.inner_text("#d-phone") == "138****5678"
    assert "13812345678" not in page.content() and "张三丰" not in page.content()
    assert "自助取号机" in page.inner_text("#how")
    assert page.is_disabled("#check-in") and "还没到签到时间" in page.inner_text("#check-in-note")
    shoot(page, os.path.join(artifacts, "booking-code.png"))
    slots = api(server, "GET", f"/centers/east/appointments?queue=general&day={tomorrow()}").json()["slots"]
    assert next(s for s in slots if s["slot"] == "10:00-11:00")["available"] == 1
    # the phone remembers it: 「我的预约」 on the booking home
    page.goto(f"{server.url}/m/book")
    page.wait_for_selector("#mine:not([hidden])")
    assert code[:4] in page.inner_text("#mine-list")
    assert not page.errors, page.errors


def test_cancel_with_the_booking_phone(booking_server, phone, artifacts):
    server = booking_server
    code = book(server.url, tomorrow(), "14:00-15:00")["code"]
    page = phone()
    page.goto(f"{server.url}/m/book/east/{code}")
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.is_hidden("#booked-ok")
    page.tap("#cancel")
    page.fill("#cancel-phone", "12345")
    page.tap("#cancel-yes")
    assert "11 位手机号" in page.inner_text("#cancel-error")
    page.fill("#cancel-phone", "13900000000")
    page.tap("#cancel-yes")
    page.wait_for_selector("#refusal:not([hidden])")
    assert page.inner_text("#refusal-title") == "手机号和预约时填写的不一致"
    assert api(server, "GET", f"/centers/east/appointments/{code}").json()["status"] == "booked"
    page.fill("#cancel-phone", "13812345678")
    page.tap("#cancel-yes")
    page.wait_for_selector("#booking[data-status='cancelled']")
    assert "预约已取消" in page.inner_text("#cancel-status")
    assert page.inner_text("#d-status") == "已取消"
    assert page.is_hidden("#check-in") and page.is_hidden("#cancel")
    shoot(page, os.path.join(artifacts, "booking-cancelled.png"))
    assert api(server, "GET", f"/centers/east/appointments/{code}").json()["status"] == "cancelled"
    slots = api(server, "GET", f"/centers/east/appointments?queue=general&day={tomorrow()}").json()["slots"]
    assert next(s for s in slots if s["slot"] == "14:00-15:00")["available"] == 2
    assert not page.errors, page.errors


def test_a_slot_taken_meanwhile_is_refused_in_plain_words(booking_server, phone, artifacts):
    server = booking_server
    page = phone()
    open_booking_form(page, server, tomorrow(), "09:00-10:00")
    # two others take both places while this phone is filling in the form
    book(server.url, tomorrow(), "09:00-10:00", phone="13900000001")
    book(server.url, tomorrow(), "09:00-10:00", phone="13900000002")
    page.fill("#name", "李四")
    page.fill("#phone", "13812345678")
    page.check("#consent")
    page.tap("#submit")
    page.wait_for_selector("#refusal:not([hidden])")
    assert page.inner_text("#refusal-title") == "这个时段刚刚约满了"
    assert "其他时段" in page.inner_text("#refusal-todo")
    # the times are read again: the full one can no longer be chosen, and the form is put away
    page.wait_for_selector(".slot.full[data-slot='09:00-10:00']")
    assert page.is_disabled(".slot[data-slot='09:00-10:00']")
    assert page.inner_text(".slot[data-slot='09:00-10:00'] span") == "已约满"
    assert page.is_hidden("#step-form")
    shoot(page, os.path.join(artifacts, "booking-slot-full.png"))
    assert not page.errors, page.errors


def test_one_booking_per_phone_queue_and_day(booking_server, phone):
    server = booking_server
    book(server.url, tomorrow(), "14:00-15:00")
    page = phone()
    open_booking_form(page, server, tomorrow(), "10:00-11:00")
    page.fill("#name", "张三丰")
    page.fill("#phone", "13812345678")
    page.check("#consent")
    page.tap("#submit")
    page.wait_for_selector("#refusal:not([hidden])")
    assert page.inner_text("#refusal-title") == "您这一天已经预约过这项业务"
    assert "「我的预约」" in page.inner_text("#refusal-todo") and "取消" in page.inner_text("#refusal-todo")


def test_todays_past_slots_cannot_be_chosen(booking_server, phone):
    server = booking_server
    page = phone()
    page.goto(f"{server.url}/m/book")
    page.tap(".choice.queue[data-queue='general']")
    page.tap(f".day[data-day='{today()}']")
    page.wait_for_selector(f".slot[data-slot='{server.slot_now}']")
    assert page.is_enabled(f".slot[data-slot='{server.slot_now}']")      # starts in a few minutes
    # the hall's clock reads 10:00 and a bit: 09:00 has passed, 10:00 began, 14:00 is ahead
    assert page.inner_text(".slot[data-slot='09:00-10:00'] span") == "已过"
    assert page.is_disabled(".slot[data-slot='09:00-10:00']")
    assert page.is_enabled(".slot[data-slot='14:00-15:00']")


def test_check_in_on_the_phone_leads_to_the_ticket(booking_server, phone, artifacts):
    server = booking_server
    code = book(server.url, today(), server.slot_now)["code"]
    page = phone()
    page.goto(f"{server.url}/m/book/east/{code}")
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.is_enabled("#check-in")                       # check-in opens 30 minutes before the slot
    page.tap("#check-in")
    page.wait_for_url(re.compile(r"/m/tickets/east\."))
    page.wait_for_selector("#ticket[data-status='waiting']")
    number = page.inner_text("#number")
    assert re.fullmatch(r"A\d{3}", number)
    ticket = api(server, "GET", "/tickets/" + page.url.rsplit("/", 1)[1]).json()
    assert ticket["appointment"] == code and ticket["channel"] == "phone"
    # the booking page now says checked in and links to the ticket
    page.goto(f"{server.url}/m/book/east/{code}")
    page.wait_for_selector("#booking[data-status='checked_in']")
    assert page.get_attribute("#ticket-a", "href") == f"/m/tickets/{ticket['id']}"
    assert not page.errors, page.errors


def test_booking_in_english(booking_server, phone):
    server = booking_server
    code = book(server.url, tomorrow(), "10:00-11:00")["code"]
    page = phone()
    page.goto(f"{server.url}/m/book")
    page.wait_for_selector(".choice.queue")
    page.tap("#lang")
    assert page.inner_text("#step-queue .step-title span[data-text]") == "Choose a service"
    assert page.inner_text(".choice.queue strong") == "General Services"
    page.goto(f"{server.url}/m/book/east/{code}")                 # the choice is kept on this phone
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.inner_text("#check-in") == "Check in now"
    assert "Check in at the centre by 11:15" in page.inner_text("#deadline")
    assert page.inner_text("#d-status") == "Booked, not checked in"


def test_unknown_booking_page(booking_server, phone):
    page = phone()
    r = page.goto(f"{booking_server.url}/m/book/east/12345678")
    assert r.status == 404
    assert page.inner_text("h1") == "没有找到这个预约"


def test_the_check_in_window_follows_the_centres_clock(clocked_server, phone, artifacts):
    """The server's clock, not the phone's: the hall's is Thursday 2026-11-26, the phone's today."""
    server = clocked_server
    code = book(server.url, "2026-11-26", "14:00-15:00")["code"]          # booked at 10:00
    page = phone()
    page.goto(f"{server.url}/m/book/east/{code}")
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.is_disabled("#check-in")
    assert page.inner_text("#check-in-note") == "还没到签到时间：11月26日 13:30 起可以签到。"
    assert "请于 11月26日 15:15 前到中心签到" in page.inner_text("#deadline")
    server.clock.set("2026-11-26 13:40")
    page.reload()
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.is_enabled("#check-in") and page.inner_text("#check-in-note") == ""
    server.clock.set("2026-11-26 15:20")
    page.reload()
    page.wait_for_selector("#booking[data-status='late']")
    assert "签到时间已过" in page.inner_text("#deadline") and "现场取号" in page.inner_text("#deadline")
    assert page.is_hidden("#check-in") and page.is_hidden("#cancel") and page.is_hidden("#keep-code")
    shoot(page, os.path.join(artifacts, "booking-late.png"))
    assert not page.errors, page.errors


def test_closed_days_cannot_be_chosen(clocked_server, phone):
    server = clocked_server
    page = phone()
    page.goto(f"{server.url}/m/book")
    page.tap(".choice.queue[data-queue='general']")
    # Thursday 26th … Thursday 3rd: Sunday the 29th is closed; Saturday opens 09:00-12:00 only
    assert page.is_disabled(".day[data-day='2026-11-29']")
    assert page.inner_text(".day[data-day='2026-11-29'] em") == "休息"
    assert "周一至周五 08:30-12:00、13:30-17:30" in page.inner_text("#hours-line")
    page.tap(".day[data-day='2026-11-28']")
    page.wait_for_selector(".slot[data-slot='09:00-10:00']")
    assert page.locator(".slot").evaluate_all("els => els.map(e => e.dataset.slot)") == ["09:00-10:00", "10:00-11:00"]
    page.tap(".day[data-day='2026-11-26']")                                 # today at 10:00
    page.wait_for_selector(".slot[data-slot='14:00-15:00']:not([disabled])")
    assert page.inner_text(".slot[data-slot='09:00-10:00'] span") == "已过"
    assert page.inner_text(".slot[data-slot='10:00-11:00'] span") == "已过"      # it began at 10:00


def test_a_refused_check_in_says_what_to_do(clocked_server, phone, artifacts):
    server = clocked_server
    code = book(server.url, "2026-11-26", "14:00-15:00")["code"]
    server.clock.set("2026-11-26 13:40")
    page = phone()
    page.goto(f"{server.url}/m/book/east/{code}")
    page.wait_for_selector("#booking[data-status='booked']")
    assert page.is_enabled("#check-in")
    server.clock.set("2026-11-26 15:20")                    # the phone lay on the table too long
    page.tap("#check-in")
    page.wait_for_selector("#refusal:not([hidden])")
    assert page.inner_text("#refusal-title") == "已经过了签到时间，这个预约作废了"
    assert "现场取号" in page.inner_text("#refusal-todo")
    # the refusal itself recorded the miss; the page stops offering check-in either way
    page.wait_for_selector("#booking[data-status='missed'], #booking[data-status='late']")
    assert page.is_hidden("#check-in") and page.is_hidden("#cancel")
    shoot(page, os.path.join(artifacts, "booking-check-in-refused.png"))
    assert page.url.endswith(f"/m/book/east/{code}")
    assert not page.errors, page.errors


def test_booking_suspended_after_missed_appointments(tmp_path, clock, phone, artifacts):
    centre = bookable_center(hours=True, booking={"max_missed": 1, "block_days": 30})
    server = ClockedServer(str(tmp_path), clock, [centre])
    try:
        book(server.url, "2026-11-26", "14:00-15:00")
        clock.set("2026-11-26 15:20")
        # the next command marks the appointment missed
        api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "police"})
        page = phone()
        open_booking_form(page, server, "2026-11-27", "09:00-10:00")
        page.fill("#name", "张三丰")
        page.fill("#phone", "13812345678")
        page.check("#consent")
        page.tap("#submit")
        page.wait_for_selector("#refusal:not([hidden])")
        assert page.inner_text("#refusal-title") == "您多次预约后没有按时签到，12月26日 前暂停网上预约"
        assert "现场取号" in page.inner_text("#refusal-todo")
        shoot(page, os.path.join(artifacts, "booking-blocked.png"))
    finally:
        server.stop()
