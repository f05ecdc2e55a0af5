"""The hall's screens and the phone pages for everyone, in Chromium: axe-core finds no serious or
critical violation, and every text reads at 4.5:1 or more. The main screen's 「点击开启声音」 (shown
until someone touches a screen whose browser keeps sound off) sits in the bar, over nothing.
Screenshots go to test-artifacts/a11y-*.png."""
import json
import os

import pytest
import requests

from tests.a11y.audit import assert_accessible, axe_rules_broken, text_facts
from tests.a11y.conftest import LANDSCAPE
from tests.booking.conftest import FIXED_SLOTS, tomorrow
from tests.booking.test_phone_browser import open_booking_form
from tests.helpers import always_open, api, small_center, wait_until

MIN_CONTRAST = 4.5


def assert_readable(page, where):
    faint = [f for f in text_facts(page) if f["contrast"] < MIN_CONTRAST and not f["inactive"]]
    assert not faint, f"{where}: text under {MIN_CONTRAST}:1:\n" + "\n".join(f"    {f}" for f in faint)


def assert_one_heading(page, where, text):
    """One <h1>, naming what the page is about (axe-core's moderate page-has-heading-one)."""
    assert page.locator("h1").all_inner_texts() == [text], where
    assert "page-has-heading-one" not in axe_rules_broken(page), where


def shoot(page, artifacts, name, full_page=False):
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=os.path.join(artifacts, f"a11y-{name}.png"), full_page=full_page)


# --- the hall's screens ---------------------------------------------------------------------------

@pytest.fixture
def hushed(browser):
    """A Chromium that keeps sound off until the page is touched (most screens' browsers), and a
    reader of its page through the DevTools protocol: Playwright's own evaluate counts as a touch."""
    b = browser.browser_type.launch(executable_path="/usr/bin/chromium",
                                    args=["--autoplay-policy=user-gesture-required"])
    opened = []

    def open_(url, viewport):
        page = b.new_page(viewport=viewport, locale="zh-CN")
        page.set_default_timeout(30000)
        cdp = page.context.new_cdp_session(page)
        opened.append(page)

        def read(expression):
            answer = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
            return answer["result"].get("value")
        page.goto(url)
        return page, read
    yield open_
    b.close()


# every box the sound button could lie over, with the button's own; read before anything touches the page
BOXES = """JSON.stringify((() => {
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {what: el.id || el.className, l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const sound = document.getElementById("sound");
  return {shown: !sound.hidden && sound.getBoundingClientRect().width > 0, sound: box(sound),
          bar: box(document.querySelector(".bar")), view: {w: innerWidth, h: innerHeight},
          others: [...document.querySelectorAll(SELECTOR)].map(box)};
})())"""


def overlaps(a, b):
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


@pytest.mark.parametrize("path, size, covers", [
    ("/display/east", LANDSCAPE, ".queue, .now, .history, .latest li, #centre-name, .clock, #lang, .notice"),
    ("/display/east", {"width": 1280, "height": 720}, ".queue, .now, .history, #centre-name, .clock, #lang"),
    ("/display/east/windows/3?voice=1", {"width": 1280, "height": 720},
     "#window-main, #staff, #window-name, .clock, #lang"),
])
def test_the_sound_button_hides_nothing(hall, hushed, artifacts, path, size, covers):
    page, read = hushed(hall.url + path, size)
    wait_until(lambda: read("window.hallLive && window.hallLive.version() !== null"), 30, "the screen's first picture")
    if path == "/display/east":
        wait_until(lambda: read("document.querySelectorAll('.queue').length === 3"), 30, "the queue cards")
    else:
        # a window screen that speaks (?voice=1) asks for the touch when it first has something to
        # say: a call to window 3
        for action in ("open", "call-next"):
            assert api(hall, "POST", f"/centers/east/windows/3/{action}", "staff-east").status_code == 200
    wait_until(lambda: read("!document.getElementById('sound').hidden"), 30, "the touch prompt")
    boxes = json.loads(read(BOXES.replace("SELECTOR", json.dumps(covers))))
    assert boxes["shown"] and boxes["others"]
    sound, bar, view = boxes["sound"], boxes["bar"], boxes["view"]
    assert [o["what"] for o in boxes["others"] if overlaps(sound, o)] == []
    assert bar["l"] <= sound["l"] and sound["r"] <= bar["r"] and bar["t"] <= sound["t"] and sound["b"] <= bar["b"]
    assert 0 <= sound["l"] and sound["r"] <= view["w"]
    name = "main" if path == "/display/east" else "window"
    page.screenshot(path=os.path.join(artifacts, f"a11y-screen-{name}-{size['width']}-sound-prompt.png"))


@pytest.mark.parametrize("path", ["/display/east", "/display/east/windows/1", "/display/east?lang=en"])
def test_the_screens_pass_the_audit(hall, pages, artifacts, path):
    page = pages(hall.url + path, LANDSCAPE, touch=False)
    page.wait_for_function("window.hallLive && window.hallLive.version() !== null")
    if "windows" in path:
        page.wait_for_function("document.querySelector('#w-number')?.textContent !== ''")
    else:
        page.wait_for_function("document.querySelectorAll('.queue').length === 3")
    assert page.evaluate("document.documentElement.lang") == ("en" if "lang=en" in path else "zh-CN")
    assert_accessible(page, path)
    assert_readable(page, path)
    name = path.strip("/").replace("/", "-").replace("?lang=", "-")
    page.screenshot(path=os.path.join(artifacts, f"a11y-{name}.png"))


# --- the phone pages ------------------------------------------------------------------------------

def test_the_wait_board(hall, phone_page, artifacts):
    page = phone_page(hall.url + "/m/")
    page.wait_for_selector(".centre-card[data-center='east'] tr[data-queue='general']")
    page.fill("#item", "结婚登记")
    page.wait_for_selector("#ranking:not([hidden])")
    assert_accessible(page, "/m/ (the wait board)")
    assert_readable(page, "/m/")
    shoot(page, artifacts, "phone-board", full_page=True)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_wait_board_on_a_holiday(hall_server, phone_page, artifacts, lang):
    """National Day by the official calendar: one centre closed today (今日休息 · 国庆节 · 下次开放),
    one always open beside it."""
    server = hall_server(start="2026-10-02 10:00", centers=[
        small_center("east", name="东区政务服务中心"),
        always_open(small_center("west", name="西区政务服务中心"))]).start()
    page = phone_page(server.url + ("/m/?lang=en" if lang == "en" else "/m/"))
    page.wait_for_selector(".centre-card[data-center='east'] .closed-notice .next-open")
    page.wait_for_selector(".centre-card[data-center='west'] tr[data-queue]")
    assert page.evaluate("document.documentElement.lang") == lang
    assert_accessible(page, f"/m/ on a holiday ({lang})")
    assert_readable(page, f"/m/ on a holiday ({lang})")
    shoot(page, artifacts, f"phone-board-holiday-{lang}", full_page=True)


@pytest.mark.parametrize("which", ["waiting", "called", "served"])
def test_a_ticket_page(hall, phone_page, artifacts, which):
    tid = {"waiting": hall.waiting_ticket, "called": hall.called_ticket, "served": hall.served_ticket}[which]
    page = phone_page(f"{hall.url}/m/tickets/{tid}")
    page.wait_for_selector("#ticket:not([data-status='loading'])")
    if which == "called":
        page.wait_for_selector("#called:not([hidden])")
    if which == "served":
        # 好差评: a bad level asks for reasons; audit the page with them on show
        page.wait_for_selector("#rate-levels button")
        page.locator("#rate-levels button").last.tap()
        page.wait_for_selector("#rate-options:not([hidden]) input[type=checkbox]")
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    assert_accessible(page, f"the {which} ticket's page")
    number = requests.get(f"{hall.url}/api/v1/tickets/{tid}", timeout=10).json()["number"]
    assert_one_heading(page, f"the {which} ticket's page", number)
    assert_readable(page, f"the {which} ticket's page")
    shoot(page, artifacts, f"phone-ticket-{which}", full_page=True)


def test_booking_and_the_booking_page(hall, phone_page, artifacts):
    page = phone_page(hall.url + "/m/book")
    page.wait_for_selector(".choice.centre.selected[data-center='east']")
    assert_accessible(page, "/m/book (first step)")
    page.close()
    page = phone_page(hall.url + "/m/")
    open_booking_form(page, hall, tomorrow(), FIXED_SLOTS[2])
    page.fill("#name", "张三丰")
    page.tap("#submit")                                            # the phone missing: an error on show
    page.wait_for_selector("#book-form .field-error:not(:empty)")
    assert_accessible(page, "/m/book (the form, with an error)")
    assert_readable(page, "/m/book")
    shoot(page, artifacts, "phone-book-form", full_page=True)
    page.goto(f"{hall.url}/m/book/east/{hall.booking_code}")
    page.wait_for_selector("#booking[data-status='booked']")
    assert_accessible(page, "the booking's page")
    code = hall.booking_code
    assert_one_heading(page, "the booking's page", f"{code[:4]} {code[4:]}")
    assert_readable(page, "the booking's page")
    shoot(page, artifacts, "phone-booking", full_page=True)
