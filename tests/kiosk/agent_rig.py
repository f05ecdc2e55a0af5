"""A kiosk PC on this machine: a real `hall serve` (on a clock fixed at Thursday 2026-11-26 10:00 that runs
on), the real `hall kiosk-agent` process, a simulated ID-card reader on a pty and a serial thermal
printer on another pty. For the end-to-end tests and bench/kiosk.py."""
import os
import subprocess
import sys

import requests
import yaml

from kiosk.idcard_sim import SimReader
from tests.helpers import HallServer, always_open, wait_until
from tests.kiosk.conftest import kiosk_center
from tests.kiosk.fake_printer import PtyPrinter

START = "2026-11-26 10:00"
SLOT = "10:15-10:45"          # checking in opens 30 minutes before: at once on the fixed clock

ZHANG = {"name": "张三", "sex": "1", "nation": "01", "birth": "19491231", "address": "北京市朝阳区某某路1号",
         "number": "11010519491231002X", "authority": "北京市公安局朝阳分局", "valid_from": "20150101",
         "valid_to": "长期"}   # 76 on the fixed day: 绿色通道
LI = {**ZHANG, "name": "李四", "sex": "2", "birth": "19800101", "number": "110101198001011232",
      "address": "北京市东城区某某胡同2号"}


def rig_center():
    c = always_open(kiosk_center())
    c["queues"][0]["appointments"] = {"slots": [SLOT, "14:00-15:00"], "capacity": 4}
    return c


class KioskPC:
    def __init__(self, directory, poll_s=None):
        self.dir = str(directory)
        self.server = HallServer(os.path.join(self.dir, "hall"), centers=[rig_center()], start=START)
        kiosks = os.path.join(self.server.env["HALL_DATA_DIR"], "kiosks")
        os.makedirs(kiosks, exist_ok=True)
        with open(os.path.join(kiosks, "kiosk-east.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump({"printer": {"kind": "agent", "paper_mm": 80}, "guide_pin": "2468",
                            "ticket_idle_s": 4, "idle_s": 60}, f)
        self.printer = PtyPrinter()
        self.reader = SimReader(os.path.join(self.dir, "idreader"))
        self.agent_config = os.path.join(self.dir, "agent.yaml")
        self.agent_log_path = os.path.join(self.dir, "agent.log")
        self.agent = None

    def start(self):
        self.server.start()
        self.reader.start()
        with open(self.agent_config, "w", encoding="utf-8") as f:
            yaml.safe_dump({"hall": self.server.url, "token": self.server.tokens["kiosk-east"], "center": "east",
                            "id_reader": {"port": self.reader.path, "baudrate": 115200},
                            "printer": {"kind": "serial", "devfile": self.printer.path, "baudrate": 9600,
                                        "timeout": 1, "paper_mm": 80}}, f)
        self.start_agent()
        return self

    def start_agent(self):
        self.agent_log = open(self.agent_log_path, "ab")
        env = {**self.server.env, "PYTHONUNBUFFERED": "1"}
        self.agent = subprocess.Popen([sys.executable, "-m", "hall.cli", "kiosk-agent", "--config", self.agent_config],
                                      env=env, stdout=self.agent_log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.me().get("id_reader") == "ok", timeout=30, what="the agent's reader reported")

    def stop_agent(self):
        if self.agent and self.agent.poll() is None:
            self.agent.terminate()
            try:
                self.agent.wait(10)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait()
        if self.agent:
            self.agent_log.close()
        self.agent = None

    def stop(self):
        self.stop_agent()
        self.reader.stop()
        self.server.stop()
        self.printer.close()

    def me(self):
        r = requests.get(f"{self.server.url}/kiosk/east/me", headers=self.server.headers("kiosk-east"), timeout=15)
        return r.json() if r.status_code == 200 else {}

    @property
    def page_url(self):
        return f"{self.server.url}/kiosk/east?token={self.server.tokens['kiosk-east']}"

    def written_files(self):
        """Every file this run wrote: the store (SQLite and its WAL), the server's and the agent's logs."""
        out = []
        for root, _, files in os.walk(self.dir):
            out += [os.path.join(root, f) for f in files if not os.path.islink(os.path.join(root, f))]
        return out
