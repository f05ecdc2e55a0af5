"""Start-up, memory and reports against the length of the log. Prints one JSON object.

    .venv/bin/python bench/history.py [--year-days 250] [--seed 1]

For an empty log (the catalogue only), a week (5 open days), a month (22) and a year (250 open
days) of the busy demo centre (huanshi), each written by `hall simulate --store`'s own function
into a fresh SQLite store (through the gateway, aggregates and a closing snapshot with it):
- cold_start_s_*: a real `hall serve` process, from its launch until its first 200 on
  GET /api/v1/centers/huanshi;
- rss_mb_*: that process's resident memory right then;
- month_report_s_year, month_report_xlsx_s_year: the busiest month of the year's log as JSON and
  as XLSX over HTTP (the median of three; `*_first` is the first, cold one);
- write_s_*: how long writing that history took (the tool teaches the wait estimator the last
  56 days and the closing snapshot keeps what it learned, so the served hall starts from it);
- cold_start_s_year_old_snapshot, rss_mb_year_old_snapshot: the year once more, its snapshot cut
  to the old format (no learned part): the state loads at once, the estimator relearns the log in
  the background (what a hall upgraded onto an old store does once).
Targets (issue #13): a year's cold start ≤ 2 s and within 1.5× of a week's; RSS of a year within
1.2× of a week's; a month's report ≤ 1 s. Figures compare within one run; the machine is shared.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date

import requests

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

from hall import catalog  # noqa: E402
from hall.sim.history import write_history  # noqa: E402
from hall.store import open_store  # noqa: E402
from tests.helpers import HallServer, free_port  # noqa: E402

CENTRE = "huanshi"
TODAY = date(2026, 12, 7)          # a Monday: the served hall's clock starts then, the history ends the day before
START = "2026-12-07 08:00"
SPANS = (("empty", 0), ("week", 5), ("month", 22), ("year", 250))


def huanshi():
    return next(c for c in catalog.read(os.path.join(ROOT, "hall", "demo", "district.yaml")) if c["id"] == CENTRE)


def prepared(directory, days, seed):
    """A data directory holding `days` open days of history (written before the catalogue and
    users are loaded, as `hall simulate --store` into a new hall would), and the server object."""
    data = os.path.join(directory, "data")
    os.makedirs(data, exist_ok=True)
    took = None
    if days:
        store = open_store(data)
        t0 = time.perf_counter()
        write_history(store, huanshi(), days, seed=seed, today=TODAY)
        took = time.perf_counter() - t0
        store.close()
    server = HallServer(directory, centers=[huanshi()], start=START)
    return server, took


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def cold_start(server, timeout=3600):
    """Launch `hall serve`; seconds until GET /api/v1/centers/huanshi answers 200, and its RSS then."""
    port = free_port()
    server.port, server.url = port, f"http://127.0.0.1:{port}"
    log = server.log = open(os.path.join(server.dir, "serve.log"), "ab")
    server.env["HALL_CLOCK_START"] = server.clock.run().iso()
    t0 = time.perf_counter()
    server.proc = subprocess.Popen([sys.executable, "-m", "hall.cli", "serve", "--port", str(port)],
                                   env=server.env, stdout=log, stderr=subprocess.STDOUT)
    url = f"{server.url}/api/v1/centers/{CENTRE}"
    while True:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if server.proc.poll() is not None or time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"hall serve did not answer; see {log.name}")
        time.sleep(0.02)
    return round(time.perf_counter() - t0, 2), rss_mb(server.proc.pid)


def busiest_month(data):
    store = open_store(data)
    try:
        rows = store.read_aggregates(CENTRE, "0000-01-01", "9999-12-31")
    finally:
        store.close()
    months = {}
    for (day, kind, _), row in rows.items():
        if kind == "centre":
            months[day[:7]] = months.get(day[:7], 0) + row["issued"]
    return max(months, key=months.get)


def timed_report(server, month, fmt, repeats=3):
    url = f"{server.url}/api/v1/centers/{CENTRE}/reports?period=month&date={month}-01&format={fmt}"
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = requests.get(url, headers=server.headers(f"manager-{CENTRE}"), timeout=600)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text[:200]
    return round(sorted(times)[len(times) // 2], 3), round(times[0], 3)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--year-days", type=int, default=250)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    out = {}
    with tempfile.TemporaryDirectory(prefix="hall-history-") as tmp:
        for name, days in SPANS:
            days = args.year_days if name == "year" else days
            server, took = prepared(os.path.join(tmp, name), days, args.seed)
            try:
                out[f"cold_start_s_{name}"], rss = cold_start(server)
                if name in ("week", "year"):
                    out[f"rss_mb_{name}"] = rss
                if took is not None:
                    out[f"write_s_{name}"] = round(took, 1)
                if name == "year":
                    month = busiest_month(server.env["HALL_DATA_DIR"])
                    out["busiest_month_year"] = month
                    out["month_report_s_year"], out["month_report_s_year_first"] = timed_report(server, month, "json")
                    out["month_report_xlsx_s_year"], _ = timed_report(server, month, "xlsx")
                    out["events_year"] = _version(server.env["HALL_DATA_DIR"])
                    server.stop()
                    _old_format(server.env["HALL_DATA_DIR"])
                    out["cold_start_s_year_old_snapshot"], out["rss_mb_year_old_snapshot"] = cold_start(server)
            finally:
                server.stop()
    print(json.dumps(out, indent=1))


def _old_format(data):
    """Cut the centre's snapshot to the format before the learned part (format 1)."""
    store = open_store(data)
    try:
        snap = store.load_snapshot(CENTRE)
        snap.pop("learned")
        store.save_snapshot(CENTRE, {**snap, "format": 1})
    finally:
        store.close()


def _version(data):
    store = open_store(data)
    try:
        return store.version(CENTRE)
    finally:
        store.close()


if __name__ == "__main__":
    main()
