"""Browser tests: Debian's headless Chromium (Playwright) against a real `hall serve`."""
import os

import pytest
import requests

from tests.helpers import always_open, small_center

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
NOTICE = "温馨提示：请携带身份证原件取号办理；过号请留意回呼或到咨询台求助。"
NOTICE_EN = "Please bring your ID card; if you miss your number, ask at the information desk."
PASSWORD = "pw-123456"


@pytest.fixture
def server(hall_server):
    return hall_server(centers=[always_open(small_center("east", notice=NOTICE, notice_en=NOTICE_EN))]).start()


class Kiosk:
    def __init__(self, server):
        self.server = server

    def issue(self, item="marriage"):
        r = requests.post(f"{self.server.url}/api/v1/centers/east/tickets", json={"item": item},
                          headers=self.server.headers("kiosk-east"), timeout=10)
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def kiosk(server):
    return Kiosk(server)


@pytest.fixture
def pages(open_page, server):
    """open(path, width, height) → a page of this server in its own context; JS errors fail the test."""
    return lambda path, width=1920, height=1080: open_page(server.url + path, width, height)


def live(page):
    """Wait until the page holds a picture from the server."""
    page.wait_for_function("window.hallLive && window.hallLive.version() !== null")
    return page


def login(page, username="staff-east", password=PASSWORD):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")


def take_window(page, number=1):
    login(page)
    page.click(f"button[data-window='{number}']")
    page.wait_for_selector("#work:not([hidden])")
    page.wait_for_function("document.querySelector('#window-state')?.dataset.state === 'open'")
    page.wait_for_function("document.body.dataset.busy !== '1'")


def shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name))


def press(page, key):
    """A console key, and its answer: the console takes one action at a time (a double press must
    not call two people), so the next key waits for this one's answer."""
    page.keyboard.press(key)
    page.wait_for_function("document.body.dataset.busy !== '1'")
