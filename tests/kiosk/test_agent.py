"""The kiosk agent's parts: its config, a print job pushed twice printing once, the `id_card` push going to
that kiosk's own pages only, and the agent importing nothing of the hall."""
import os
import subprocess
import sys
import threading

import pytest
import requests
import serial
import socketio
import yaml

from kiosk import idcard
from kiosk.agent import config as cfgmod
from kiosk.agent.agent import Agent
from kiosk.layout import TicketInfo
from tests.helpers import HallServer, always_open, wait_until
from tests.kiosk.conftest import kiosk_center

GOOD = {"hall": "http://127.0.0.1:5000", "token": "dev_x", "center": "east",
        "id_reader": {"port": "/dev/ttyUSB0", "baudrate": 115200},
        "printer": {"kind": "serial", "devfile": "/dev/ttyUSB1"}}


def test_the_config_keys_of_the_contract():
    c = cfgmod.build(GOOD)
    assert (c.hall, c.center, c.reader_port, c.reader_baudrate, c.printer["kind"]) == \
        ("http://127.0.0.1:5000", "east", "/dev/ttyUSB0", 115200, "serial")
    touch_only = cfgmod.build({k: v for k, v in GOOD.items() if k not in ("id_reader", "printer")})
    assert touch_only.reader_port is None and touch_only.printer["kind"] == "none"


@pytest.mark.parametrize("change, words", [
    ({"hall": "127.0.0.1:5000"}, "hall:"),
    ({"token": ""}, "token:"),
    ({"center": "East Hall"}, "center:"),
    ({"id_reader": {"baudrate": 9600}}, "id_reader:"),
    ({"id_reader": {"port": "/dev/ttyUSB0", "baudrate": 1234}}, "baudrate"),
    ({"printer": {"kind": "agent"}}, "real printer"),
    ({"printer": {"kind": "laser"}}, "printer.kind"),
    ({"extra": 1}, "unknown key"),
])
def test_a_bad_config_says_what_is_wrong(change, words):
    with pytest.raises(cfgmod.ConfigError, match=words):
        cfgmod.build({**GOOD, **change})


def test_a_job_pushed_twice_is_printed_once_and_answered_twice(tmp_path):
    out = tmp_path / "lp0"
    agent = Agent(cfgmod.build({**GOOD, "id_reader": None, "printer": {"kind": "file", "path": str(out)}}))
    posted = []
    agent.link.post = lambda path, body: posted.append((path, body)) or (200, {})
    info = TicketInfo(center="东区政务服务中心", queue="综合受理", number="A007", ahead=2, est_wait_s=600,
                      issued="2026-11-26 10:00:00", track_url="http://hall/m/tickets/x")
    job = {"job": "j1", "kiosk": "kiosk-east", "ticket": "x", "number": "A007", "info": info.__dict__}
    agent._print(job)
    agent._print(job)
    assert out.read_bytes().count(b"\x1d!\x33A007\n") == 1
    assert posted == [("/agent/printed/j1", {"printed": True, "fault": None, "paper_low": False})] * 2


def test_a_printer_fault_is_answered_and_reported(tmp_path):
    agent = Agent(cfgmod.build({**GOOD, "id_reader": None,
                                "printer": {"kind": "file", "path": str(tmp_path / "gone" / "lp0")}}))
    posted = []
    agent.link.post = lambda path, body: posted.append((path, body)) or (200, {})
    info = TicketInfo(center="东区", queue="综合受理", number="A001", ahead=0, est_wait_s=None, issued="",
                      track_url="http://hall/m/tickets/y")
    agent._print({"job": "j2", "info": info.__dict__})
    assert ("/agent/status", {"printer": "offline"}) in posted
    assert posted[-1][0] == "/agent/printed/j2" and posted[-1][1]["printed"] is False
    assert posted[-1][1]["fault"] == "offline"


def test_the_agent_imports_nothing_of_the_hall():
    # only the text catalogue (a JSON reader, for the printed ticket's words): no core, no Flask
    code = ("import sys, kiosk.agent.cli, kiosk.agent.agent, kiosk.idcard_sim; "
            "print(sorted(m for m in sys.modules if m == 'hall' or m.startswith(('hall.', 'flask'))))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() \
        == "['hall', 'hall.text']"


def test_id_card_goes_to_that_kiosks_pages_only(tmp_path):
    def second_kiosk(hall):
        from hall.auth import device_token_hash
        hall.execute_district("add-device", {"name": "kiosk-east-2", "kind": "kiosk", "center": "east",
                                             "token": device_token_hash("dev_second_kiosk_token_0001")})
    server = HallServer(tmp_path, centers=[always_open(kiosk_center())], prepare=second_kiosk).start()
    server.tokens["kiosk-east-2"] = "dev_second_kiosk_token_0001"
    heard, clients = {}, []
    try:
        for who, auth in (("screen", {}), ("staff", {"token": server.tokens["staff-east"]}),
                          ("other kiosk", {"token": server.tokens["kiosk-east-2"]}),
                          ("agent", {"token": server.tokens["kiosk-east"], "agent": True}),
                          ("this kiosk", {"token": server.tokens["kiosk-east"]})):
            sio = socketio.Client()
            heard[who] = []
            sio.on("id_card", lambda msg, who=who: heard[who].append(msg))
            sio.connect(server.url, auth={"center": "east", **auth}, transports=["websocket"], wait_timeout=10)
            clients.append(sio)
        r = requests.post(f"{server.url}/kiosk/east/id-card", json={"number": "110101198001011232", "name": "李四"},
                          headers=server.headers("kiosk-east"), timeout=10)
        assert r.status_code == 200
        wait_until(lambda: heard["this kiosk"], what="the kiosk's page hearing the card")
        threading.Event().wait(0.3)
        assert {k: len(v) for k, v in heard.items()} == {"screen": 0, "staff": 0, "other kiosk": 0, "agent": 0,
                                                         "this kiosk": 1}
        msg = heard["this kiosk"][0]
        assert msg["name_masked"] == "李*" and msg["number_masked"] == "110101********1232"
        assert "李四" not in str(msg) and "110101198001011232" not in str(msg)
    finally:
        for c in clients:
            c.disconnect()
        server.stop()


def test_kiosk_sim_answers_on_its_port(tmp_path):
    from kiosk.agent.cli import run_sim
    path = tmp_path / "reader"
    cfg = tmp_path / "agent.yaml"
    cfg.write_text(yaml.safe_dump({"hall": "http://127.0.0.1:5000", "center": "east",
                                   "id_reader": {"port": str(path)}}))
    r, w = os.pipe()
    stdin, out = open(r, encoding="utf-8"), open(tmp_path / "out.txt", "w", encoding="utf-8")
    t = threading.Thread(target=run_sim, args=(str(cfg), stdin, out), daemon=True)
    t.start()
    wait_until(lambda: path.exists(), what="the simulated reader's port")
    os.write(w, b"lay\n")
    wait_until(lambda: "card laid" in (tmp_path / "out.txt").read_text(encoding="utf-8"), what="the card laid")
    with serial.Serial(str(path), 115200, timeout=1) as port:
        port.write(idcard.request(idcard.FIND))
        assert port.read(15) == idcard.answer(idcard.FOUND, bytes(4))
    os.write(w, b"quit\n")
    t.join(5)
    assert not t.is_alive()


def test_an_answer_reaching_another_process_is_relayed_to_the_waiting_one(redis_url):
    from kiosk.agent_jobs import AgentJobs, RedisRelay
    waiting, other = AgentJobs(RedisRelay(redis_url)), AgentJobs(RedisRelay(redis_url))
    got = []

    def push(name, job, room):
        # the agent answers, over HTTP, to the other process
        threading.Timer(0.05, lambda: got.append(other.answer("kiosk-east", job["job"], {"printed": True}))).start()
    answer = waiting.run(push, "room", {"job": "j9", "kiosk": "kiosk-east"}, timeout=5)
    assert answer == {"printed": True}
    assert wait_until(lambda: got) == [True]
    assert AgentJobs().answer("kiosk-east", "j9", {}) is False


@pytest.mark.parametrize("command", ["kiosk-agent", "kiosk-sim"])
def test_the_commands_refuse_a_bad_config_with_exit_2(tmp_path, command):
    bad = tmp_path / "agent.yaml"
    bad.write_text(yaml.safe_dump({**GOOD, "id_reader": {"port": ""}}))
    for path, words in ((tmp_path / "missing.yaml", "cannot read"), (bad, "id_reader")):
        r = subprocess.run([sys.executable, "-m", "hall.cli", command, "--config", str(path)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and words in r.stderr, r.stderr
