"""Cold start on a long log: a fresh `create_app` until the first `GET /api/v1/centers/<c>` answers.

    python bench/startup.py [--days 5,250] [--learn-days 40] [--dir DIR]

For each length, the busy demo centre's days are simulated through the real core and appended to a
new SQLite store in pages; a snapshot is written at the end with what the estimator learned of the
last `--learn-days` days (its learned part is bounded: the deques, cells and samples are as large
after those days as after a year, so the snapshot is as a year's would be; feeding the estimator
every day of a year would take as long as the old start-up did). Then a fresh process starts the app
on it and times the first answer, with its RSS; and once more with the snapshot's learned part
removed (the old format: the state loads at once, the log is learned in the background).
Prints one JSON object.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from hall.app import create_app
app = create_app({"DATA_DIR": sys.argv[1], "SECRET_KEY": "bench", "RATE_LIMIT_PER_S": 0})
made = time.perf_counter() - t0
r = app.test_client().get("/api/v1/centers/" + sys.argv[2])
first = time.perf_counter() - t0
assert r.status_code == 200, r.status_code
rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024
print(json.dumps({"first_answer_s": round(first, 2), "app_s": round(made, 2), "rss_mb": round(rss, 1)}))
"""


def build(data_dir, days, learn_days, seed=1):
    import yaml
    from hall.core import CenterState, apply
    from hall.estimate import Learner, following, persist
    from hall.sim.run import simulate
    from hall.store.base import SNAPSHOT_FORMAT
    from hall.store.sqlite import SQLiteStore
    with open(os.path.join(os.path.dirname(HERE), "hall", "demo", "district.yaml"), encoding="utf-8") as f:
        centre = next(c for c in yaml.safe_load(f)["centers"] if c["id"] == "huanshi")
    t0 = time.perf_counter()
    events = simulate(centre, days=days, seed=seed).events
    simulated = time.perf_counter() - t0
    os.makedirs(data_dir, exist_ok=True)
    store = SQLiteStore(os.path.join(data_dir, "hall.db"))
    cid = centre["id"]
    for i in range(0, len(events), 5000):
        store.append(cid, i, events[i:i + 5000])
    starts = [i for i, e in enumerate(events) if e["type"] == "day_started"]
    learn_from = starts[-learn_days] if len(starts) > learn_days else 0
    state, learner = CenterState(id=cid), Learner()
    projected, sample = following(learner)
    t0 = time.perf_counter()
    for i, e in enumerate(events):
        apply(state, e)
        if i >= learn_from:
            learner.feed([e], state, projected=projected, sample=sample)
    learned = time.perf_counter() - t0
    t0 = time.perf_counter()
    snap = {"version": state.version, "format": SNAPSHOT_FORMAT, "state": state.to_dict(),
            "learned": persist.dump(learner)}
    dumped = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.save_snapshot(cid, snap)
    saved = time.perf_counter() - t0
    body = len(json.dumps(snap))
    store.close()
    return cid, {"events": len(events), "tickets": sum(e["type"] == "ticket_issued" for e in events),
                 "simulate_s": round(simulated, 1), "learn_s": round(learned, 1),
                 "snapshot_mb": round(body / 1e6, 1), "snapshot_write_s": round(saved, 2),
                 "learned_dump_s": round(dumped, 2),
                 "samples": len(learner.samples)}


def start(data_dir, cid):
    out = subprocess.run([sys.executable, "-c", CHILD, data_dir, cid], capture_output=True, text=True,
                         cwd=os.path.dirname(HERE), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def with_snapshot(data_dir, cid, old=False):
    """Put the built snapshot back (kept beside the store), or its old-format cut (no learned part)."""
    import sqlite3
    kept = os.path.join(data_dir, "snapshot.json")
    db = sqlite3.connect(os.path.join(data_dir, "hall.db"))
    if not os.path.exists(kept):
        with open(kept, "w", encoding="utf-8") as f:
            f.write(db.execute("SELECT body FROM snapshots WHERE stream = ?", (cid,)).fetchone()[0])
    with open(kept, encoding="utf-8") as f:
        body = f.read()
    if old:
        snap = json.loads(body)
        snap["format"] = 1
        snap.pop("learned")
        body = json.dumps(snap, ensure_ascii=False)
    db.execute("UPDATE snapshots SET body = ? WHERE stream = ?", (body, cid))
    db.commit()
    db.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", default="5,250", help="comma-separated numbers of open days")
    ap.add_argument("--learn-days", type=int, default=40)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args(argv)
    root = args.dir or tempfile.mkdtemp(prefix="hall-startup-")
    out = {}
    for days in [int(d) for d in args.days.split(",")]:
        data_dir = os.path.join(root, f"days-{days}")
        cid, built = build(data_dir, days, args.learn_days)
        with_snapshot(data_dir, cid)
        run = start(data_dir, cid)
        with_snapshot(data_dir, cid, old=True)
        old = start(data_dir, cid)
        with_snapshot(data_dir, cid)
        out[f"days_{days}"] = {**built, "cold_start_s": run["first_answer_s"], "import_and_app_s": run["app_s"],
                               "rss_mb": run["rss_mb"],
                               "cold_start_s_old_snapshot": old["first_answer_s"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
