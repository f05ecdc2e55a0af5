"""End to end: the real kiosk agent (`hall kiosk-agent`) on a simulated ID-card reader and a serial
printer on ptys, against a real `hall serve`, with the kiosk page in headless Chromium.

A card laid on the reader reaches the page; the ticket it takes is printed by the agent; the same
card again is offered a reprint, not a second ticket; a booking is checked in by laying the card;
printer faults keep the ticket as before; and nothing the run wrote or pushed holds the card's
number or name."""
import json
import os

import pytest

from tests.helpers import api, wait_until
from tests.kiosk.agent_rig import LI, SLOT, ZHANG, KioskPC

PORTRAIT = {"width": 1080, "height": 1920}
SECRETS = [ZHANG["number"], ZHANG["name"], LI["number"], LI["name"], ZHANG["address"], LI["address"]]


@pytest.fixture
def pc(tmp_path):
    pc = KioskPC(tmp_path).start()
    yield pc
    pc.stop()


@pytest.fixture
def kiosk(browser, pc):
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.errors, page.frames_seen = [], []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: page.frames_seen.append(
        payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))))
    page.goto(pc.page_url)
    page.wait_for_selector("body[data-ready='1'] #view-home:not([hidden]) .event-tile")
    page.wait_for_selector("#idcard-box.prompt")
    yield page
    context.close()
    assert not page.errors, page.errors


def lay(pc, page, card):
    pc.reader.lay(card)
    page.wait_for_selector("#idcard-box.holder .idcard-name")
    return page.inner_text("#idcard-box")


def take_off(pc):
    pc.reader.remove()
    seen = len(pc.reader.requests)
    wait_until(lambda: len(pc.reader.requests) >= seen + 2, what="the agent polling an empty reader")


def test_a_card_reaches_the_page_and_its_ticket_is_printed_by_the_agent(pc, kiosk, artifacts):
    assert "请刷身份证或选择业务" in kiosk.inner_text("#idcard-box")
    text = lay(pc, kiosk, ZHANG)
    assert "张*，您好" in text and "76岁" in text and "绿色通道" in text
    assert kiosk.evaluate("document.documentElement.classList.contains('elderly')")   # elderly mode on its own
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-idcard-elderly.png"))
    kiosk.tap(".big-item[data-item='id-card']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    number = kiosk.inner_text("#ticket-number")
    assert number == "B001" and kiosk.is_visible("#ticket-priority")
    out = pc.printer.printed()
    assert b"\x1d!\x33B001\n" in out and "东区政务服务中心".encode("gb18030") in out
    assert out.endswith(b"\x1bd\x06\x1dV\x00")

    # the same card again, same queue: the page offers a reprint, and no second ticket is made
    kiosk.tap("#ticket-done")
    take_off(pc)
    text = lay(pc, kiosk, ZHANG)
    assert "您已有 B001 号（户籍业务）在排队" in text
    kiosk.tap(".big-item[data-item='id-card']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#modal:not([hidden]) .idcard-offer")
    assert "您已取过号" in kiosk.inner_text("#modal-title") and "B001" in kiosk.inner_text("#modal-text")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-idcard-already-waiting.png"))
    kiosk.tap(".idcard-offer .idcard-action")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.inner_text("#ticket-number") == "B001"
    assert pc.printer.printed().count(b"\x1d!\x33B001\n") == 2
    police = next(q for q in api(pc.server, "GET", "/centers/east").json()["queues"] if q["id"] == "police")
    assert police["waiting"] == 1

    # another person: an ordinary ticket, tied to their card
    kiosk.tap("#ticket-done")
    take_off(pc)
    text = lay(pc, kiosk, LI)
    assert "李*，您好" in text and "绿色通道" not in text
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.inner_text("#ticket-number") == "A001" and not kiosk.is_visible("#ticket-priority")
    assert_nothing_in_clear(pc, kiosk)


def test_a_booking_is_checked_in_by_laying_the_card(pc, kiosk):
    booked = api(pc.server, "POST", "/centers/east/appointments", json={
        "queue": "general", "day": "2026-11-26", "slot": SLOT, "name": LI["name"], "phone": "13812345678",
        "id_number": LI["number"]})
    assert booked.status_code == 201
    text = lay(pc, kiosk, LI)
    assert f"您今天 {SLOT} 预约了「综合受理」" in text
    kiosk.tap("#idcard-box .booking .idcard-action")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert kiosk.is_visible("#ticket-appointment") and kiosk.inner_text("#ticket-number") == "A001"
    assert b"\x1d!\x33A001\n" in pc.printer.printed()
    assert api(pc.server, "GET", f"/centers/east/appointments/{booked.json()['code']}").json()["status"] == \
        "checked_in"
    assert_nothing_in_clear(pc, kiosk)


def test_printer_faults_keep_the_ticket_and_printing_resumes(pc, kiosk):
    pc.printer.paper = "out"
    lay(pc, kiosk, LI)
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.fault")
    assert "请拍照留存" in kiosk.inner_text("#print-status") and kiosk.inner_text("#ticket-number") == "A001"
    log = api(pc.server, "GET", "/centers/east/events?after=0", "manager-east").json()["events"]
    assert "ticket_print_failed" in [e["type"] for e in log]
    assert [e["status"] for e in log if e["type"] == "device_reported" and e["device"] == "kiosk-east"][-1] == "fault"
    assert b"A001" not in pc.printer.printed()
    # paper in: the agent finds out by itself and tells the hall
    pc.printer.paper = "ok"
    wait_until(lambda: [e["status"] for e in api(pc.server, "GET", "/centers/east/events?after=0",
                                                  "manager-east").json()["events"]
                        if e["type"] == "device_reported" and e["device"] == "kiosk-east"][-1] == "ok",
               timeout=20, what="the agent reporting its printer well again")
    kiosk.tap("#print-again")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    assert b"\x1d!\x33A001\n" in pc.printer.printed()

    # the agent stopped: the page still gets its ticket, shown for a photo
    pc.stop_agent()
    kiosk.tap("#ticket-done")
    kiosk.tap(".event-tile[data-event='结婚']")
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.fault")
    assert kiosk.inner_text("#ticket-number") == "A002"
    assert api(pc.server, "GET", "/centers/east").json()["queues"][0]["waiting"] == 2


def assert_nothing_in_clear(pc, page):
    """Grep everything the run wrote and pushed for the cards' numbers, names and addresses."""
    blobs = {path: open(path, "rb").read() for path in pc.written_files()}
    assert any(p.endswith("hall.db") for p in blobs) and any(p.endswith("agent.log") for p in blobs)
    blobs["pushes"] = "\n".join(page.frames_seen).encode()
    assert "id_card" in blobs["pushes"].decode()
    blobs["page"] = page.content().encode()
    blobs["printer"] = pc.printer.printed()
    events = api(pc.server, "GET", "/centers/east/events?after=0", "manager-east").json()["events"]
    blobs["events"] = json.dumps(events, ensure_ascii=False).encode()
    assert any(e.get("person", "").startswith("idcard:") for e in events)
    for secret in SECRETS:
        for encoding in ("utf-8", "gb18030", "utf-16-le"):
            needle = secret.encode(encoding)
            found = [name for name, blob in blobs.items() if needle in blob]
            assert not found, f"{secret!r} ({encoding}) found in {found}"


def test_an_unplugged_reader_leaves_a_touch_kiosk_and_a_replugged_one_reads_again(pc, kiosk):
    pc.reader.unplug()
    wait_until(lambda: pc.me().get("id_reader") == "offline", timeout=20, what="the hall hearing the reader is gone")
    kiosk.reload()
    kiosk.wait_for_selector("body[data-ready='1'] #view-home:not([hidden]) .event-tile")
    kiosk.wait_for_function("document.getElementById('idcard-box') && document.getElementById('idcard-box').hidden")
    kiosk.tap(".event-tile[data-event='结婚']")                  # touch only, as a kiosk without a reader
    kiosk.tap(".item-row[data-item='marriage']")
    kiosk.tap("#take")
    kiosk.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
    kiosk.tap("#ticket-done")
    pc.reader.replug()
    wait_until(lambda: pc.me().get("id_reader") == "ok", timeout=20, what="the reader back")
    assert "张*，您好" in lay(pc, kiosk, ZHANG)
    log = api(pc.server, "GET", "/centers/east/events?after=0", "manager-east").json()["events"]
    assert [e["status"] for e in log if e["type"] == "device_reported" and e["device"] == "kiosk-east.id-reader"] \
        == ["ok", "offline", "ok"]
