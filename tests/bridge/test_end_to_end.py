"""The real bridge on simulated devices (pty pairs) against a real `hall serve` process.

Centre `east` (tests/helpers.small_center): window 3 serves the police queue (tickets B001…).
"""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml

from firmware_bridge import config as cfgmod, sim
from firmware_bridge.bridge import Bridge
from tests.helpers import wait_until

pytestmark = pytest.mark.slow

DEVICES = [{"address": 1, "kind": "keypad", "window": 3}, {"address": 2, "kind": "evaluator", "window": 3},
           {"address": 3, "kind": "led", "window": 3}, {"address": 4, "kind": "led", "window": 1},
           {"address": 5, "kind": "bar"}]
KEYPAD, EVALUATOR, LED3, LED1, BAR = 1, 2, 3, 4, 5


class Hall:
    """The hall server and what a test asks of it over HTTP."""

    def __init__(self, server):
        self.server = server

    @property
    def url(self):
        return self.server.url

    def issue(self, queue="police"):
        r = requests.post(f"{self.url}/api/v1/centers/east/tickets", json={"queue": queue},
                          headers=self.server.headers("kiosk-east"), timeout=5)
        assert r.status_code == 201, r.text
        return r.json()

    def ticket(self, tid):
        return requests.get(f"{self.url}/api/v1/tickets/{tid}", timeout=5).json()

    def act(self, window, action):
        return requests.post(f"{self.url}/api/v1/centers/east/windows/{window}/{action}", json={},
                             headers=self.server.headers("staff-east"), timeout=5)

    def waiting(self, queue="police"):
        c = requests.get(f"{self.url}/api/v1/centers/east", timeout=5).json()
        return next(q["waiting"] for q in c["queues"] if q["id"] == queue)

    def device_reports(self):
        r = requests.get(f"{self.url}/api/v1/centers/east/events?after=0",
                         headers=self.server.headers("manager-east"), timeout=5)
        return [(e["device"], e["status"]) for e in r.json()["events"] if e["type"] == "device_reported"]


@pytest.fixture
def hall(hall_server):
    return Hall(hall_server().start())


@pytest.fixture
def setup(tmp_path, hall):
    """The bridge's YAML, the simulated line at its port, and a factory of in-process bridges."""
    port = str(tmp_path / "ttyRS485-0")
    raw = {"hall": {"url": hall.url, "token": hall.server.tokens["bridge-east"], "center": "east"},
           "state_dir": str(tmp_path / "bridge-state"),
           "lines": [{"port": port, "baud": 19200, "devices": DEVICES, "reopen_max_s": 0.2}]}
    path = tmp_path / "bridge.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = cfgmod.load(str(path))
    line = sim.build(config.lines[0]).start()
    bridges = []

    def start_bridge():
        b = Bridge(config, line_options={"port_down_offline_s": 0.5})
        for lk in b.live:
            lk.backoff.high = 0.3
        b.courier.backoff.high = 0.3
        bridges.append(b.start())
        return b

    class Setup:
        pass
    s = Setup()
    s.path, s.config, s.line, s.start_bridge = path, config, line, start_bridge
    yield s
    for b in bridges:
        b.stop()
    line.stop()


def ready(line):
    """The bridge has the hall's picture: the keypad shows how many wait."""
    line[KEYPAD].wait_text("等候", timeout=10, zone=1)


def test_keypad_3_calls_the_next_ticket_at_window_3_and_its_led_shows_it(setup, hall):
    # the bridge as operators run it: `hall bridge --config FILE`, a process of its own
    t = hall.issue()
    proc = subprocess.Popen([sys.executable, "-m", "hall.cli", "bridge", "--config", str(setup.path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        line = setup.line
        ready(line)
        assert line[LED3].wait_text("3号窗口 暂停服务")
        assert line[KEYPAD].press("open")
        line[KEYPAD].wait_text("已开窗", zone=1)
        line[LED3].wait_text("3号窗口 欢迎您")
        assert line[KEYPAD].press("call-next")
        assert line[LED3].wait_text(f"{t['number']} 请到3号窗口") == "B001 请到3号窗口"
        got = hall.ticket(t["id"])
        assert (got["status"], got["window"]) == ("called", 3)
        assert line[KEYPAD].wait_text("已呼叫 B001", zone=1)
        assert line[KEYPAD].wait_text("B001 已呼叫", zone=0)
        assert line[BAR].wait_text("请B001号到3号窗口")
        assert line[LED1].text == "1号窗口 暂停服务"          # another window's LED is left alone
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err.decode()


def test_an_evaluator_press_records_the_evaluation(setup, hall):
    t1, t2 = hall.issue(), hall.issue()
    setup.start_bridge()
    line = setup.line
    ready(line)
    for key in ("open", "call-next", "start", "finish"):
        assert line[KEYPAD].press(key)
        line[KEYPAD].wait_for(lambda d: not d.events and d.outstanding is None)
    line[KEYPAD].wait_text("已办结 B001", zone=1)
    prompt = line[EVALUATOR].wait_for(lambda d: d.prompt)
    assert prompt[1] == "请对B001号的服务进行评价"
    assert line[EVALUATOR].press(4)
    wait_until(lambda: hall.ticket(t1["id"])["score"] == 4, what="the evaluation at the hall")
    # a service ended at the staff console prompts the evaluator too (the hall's `ticket` push)
    assert hall.act(3, "call-next").status_code == 200
    assert hall.act(3, "start").status_code == 200
    assert hall.act(3, "finish").status_code == 200
    prompt = line[EVALUATOR].wait_for(lambda d: d.prompt)
    assert "B002" in prompt[1]
    line[EVALUATOR].press(5)
    wait_until(lambda: hall.ticket(t2["id"])["score"] == 5, what="the second evaluation")


def test_a_key_frame_repeated_or_corrupted_on_the_line_calls_one_ticket(setup, hall):
    t1, _ = hall.issue(), hall.issue()
    assert hall.act(3, "open").status_code == 200
    bridge = setup.start_bridge()
    line = setup.line
    ready(line)
    setup.line.corrupt_replies(2, address=KEYPAD)     # the key report arrives damaged, twice
    setup.line.drop_acks(KEYPAD, 2)                   # then the keypad misses two ACKs and repeats it
    setup.line.duplicate_replies(2, address=KEYPAD)   # and some frames arrive twice
    assert line[KEYPAD].press("call-next")
    line[LED3].wait_text("B001 请到3号窗口")
    line[KEYPAD].wait_for(lambda d: d.outstanding is None and not d.events and d.drop_acks == 0)
    stats = bridge.stats()["lines"][setup.config.lines[0].port]
    assert stats["crc_errors"] >= 2 and stats["duplicates"] >= 1
    assert hall.ticket(t1["id"])["status"] == "called"
    assert hall.waiting() == 1                         # the second ticket was not called
    assert bridge.counters["keys"] == 1


def test_an_unplugged_line_comes_back_and_works(setup, hall):
    t = hall.issue()
    assert hall.act(3, "open").status_code == 200
    bridge = setup.start_bridge()
    line = setup.line
    ready(line)
    line.unplug()
    wait_until(lambda: bridge.stats()["lines"][line.path]["port_errors"] >= 1, what="the port error")
    wait_until(lambda: ("keypad-3", "offline") in hall.device_reports(), what="devices reported offline")
    replugged = time.monotonic()
    line.replug()
    wait_until(lambda: ("keypad-3", "ok") in hall.device_reports()[-5:], what="devices back")
    line[KEYPAD].wait_for(lambda d: d.synced_since(replugged))
    assert line[KEYPAD].press("call-next")
    line[LED3].wait_text("B001 请到3号窗口")
    assert hall.ticket(t["id"])["window"] == 3


def test_a_device_that_stops_answering_is_reported_and_comes_back(setup, hall):
    setup.start_bridge()
    line = setup.line
    ready(line)
    line[LED1].wait_text("1号窗口")
    line[LED1].power_off()
    wait_until(lambda: ("led-1", "offline") in hall.device_reports(), what="the offline report")
    assert hall.act(1, "open").status_code == 200      # the hall moves on meanwhile
    line[LED1].power_on()
    wait_until(lambda: hall.device_reports()[-1] == ("led-1", "ok"), what="the ok report")
    assert line[LED1].wait_text("1号窗口 欢迎您")       # resent after the restart
    assert [r for r in hall.device_reports() if r[0] != "led-1"] == \
        [(d["kind"] + "-" + str(d.get("window") or d["address"]), "ok") for d in DEVICES if d["address"] != LED1]


def test_while_the_hall_is_away_keys_are_refused_and_evaluations_kept(setup, hall):
    t1, t2 = hall.issue(), hall.issue()
    for action in ("open", "call-next", "start", "finish"):
        assert hall.act(3, action).status_code == 200
    bridge = setup.start_bridge()
    line = setup.line
    ready(line)
    bridge._finished("east", hall.ticket(t1["id"]))   # the finish happened before the bridge started
    line[EVALUATOR].wait_for(lambda d: d.prompt)
    hall.server.kill()
    line[KEYPAD].wait_text("系统离线", zone=1)         # the keypad says so before anyone presses
    assert line[KEYPAD].press("call-next")
    line[KEYPAD].wait_for(lambda d: not d.events and d.outstanding is None)
    wait_until(lambda: bridge.counters["keys_refused_offline"] == 1, what="the refusal")
    assert line[KEYPAD].texts[1] == "系统离线"
    assert line[EVALUATOR].press(2)
    wait_until(lambda: len(bridge.outbox) == 1, what="the evaluation kept")
    assert os.path.exists(os.path.join(setup.config.state_dir, "evaluations.db"))
    time.sleep(0.5)                                    # the hall stays away a while; nothing changes
    assert len(bridge.outbox) == 1
    hall.server.start(port=hall.server.port)
    wait_until(lambda: hall.ticket(t1["id"])["score"] == 2, timeout=15, what="the kept evaluation delivered")
    ready(line)
    assert len(bridge.outbox) == 0
    # the press made while the hall was away was not replayed: B002 still waits
    assert hall.ticket(t2["id"])["status"] == "waiting"
    assert line[LED3].text == "3号窗口 欢迎您"
