"""`hall demo` moves by itself: its simulated staff call tickets within seconds, seen from outside."""
import os
import subprocess
import sys
import time

import pytest
import requests

from tests.helpers import HallClock, free_port


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    env = {**os.environ, "HALL_DATA_DIR": str(tmp_path / "data"), "HALL_CLOCK_START": HallClock().iso()}
    env.pop("HALL_REDIS_URL", None)
    log = open(tmp_path / "demo.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "hall.cli", "demo", "--port", str(port), "--speed", "200"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if requests.get(base + "/centers", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "demo.log").read_text()
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
def test_the_demo_calls_tickets_within_a_minute(demo):
    token = requests.post(demo + "/auth/login", json={"username": "manager-huanshi", "password": "hall-demo"},
                          timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.time() + 60
    after, called, by = 0, [], set()
    while time.time() < deadline and len(called) < 3:
        page = requests.get(f"{demo}/centers/huanshi/events", params={"after": after}, headers=headers,
                            timeout=10).json()
        called += [e for e in page["events"] if e["type"] == "ticket_called"]
        by |= {e["by"] for e in page["events"]}
        after = page["last_seq"]
        time.sleep(0.2)
    assert len(called) >= 3
    assert any(b.startswith("demo-huanshi-") for b in by)       # the simulated staff, through the gateway
    centre = requests.get(f"{demo}/centers/huanshi", timeout=10).json()
    assert any(w["state"] == "open" for w in centre["windows"])
    assert all("est_wait_range_s" in q for q in centre["queues"])
