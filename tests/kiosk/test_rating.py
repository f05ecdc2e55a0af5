"""好差评 at the kiosk, in real headless Chromium against a real `hall serve`: a served ticket's
number typed on the kiosk, a level and a reason, recorded on the kiosk channel (its 差评 follow-up
says so); the same number again is refused on that channel. Screenshot in test-artifacts/."""
import os

import pytest

from tests.helpers import api



@pytest.fixture
def kiosk(kiosk_page):
    return kiosk_page("#open-rate")


def served(server):
    r = api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "general"})
    assert r.status_code == 201
    for action in ("open", "call-next", "finish"):
        assert api(server, "POST", f"/centers/east/windows/1/{action}", "staff-east").status_code == 200
    return r.json()


def type_number(page, number):
    page.click("#open-rate")
    page.wait_for_selector("#view-rate:not([hidden]) #rate-number")
    page.click(f"#view-rate [data-prefix='{number[0]}']")
    for digit in number[1:]:
        page.click(f"#view-rate [data-k='{digit}']")
    assert page.get_attribute("#rate-number", "data-number") == number
    page.click("#rate-next")


def test_a_citizen_rates_at_the_kiosk_with_a_reason(kiosk, artifacts):
    server = kiosk.server
    ticket = served(server)
    assert ticket["number"] == "A001"
    type_number(kiosk, "A001")
    kiosk.wait_for_selector("#view-rate .rate-level[data-score='2']")
    assert kiosk.locator("#view-rate .rate-level").count() == 5
    kiosk.click("#view-rate .rate-level[data-score='2']")
    kiosk.wait_for_selector("#view-rate .rate-option[data-option='inefficient']")
    assert kiosk.is_disabled("#rate-send")                  # a 2 names at least one reason
    kiosk.click("#view-rate .rate-option[data-option='inefficient']")
    kiosk.screenshot(path=os.path.join(artifacts, "kiosk-rating.png"))
    kiosk.click("#rate-send")
    kiosk.wait_for_selector("#view-rate .rate-thanks")
    followups = api(server, "GET", "/centers/east/followups", "manager-east").json()["followups"]
    [f] = followups
    assert (f["number"], f["score"], f["channel"], f["reasons"]) == ("A001", 2, "kiosk", ["inefficient"])
    # once per channel: the kiosk is refused a second time, the phone may still rate
    kiosk.click("#btn-home")
    type_number(kiosk, "A001")
    kiosk.click("#view-rate .rate-level[data-score='5']")
    kiosk.click("#rate-send")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "已经评价过了"
    r = api(server, "POST", f"/tickets/{ticket['id']}/evaluation", json={"score": 5})
    assert r.status_code == 201


def test_a_number_not_issued_today_is_said_plainly(kiosk):
    type_number(kiosk, "B123")
    kiosk.click("#view-rate .rate-level[data-score='4']")
    kiosk.click("#rate-send")
    kiosk.wait_for_selector("#modal:not([hidden])")
    assert kiosk.inner_text("#modal-title") == "今天没有这个号码"
    assert "B123" in kiosk.inner_text("#modal-text")
