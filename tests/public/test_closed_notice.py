"""The phone wait board on National Day, in real headless Chromium against a real `hall serve` whose
clock starts on 1 October 2026: the closed centre says 今日休息 · 国庆节 and when it opens next
(Closed today · National Day in English); a centre always open is unaffected. Screenshots in
test-artifacts/."""
import os

import requests

from tests.helpers import always_open, small_center


def test_the_board_on_a_public_holiday(hall_server, phone, artifacts):
    server = hall_server(start="2026-10-01 10:00", centers=[
        small_center("east", name="东区政务服务中心"),
        always_open(small_center("west", name="西区政务服务中心")),
    ]).start()
    east = requests.get(server.url + "/api/v1/centers/east", timeout=10).json()
    assert (east["closed_today"], east["holiday"], east["holiday_en"], east["next_open"]) == (
        True, "国庆节", "National Day", "2026-10-08T08:30:00+08:00")
    west = requests.get(server.url + "/api/v1/centers/west", timeout=10).json()
    assert (west["closed_today"], west["holiday"], west["holiday_en"]) == (False, None, None)
    page = phone()
    page.goto(server.url + "/m/")
    page.wait_for_selector(".centre-card[data-center='east'] .closed-notice")
    card = page.locator(".centre-card[data-center='east']")
    assert card.locator(".badge").inner_text() == "今日休息"
    assert card.locator(".closed-notice").inner_text() == "今日休息 · 国庆节 · 下次开放：10月8日 08:30"
    west = page.locator(".centre-card[data-center='west']")
    assert west.locator(".badge").inner_text() == "办理中" and west.locator(".closed-notice").count() == 0
    page.screenshot(path=os.path.join(artifacts, "public-board-holiday-zh.png"), full_page=True)
    page.click("#lang")
    page.wait_for_function("document.querySelector(\".centre-card[data-center='east'] .badge\").textContent"
                           " === 'Closed today'")
    # the holiday by the package's English name (chinese_calendar.constants.Holiday)
    assert card.locator(".closed-notice").inner_text() == "Closed today · National Day · opens next 10/8 08:30"
    page.screenshot(path=os.path.join(artifacts, "public-board-holiday-en.png"), full_page=True)
    assert not page.errors
