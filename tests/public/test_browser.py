"""The phone pages in real headless Chromium against a real `hall serve` (gevent, Socket.IO, its test
clock from Thursday 10:00): the wait board with its closing-time warning, distances and recommendation, the
English switch, and the ticket page turning into 「请到 1 号窗口」 when the ticket is called,
without a reload. Screenshots go to test-artifacts/."""
import os
import re
import time
from datetime import datetime, timedelta

import pytest
import requests

from tests.helpers import SERVED_START, SHANGHAI, always_open, at, small_center

# east is in the city, west 20 km away, north 3 km away and closing soon
EAST_AT, WEST_AT, NORTH_AT = [22.590, 113.080], [22.770, 113.080], [22.617, 113.080]


def closing_soon(now, minutes=10):
    """Opening hours for the day of `now` (a Shanghai datetime before 23:00) that end `minutes` after it."""
    end = now + timedelta(minutes=minutes)
    start = now - timedelta(hours=1)
    assert start.date() == now.date() == end.date(), "a served clock should start mid-morning"
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[now.weekday()]
    return {day: [f"{start:%H:%M}-{end:%H:%M}"]}


def api(server, method, path, who=None, **kw):
    headers = server.headers(who) if who else {}
    r = requests.request(method, server.url + "/api/v1" + path, headers=headers, timeout=10, **kw)
    assert r.status_code < 400, (method, path, r.text)
    return r


@pytest.fixture
def district(hall_server):
    hours = closing_soon(datetime.fromtimestamp(at(SERVED_START), SHANGHAI))
    centers = [
        always_open(small_center("east", name="东区政务服务中心", location=EAST_AT)),
        always_open(small_center("west", name="西区政务服务中心", location=WEST_AT)),
        {**small_center("north", name="北区便民服务中心", location=NORTH_AT), "hours": hours},
    ]
    server = hall_server(centers=centers)
    server.env["HALL_RATE_LIMIT_BURST"] = "5000"
    server.start()
    # east: one window for 身份证 (police) with a queue; west: an idle window for it;
    # north: general queue with 4 waiting and one window: about 20 min, past its closing time
    api(server, "POST", "/centers/east/windows/3/open", "staff-east")
    for _ in range(6):
        api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "police"})
    api(server, "POST", "/centers/west/windows/3/open", "staff-west")
    api(server, "POST", "/centers/west/tickets", "kiosk-west", json={"queue": "police"})
    api(server, "POST", "/centers/north/windows/2/open", "staff-north")
    for _ in range(5):
        api(server, "POST", "/centers/north/tickets", "kiosk-north", json={"queue": "general"})
    api(server, "POST", "/centers/north/windows/2/call-next", "staff-north")
    return server


def card(page, cid):
    return page.locator(f".centre-card[data-center='{cid}']")


def test_wait_board(district, phone, artifacts):
    page = phone()
    # a phone whose clock is weeks behind: "too late before closing" is judged by the hall's clock
    page.clock.install(time=datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI))
    page.goto(district.url + "/m/")
    page.wait_for_selector(".centre-card[data-center='north']")
    assert page.locator("h1").inner_text() == "各中心实时排队"
    assert card(page, "east").locator(".badge").inner_text() == "办理中"
    police = card(page, "east").locator("tr[data-queue='police']")
    assert "等候 6 人" in police.inner_text() and "分钟" in police.inner_text()
    assert "暂无窗口" in card(page, "east").locator("tr[data-queue='tax']").inner_text()
    north_general = card(page, "north").locator("tr[data-queue='general']")
    assert "下班前可能轮不到" in north_general.locator(".warning").inner_text()
    assert card(page, "east").locator(".warning").count() == 0
    assert "办理至" in card(page, "north").locator(".sub").inner_text()

    # a service item: the centres offering it, best first, and a plain recommendation
    page.fill("#item", "居民身份证换领")
    page.wait_for_selector("#ranking:not([hidden])")
    rec = page.locator("#recommend").inner_text()
    assert rec.startswith("推荐：西区政务服务中心，")
    assert page.locator("#rank-list li").first.get_attribute("data-center") == "west"
    assert page.locator("#rank-list li").count() == 3
    page.screenshot(path=os.path.join(artifacts, "public-board-zh.png"), full_page=True)
    assert not page.errors


def test_board_with_location_and_in_english(district, phone, artifacts):
    page = phone(geolocation={"latitude": EAST_AT[0] + 0.001, "longitude": EAST_AT[1]}, permissions=["geolocation"])
    page.goto(district.url + "/m/")
    page.wait_for_selector(".centre-card[data-center='west']")
    # the nearest centres are asked for, at the position rounded to about a kilometre
    with page.expect_request(lambda r: "/api/v1/centers?" in r.url) as asked:
        page.click("#locate")
    assert asked.value.url.endswith(f"/api/v1/centers?near={EAST_AT[0]:.2f},{EAST_AT[1]:.2f}&limit=20")
    page.wait_for_function("document.querySelector('#locate-status').textContent === '已按距离排序'")
    order = page.eval_on_selector_all(".centre-card", "els => els.map(e => e.dataset.center)")
    assert order == ["east", "north", "west"]
    assert "0.1 公里" in card(page, "east").locator(".sub").inner_text()
    assert "19.9 公里" in card(page, "west").locator(".sub").inner_text()
    # 20 km is about an hour away: the idle centre far off loses to waiting near by
    page.fill("#item", "居民身份证换领")
    page.wait_for_selector("#ranking:not([hidden])")
    assert page.locator("#recommend").inner_text().startswith("推荐：东区政务服务中心，预计等候")
    assert "路程约" in page.locator("#rank-list li[data-center='west']").inner_text()

    page.click("#lang")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("h1").inner_text() == "Live waits at every centre"
    assert page.locator("#locate-status").inner_text() == "Sorted by distance"
    assert "waiting" in card(page, "east").locator("tr[data-queue='police']").inner_text()
    page.fill("#item", "居民身份证换领")
    page.wait_for_selector("#ranking:not([hidden])")
    assert page.locator("#recommend").inner_text().startswith("Recommended:")
    page.screenshot(path=os.path.join(artifacts, "public-board-en.png"), full_page=True)
    page.click("#lang")
    assert page.locator("h1").inner_text() == "各中心实时排队"
    assert not page.errors


def test_ranking_logic_in_the_browser(district, phone):
    """rank.js alone, on made-up centres: order, travel time, closing time."""
    page = phone()
    page.goto(district.url + "/m/")
    page.wait_for_selector(".centre-card")
    result = page.evaluate("""() => {
      const now = Date.parse('2026-11-26T16:50:00+08:00');
      const q = (w) => [{id: 'p', name: '户籍', waiting: 3, est_wait_s: w, open_windows: w === null ? 0 : 1}];
      const c = (id, open, w, loc, closes) => ({id, name: id, open, closes_at: closes || null, location: loc,
                                                queues: q(w)});
      const centres = [c('far', true, 0, [22.77, 113.08]), c('near', true, 900, [22.59, 113.08]),
                       c('shut', false, 0, [22.59, 113.08]),
                       c('late', true, 1200, [22.59, 113.08], '2026-11-26T17:00:00+08:00'),
                       c('none', true, null, [22.59, 113.08]), c('other', true, 0, null)];
      const items = {};
      centres.forEach(x => items[x.id] = [{name: x.id === 'other' ? '别的事' : '身份证', queue: 'p'}]);
      const here = [22.59, 113.081];
      return {
        withHere: Rank.rankItem(centres, items, ' 身份证 ', here, now).map(r => [r.centre.id, r.kind]),
        without: Rank.rankItem(centres, items, '身份证', null, now).map(r => r.centre.id),
        km: Math.round(Rank.distanceM([22.59, 113.08], [22.77, 113.08]) / 100) / 10,
      };
    }""")
    assert result["withHere"] == [["near", "ok"], ["far", "ok"], ["late", "too_late"], ["none", "no_window"],
                                  ["shut", "closed"]]
    assert result["without"] == ["far", "near", "late", "none", "shut"]
    assert result["km"] == 20.0


def test_ticket_page_goes_live_when_called(district, phone, artifacts):
    server = district
    t = api(server, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "police"}).json()
    page = phone()
    # a phone whose own clock is weeks off, late at night: the page goes by the hall's clock
    page.clock.install(time=datetime(2027, 1, 9, 22, 40, tzinfo=SHANGHAI))
    # record what the page asks of the phone's vibrator
    page.add_init_script("window.__vibrations = []; navigator.vibrate = p => (window.__vibrations.push(p), true);")
    page.goto(f"{server.url}/m/tickets/{t['id']}")
    page.wait_for_function("document.querySelector('#ticket').dataset.status === 'waiting'")
    page.wait_for_function("document.querySelector('#live').textContent === '实时更新中'")
    assert page.locator("#number").inner_text() == t["number"]
    assert page.locator("#ahead").inner_text() == "6 人"
    # six ahead of it, about 4 minutes each, from the hall's 10:00 and a bit
    assert re.fullmatch(r"1[01]:\d\d 前后", page.locator("#eta").inner_text())
    assert page.locator("#called").is_hidden()
    page.screenshot(path=os.path.join(artifacts, "public-ticket-waiting.png"), full_page=True)
    page.evaluate("window.__sameDocument = 'yes'")

    # the six before it are served one by one at window 3; the page follows without a reload
    for _ in range(3):
        api(server, "POST", "/centers/east/windows/3/call-next", "staff-east")
        api(server, "POST", "/centers/east/windows/3/start", "staff-east")
    page.wait_for_function("document.querySelector('#ahead').textContent === '3 人'", timeout=10000)
    api(server, "POST", "/centers/east/windows/1/open", "staff-east")
    started = time.monotonic()
    api(server, "POST", "/centers/east/windows/1/call", "staff-east", json={"ticket": t["number"]})
    page.wait_for_selector("#called:not([hidden])", timeout=10000)
    took = time.monotonic() - started
    assert page.locator("#go").inner_text() == "请到 1 号窗口"
    page.wait_for_function("document.querySelector('#ticket').dataset.status === 'called'")
    assert page.evaluate("window.__sameDocument") == "yes"
    alerts = page.evaluate("window.hallTicketAlerts")
    assert len(alerts) == 1 and alerts[0]["window"] == 1 and alerts[0]["vibrated"] and alerts[0]["sounded"]
    assert page.evaluate("window.__vibrations") == [[400, 150, 400, 150, 400]]
    assert took < 5, took
    page.screenshot(path=os.path.join(artifacts, "public-ticket-called.png"), full_page=True)

    # a recall is a new call: told again
    api(server, "POST", "/centers/east/windows/1/recall", "staff-east")
    page.wait_for_function("window.hallTicketAlerts.length === 2", timeout=10000)
    assert page.locator("#go").inner_text() == "再次叫号：请到 1 号窗口"
    assert not page.errors


def test_ticket_page_cancel(district, phone, artifacts):
    server = district
    t = api(server, "POST", "/centers/west/tickets", "kiosk-west", json={"queue": "general"}).json()
    page = phone()
    page.goto(f"{server.url}/m/tickets/{t['id']}")
    page.wait_for_function("document.querySelector('#ticket').dataset.status === 'waiting'")
    page.click("#cancel")
    page.click("#confirm-no")
    assert requests.get(f"{server.url}/api/v1/tickets/{t['id']}", timeout=5).json()["status"] == "waiting"
    page.click("#cancel")
    page.click("#confirm-yes")
    page.wait_for_function("document.querySelector('#ticket').dataset.status === 'cancelled'")
    assert page.locator("#status").inner_text() == "已取消"
    assert page.locator("#cancel-status").inner_text() == "已取消排队"
    assert page.locator("#cancel").is_hidden() and page.locator("#alerts").is_hidden()
    assert requests.get(f"{server.url}/api/v1/tickets/{t['id']}", timeout=5).json()["status"] == "cancelled"
    page.screenshot(path=os.path.join(artifacts, "public-ticket-cancelled.png"), full_page=True)
    assert not page.errors


def test_ticket_page_on_another_process(hall_server, redis_url, phone):
    """Two `hall serve` processes on one Redis: the phone is on B, the call is made on A. B hears it
    through Socket.IO's Redis queue, and the page's re-read goes past B's cache to the truth."""
    a = hall_server(redis_url=redis_url)
    a.env["HALL_RATE_LIMIT_BURST"] = "5000"
    a.start()
    b = hall_server(redis_url=redis_url, join=a)
    b.env["HALL_RATE_LIMIT_BURST"] = "5000"
    b.start()
    t = api(a, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "general"}).json()
    page = phone()
    page.goto(f"{b.url}/m/tickets/{t['id']}")
    page.wait_for_function("document.querySelector('#live').textContent === '实时更新中'")
    page.wait_for_function("document.querySelector('#ticket').dataset.status === 'waiting'")
    ticket_read = lambda r: f"/api/v1/tickets/{t['id']}" in r.url and r.request.method == "GET"
    with page.expect_response(ticket_read):
        api(a, "POST", "/centers/east/windows/2/open", "staff-east")
    with page.expect_response(ticket_read) as read:
        api(a, "POST", "/centers/east/windows/2/call", "staff-east", json={"ticket": t["id"]})
    assert read.value.status == 200 and read.value.json()["status"] == "called"
    page.wait_for_selector("#called:not([hidden])")
    assert page.locator("#go").inner_text() == "请到 2 号窗口"
    assert page.locator("#status").inner_text() == "已叫号"
    assert not page.errors


def test_ticket_page_rates_the_service_with_its_reasons(district, phone, artifacts):
    """好差评 from the QR code: the levels and options come from the API; a bad level asks for a reason."""
    server = district
    t = api(server, "POST", "/centers/west/tickets", "kiosk-west", json={"queue": "police"}).json()
    api(server, "POST", "/centers/west/windows/3/call", "staff-west", json={"ticket": t["id"]})
    api(server, "POST", "/centers/west/windows/3/finish", "staff-west")
    page = phone()
    page.goto(f"{server.url}/m/tickets/{t['id']}")
    page.wait_for_function("document.querySelectorAll('#rate-levels button').length === 5")
    assert page.locator("#rate-levels button").all_inner_texts() == ["非常满意", "满意", "基本满意", "不满意",
                                                                     "非常不满意"]
    page.click("#rate-levels button[data-score='1']")
    assert "多次跑动" in page.locator("#rate-option-list").inner_text()
    page.click("#rate-send")
    assert page.locator("#rate-status").inner_text() == "请至少选择一项原因"
    page.check("#rate-option-list input[value='many_trips']")
    page.screenshot(path=os.path.join(artifacts, "public-ticket-rating.png"), full_page=True)
    page.click("#rate-send")
    page.wait_for_function("document.querySelector('#rate-status').textContent === '感谢您的评价'")
    assert requests.get(f"{server.url}/api/v1/tickets/{t['id']}", timeout=5).json()["score"] == 1
    page.screenshot(path=os.path.join(artifacts, "public-ticket-rated.png"), full_page=True)
    assert not page.errors
