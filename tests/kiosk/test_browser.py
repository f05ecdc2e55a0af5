"""The kiosk in real headless Chromium against a real `hall serve`, printing into a file: tap-throughs
in normal and elderly mode, pinyin search, a printer fault, a refusal, 绿色通道. Screenshots go to
test-artifacts/ for a person to look at."""
import os
import time

import pytest
import yaml

from tests.helpers import api, printed, wait_until
from tests.kiosk.conftest import PORTRAIT

GB = "东区政务服务中心".encode("gb18030")


@pytest.fixture
def kiosk(kiosk_page):
    return kiosk_page(".event-tile")


def busy_hall(server):
    """Two windows open and a few people waiting, so the screens show real waits."""
    for w in (1, 2):
        assert api(server, "POST", f"/centers/east/windows/{w}/open", "staff-east").status_code == 200
    for q in ("general", "general", "police", "general"):
        assert api(server, "POST", "/centers/east/tickets", json={"queue": q}).status_code == 201
    assert api(server, "POST", "/centers/east/windows/1/call-next", "staff-east").status_code == 200


def test_tap_through_to_a_printed_ticket(kiosk, artifacts):
    server = kiosk.server
    busy_hall(server)
    kiosk.reload()
    kiosk.wait_for_selector("body[data-ready='1'] .queue-card")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-home.png"))
    kiosk.set_viewport_size({"width": 1920, "height": 1080})           # a counter kiosk lies on its side
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-home-landscape.png"))
    kiosk.set_viewport_size(PORTRAIT)
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    materials = kiosk.locator("#item-materials li").all_inner_texts()
    assert materials == ["双方户口簿", "双方居民身份证", "近期半身免冠合影照片3张"]   # told before the ticket
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-item.png"))
    # a double tap: one ticket
    kiosk.evaluate("() => { const b = document.getElementById('take'); b.click(); b.click(); }")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.inner_text("#ticket-number") == "A004"
    assert "前面等候" in kiosk.inner_text(".ticket-facts") and "2 人" in kiosk.inner_text("#ticket-ahead")
    assert kiosk.locator("#ticket-qr svg").count() == 1
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-ticket.png"))
    out = printed(server)
    assert out.count(b"\x1b@\x1c&") == 1 and GB in out and b"\x1d!\x33A004\n" in out
    assert b"/m/tickets/east." in out and out.endswith(b"\x1bd\x06\x1dV\x00")
    general = next(q for q in api(server, "GET", "/centers/east").json()["queues"] if q["id"] == "general")
    assert general["issued_today"] == 4
    # untouched, it goes home by itself (ticket_idle_s is 4 for this kiosk)
    kiosk.wait_for_selector("#view-home:not([hidden])", timeout=10000)


def test_elderly_mode_two_taps_to_a_printed_ticket(kiosk, artifacts):
    server = kiosk.server
    normal_size = kiosk.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    kiosk.tap("#btn-elderly")
    kiosk.wait_for_selector(".big-item[data-item='id-card']")
    elderly_size = kiosk.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert elderly_size >= normal_size * 1.25
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-elderly-home.png"))
    kiosk.tap(".big-item[data-item='id-card']")                       # tap 1: the service
    assert kiosk.locator("#item-materials li").all_inner_texts() == ["居民身份证"]
    kiosk.tap("#take")                                                  # tap 2: the ticket
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.inner_text("#ticket-number") == "B001"
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-elderly-ticket.png"))
    wait_until(lambda: b"B001" in printed(server))
    assert GB in printed(server)
    kiosk.wait_for_selector("#view-home:not([hidden])", timeout=10000)
    assert not kiosk.evaluate("() => document.documentElement.classList.contains('elderly')")


def test_search_by_pinyin_initials(kiosk, artifacts):
    kiosk.tap("#open-search")
    for key in "jhdj":
        kiosk.tap(f"#keyboard .key[data-k='{key}']")
    kiosk.wait_for_selector("#search-results .item-row[data-item='marriage']")
    assert kiosk.input_value("#search-input") == "jhdj"
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-search.png"))
    kiosk.tap("#search-results .item-row[data-item='marriage']")
    assert kiosk.inner_text("#item-name") == "结婚登记"


def test_printer_fault_keeps_the_ticket_and_printing_resumes(kiosk, artifacts):
    server = kiosk.server
    with open(server.kiosk_settings, encoding="utf-8") as f:
        settings = yaml.safe_load(f)
    good_path = settings["printer"]["path"]
    settings["printer"]["path"] = os.path.join(os.path.dirname(good_path), "unplugged", "lp0")
    _write(server.kiosk_settings, settings)
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.fault")
    assert kiosk.inner_text("#ticket-number") == "A001"
    assert "请拍照留存" in kiosk.inner_text("#print-status")
    assert kiosk.locator("#ticket-qr svg").count() == 1
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-ticket-fault.png"))
    kiosk.tap("#confirm-number")
    kiosk.wait_for_selector("#fault-actions[hidden]", state="attached")
    assert "已确认" in kiosk.inner_text("#print-status")
    log = api(server, "GET", "/centers/east/events?after=0", "manager-east").json()["events"]
    types = [e["type"] for e in log]
    assert "ticket_print_failed" in types and "ticket_confirmed" in types
    assert [e["status"] for e in log if e["type"] == "device_reported"] == ["fault"]
    # the printer is plugged back in: the next ticket prints, and the hall hears it is well
    settings["printer"]["path"] = good_path
    _write(server.kiosk_settings, settings)
    kiosk.tap("#ticket-done")
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert b"A002" in printed(server) and b"A001" not in printed(server)
    log = api(server, "GET", "/centers/east/events?after=0", "manager-east").json()["events"]
    assert [e["status"] for e in log if e["type"] == "device_reported"] == ["fault", "ok"]


def test_quota_reached_says_what_to_do_instead(kiosk, artifacts):
    server = kiosk.server
    for _ in range(5):
        assert api(server, "POST", "/centers/east/tickets", json={"queue": "tax"}).status_code == 201
    kiosk.tap(".event-tile[data-event='工作']")
    kiosk.tap(".item-row[data-item='tax-invoice']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "今日号源已取完"
    assert "税务" in kiosk.inner_text("#modal-text")
    assert "明天" in kiosk.inner_text("#modal-list")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-refusal.png"))
    kiosk.tap("#modal-ok")
    assert kiosk.is_visible("#view-item")


def test_green_channel_with_the_guide_pin(kiosk):
    server = kiosk.server
    kiosk.tap(".event-tile[data-event='退休']")
    kiosk.tap(".item-row[data-item='pension']")
    kiosk.tap("#take-priority")
    for key in "1111✓":
        kiosk.tap(f"#pin-keys button[data-k='{key}']")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert "不正确" in kiosk.inner_text("#modal-text")
    kiosk.tap("#modal-ok")
    kiosk.tap("#take-priority")
    for key in "2468✓":
        kiosk.tap(f"#pin-keys button[data-k='{key}']")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.is_visible("#ticket-priority")
    wait_until(lambda: "【绿色通道】".encode("gb18030") in printed(server))
    tickets = api(server, "GET", "/centers/east").json()["queues"]
    assert next(q for q in tickets if q["id"] == "general")["issued_today"] == 1


def test_english_switch(kiosk):
    kiosk.tap("#btn-lang")
    assert kiosk.inner_text("#center-name") == "East District Government Service Centre"
    assert kiosk.inner_text(".event-tile[data-event='结婚'] .label") == "Marriage"
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    assert kiosk.inner_text("#item-name") == "Marriage registration"
    assert kiosk.inner_text("#take") == "Take a ticket"


def _write(path, data):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1))


def test_first_start_asks_for_the_device_token(browser, kiosk_server):
    context = browser.new_context(viewport=PORTRAIT, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{kiosk_server.url}/kiosk/east")
        page.wait_for_selector("#view-setup:not([hidden])")
        page.fill("#setup-token", "dev_not-a-real-token")
        page.tap("#setup-save")
        page.wait_for_function("document.getElementById('setup-error').textContent.includes('无效')")
        page.fill("#setup-token", kiosk_server.tokens["kiosk-east"])
        page.tap("#setup-save")
        page.wait_for_selector("#view-home:not([hidden]) .event-tile")
        page.reload()                                              # kept in the kiosk's own storage
        page.wait_for_selector("body[data-ready='1'] #view-home:not([hidden]) .event-tile")
    finally:
        context.close()


def test_the_guide_reprints_a_ticket_by_its_number(kiosk):
    server = kiosk.server
    assert api(server, "POST", "/centers/east/tickets", json={"item": "id-card"}).status_code == 201
    kiosk.tap("#btn-guide")
    for key in "2468✓":
        kiosk.tap(f"#pin-keys button[data-k='{key}']")
    kiosk.wait_for_selector("#view-guide:not([hidden])")
    for key in "b001":
        kiosk.tap(f"#reprint-keys .key[data-k='{key}']")
    kiosk.tap("#reprint-go")
    kiosk.wait_for_function("document.getElementById('reprint-result').textContent.includes('已补打')")
    assert b"\x1d!\x33B001\n" in printed(server)
