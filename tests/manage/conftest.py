"""Browser tests of the managers' pages: Debian's headless Chromium against a real `hall serve`."""
import os

import pytest
import requests

from tests.helpers import always_open, small_center

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
PASSWORD = "pw-123456"


@pytest.fixture
def server(hall_server, monkeypatch):
    # supervise every second and recompute recommendations as often, so that the pages move quickly
    monkeypatch.setenv("HALL_SUPERVISE_EVERY_S", "1")
    monkeypatch.setenv("HALL_RECOMMEND_EVERY_S", "1")
    return hall_server(centers=[always_open(small_center("east"))]).start()


class Api:
    def __init__(self, server):
        self.server = server

    def __call__(self, method, path, who, **body):
        r = requests.request(method, f"{self.server.url}/api/v1{path}", json=body or None,
                             headers=self.server.headers(who), timeout=10)
        assert r.status_code < 300, r.text
        return r.json() if r.status_code != 204 else None

    def issue(self, queue="general"):
        return self("POST", "/centers/east/tickets", "kiosk-east", queue=queue)

    def window(self, action, number, who="staff-east", **body):
        return self("POST", f"/centers/east/windows/{number}/{action}", who, **body)


@pytest.fixture
def api(server):
    return Api(server)


@pytest.fixture
def pages(open_page, server):
    """open(path, width, height) → a page of this server in its own context; JS errors fail the test."""
    return lambda path, width=1920, height=1080: open_page(server.url + path, width, height)


def login(page, username="manager-east", password=PASSWORD):
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")


def shot(page, name, full_page=False):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, name), full_page=full_page)
