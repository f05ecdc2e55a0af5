"""`hall demo` serves the bundled district, with logins that work."""
import os
import subprocess
import sys
import time

import pytest
import requests

from hall.demo import DEMO_PASSWORD
from tests.helpers import HallClock, free_port


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path / "demo"), "HALL_CLOCK_START": HallClock().iso()}
    env.pop("HALL_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "hall.cli", "demo", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            requests.get(url + "/api/v1/centers", timeout=1)
            break
        except requests.ConnectionError:
            assert proc.poll() is None and time.time() < deadline, "hall demo did not start"
            time.sleep(0.1)
    yield url, proc
    proc.terminate()
    proc.wait(10)


def test_demo_prints_where_everything_is(demo):
    url, proc = demo
    proc.terminate()
    out = proc.communicate(timeout=10)[0]
    for path in ("/kiosk/huanshi?token=dev_", "/display/huanshi", "/display/huanshi/windows/1", "/staff",
                 "/manage", "/m/", "staff-huanshi-1"):
        assert path in out, path


def test_demo_serves_the_district(demo):
    url, _ = demo
    centers = requests.get(url + "/api/v1/centers").json()["centers"]
    assert [c["id"] for c in centers][:3] == ["huanshi", "shadi-town", "donghu-community"]
    huanshi = requests.get(url + "/api/v1/centers/huanshi").json()
    assert len(huanshi["windows"]) >= 30
    assert {q["category"] for q in huanshi["queues"]} == {"comprehensive", "public_security", "specialty"}
    items = requests.get(url + "/api/v1/centers/huanshi/items").json()["items"]
    assert len(items) >= 200 and all(i["materials"] for i in items)
    login = requests.post(url + "/api/v1/auth/login", json={"username": "staff-huanshi-1", "password": DEMO_PASSWORD})
    assert login.status_code == 200 and login.json()["center"] == "huanshi"
    r = requests.post(url + "/api/v1/centers/huanshi/tickets", json={"item": items[0]["id"]})
    assert r.status_code == 201       # the demo is open around the clock
