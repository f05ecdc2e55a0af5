"""Firmware bridge: key-to-LED latency on a full simulated line, and the frame decoder's speed.

    python bench/bridge.py [--presses 60] [--baud 9600]

key_to_led_*: a real `hall serve`, the real bridge (`hall bridge --config`, its own process) and
32 simulated devices on ONE line at 9,600 baud — ten windows, each with a call keypad, an
evaluator and a window LED, plus two LED bars. The simulator keeps the line's timing (every frame
takes its wire time, a device answers 2 ms after a request ends), so the figure is that of a real
RS-485 line, not of a pty. Each round presses 开始办理 on a window's keypad (after the first
round), waits until the line carries only polls again (the prediction is for an otherwise idle
line), waits a random part of a poll cycle (so presses land anywhere in it), presses 呼叫 and times
from the press to the moment the last byte of 「A0xx 请到N号窗口」 reaches that window's LED.
display_bus_ms_per_round: the wire time of the display frames a round causes (LED, keypad lines,
bars, evaluator prompt, and their ACKs): what a call costs the line.

predicted: `firmware_bridge.timing.predict` for the same line (PROTOCOL.md, "Timing"), with the
hall's round trip set to the HTTP call-next time measured here.

frames_per_s: the pure decoder on a realistic mix of frames fed in 4 KB chunks, one core.
Prints one JSON object.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import requests  # noqa: E402
import yaml  # noqa: E402

from firmware_bridge import sim, timing  # noqa: E402
from firmware_bridge import config as cfgmod  # noqa: E402
from firmware_bridge.drivers.hq485 import HQ485  # noqa: E402
from firmware_bridge.framing import Decoder  # noqa: E402
from firmware_bridge.messages import (Acked, Envelope, Evaluation, Heartbeat, Key, KeyPress, Kind, Poll,  # noqa: E402
                                      ShowText)
from tests.helpers import HallServer  # noqa: E402

WINDOWS = 10
CENTER = "bench"


def catalogue():
    return {"id": CENTER, "name": "压测政务服务中心", "hours": None,
            "queues": [{"id": "general", "prefix": "A", "name": "综合受理", "category": "comprehensive",
                        "daily_quota": 999}],
            "windows": [{"number": n, "name": f"{n}号窗口", "queues": ["general"]} for n in range(1, WINDOWS + 2)]}


def line_devices():
    devs = []
    for n in range(1, WINDOWS + 1):
        devs += [{"address": n, "kind": "keypad", "window": n},
                 {"address": 10 + n, "kind": "evaluator", "window": n},
                 {"address": 20 + n, "kind": "led", "window": n}]
    return devs + [{"address": 31, "kind": "bar", "name": "bar-hall"},
                   {"address": 32, "kind": "bar", "name": "bar-door"}]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


def bench_decoder(seconds=1.0):
    d = HQ485()
    frames = [d.encode_request(Envelope(3, Poll())), d.encode_reply(Envelope(3, Heartbeat(Kind.LED))),
              d.encode_reply(Envelope(1, KeyPress(Key.CALL_NEXT), 1)),
              d.encode_request(Envelope(21, ShowText(0, "A001 请到10号窗口"))),
              d.encode_reply(Envelope(21, Acked("text"))), d.encode_reply(Envelope(11, Evaluation(7, 5)))]
    stream = b"".join(frames * 2000)
    chunks = [stream[i:i + 4096] for i in range(0, len(stream), 4096)]
    n, t0 = 0, time.perf_counter()
    while True:
        dec = Decoder()
        for c in chunks:
            n += len(dec.feed(c))
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            break
    return {"frames_per_s": round(n / elapsed), "decoder_mb_per_s": round(len(stream) * (n / (len(frames) * 2000))
                                                                          / elapsed / 1e6, 2)}


def bench_line(presses, baud, workdir):
    server = HallServer(os.path.join(workdir, "hall"), centers=[catalogue()]).start()
    bridge = None
    line = None
    try:
        url = server.url
        port = os.path.join(workdir, "ttyRS485-0")
        raw = {"hall": {"url": url, "token": server.tokens[f"bridge-{CENTER}"], "center": CENTER},
               "state_dir": os.path.join(workdir, "bridge-state"),
               "lines": [{"port": port, "baud": baud, "devices": line_devices()}]}
        path = os.path.join(workdir, "bridge.yaml")
        with open(path, "w", encoding="utf-8") as f:
            yaml.safe_dump(raw, f, allow_unicode=True)
        config = cfgmod.load(path)
        line = sim.build(config.lines[0]).start()
        staff = server.headers(f"staff-{CENTER}")
        s = requests.Session()
        for n in range(1, WINDOWS + 2):
            s.post(f"{url}/api/v1/centers/{CENTER}/windows/{n}/open", headers=staff, json={}).raise_for_status()
        for _ in range(presses + 30):
            s.post(f"{url}/api/v1/centers/{CENTER}/tickets", json={"queue": "general"},
                   headers=server.headers(f"kiosk-{CENTER}")).raise_for_status()
        # the hall's share of the path: an HTTP call-next on window 11, which has no devices
        http_ms = []
        for _ in range(20):
            t0 = time.perf_counter()
            s.post(f"{url}/api/v1/centers/{CENTER}/windows/{WINDOWS + 1}/call-next", headers=staff, json={})
            http_ms.append(1000 * (time.perf_counter() - t0))
            s.post(f"{url}/api/v1/centers/{CENTER}/windows/{WINDOWS + 1}/no-show", headers=staff, json={})

        log = open(os.path.join(workdir, "bridge.log"), "wb")
        bridge = subprocess.Popen([sys.executable, "-m", "hall.cli", "bridge", "--config", path],
                                  stdout=log, stderr=subprocess.STDOUT)
        for n in range(1, WINDOWS + 1):
            line[20 + n].wait_text("欢迎您", timeout=30)
            line[n].wait_text("等候", timeout=30, zone=1)
        # the idle poll cycle: polls answered on the whole line per second
        t0, polled0 = time.monotonic(), _polls(line)
        time.sleep(3)
        poll_ms = 1000 * (time.monotonic() - t0) / max(1, _polls(line) - polled0)

        rng = random.Random(7)
        latencies, called = [], set()
        bytes0 = line.counters["command_bytes"]
        for i in range(presses):
            n = i % WINDOWS + 1
            keypad, led = line[n], line[20 + n]
            if n in called:
                keypad.press("start")
                keypad.wait_text("办理中", timeout=10)
            _quiet(line)
            time.sleep(rng.uniform(0.05, 0.05 + poll_ms * len(line_devices()) / 1000))
            t_press = time.monotonic()
            if not keypad.press("call-next"):
                raise RuntimeError(f"keypad {n} refused the press")
            shown = led.wait_for(lambda d: d.shown_at("请到", after=t_press), timeout=10)
            latencies.append(1000 * (shown - t_press))
            if os.environ.get("BENCH_DEBUG") and latencies[-1] > 800:
                print(f"slow {latencies[-1]:.0f} ms at window {n}: keypad {keypad.history[-8:]}\n"
                      f"led {led.history[-3:]} t_press {t_press:.3f}", file=sys.stderr)
            called.add(n)
        display_bytes = (line.counters["command_bytes"] - bytes0) / presses
        hall_s = statistics.median(http_ms) / 1000
        predicted = timing.predict(baud, len(line_devices()), hall_s=hall_s)
        # the same model with the poll transaction as measured here (Python's timers and a shared
        # machine stretch it a little past the wire arithmetic)
        measured_poll = timing.predict(baud, len(line_devices()), hall_s=hall_s, poll_s=poll_ms / 1000)
        return {
            "devices": len(line_devices()), "baud": baud, "presses": presses,
            "key_to_led_p50_ms": round(pct(latencies, 50), 1),
            "key_to_led_p99_ms": round(pct(latencies, 99), 1),
            "key_to_led_max_ms": round(max(latencies), 1),
            "key_to_led_min_ms": round(min(latencies), 1),
            "poll_ms_measured": round(poll_ms, 2),
            "poll_cycle_ms_measured": round(poll_ms * len(line_devices()), 1),
            "hall_http_call_next_ms_p50": round(statistics.median(http_ms), 1),
            # display frames (and their ACKs) each round (开始办理 + 呼叫) put on the line, in wire time
            "display_bus_ms_per_round": round(1000 * timing.wire_s(display_bytes, baud), 1),
            "predicted": predicted.as_dict(),
            "predicted_with_measured_poll": {k: v for k, v in measured_poll.as_dict().items()
                                             if k in ("cycle_ms", "p50_ms", "p99_ms", "max_ms")},
        }
    finally:
        if bridge is not None:
            bridge.terminate()
            bridge.wait(15)
        if line is not None:
            line.stop()
        server.stop()


def _quiet(line, quiet_s=0.3, timeout=15):
    """Wait until only polls have been on the line for quiet_s: the prediction is for an idle line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() - line.last_command_at < quiet_s and time.monotonic() < deadline:
        time.sleep(0.05)


def _polls(line):
    return sum(d.polls for d in line.devices.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument("--baud", type=int, default=9600)
    a = ap.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as workdir:
        out.update(bench_line(a.presses, a.baud, workdir))
    out.update(bench_decoder())
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
