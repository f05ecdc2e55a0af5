"""Rebalancing on simulated imbalanced days: keeping the morning's window assignment, or applying the
dashboard's best recommendation every minute. Prints one JSON object.

Each day runs through the real core with the simulator's citizens and staff (`hall.sim`): a centre
of single-queue windows (the morning's assignment), and
  - surge:  a queue's arrivals treble for two hours of the morning peak;
  - closed: one of the two tax windows is closed all day (its staff called away).
With recommendations, every simulated minute `hall.manage.recommend.recommend` reads the live
state and the best move it offers, if any, is applied as a manager would (an `assign` command).
A normal day (no surge, every window staffed) is run too, to show what the moves do there.

A ticket's wait is issue → first call; a ticket never called counts until the end of its day
(the simulator's own figures leave those out, which would flatter a day that starves a queue).
Figures are over all tickets of all seeds of a scenario.

    .venv/bin/python bench/rebalance.py [--seeds 3] [--quick]
"""
import argparse
import json
import os
import sys
import time
from datetime import datetime, time as dtime

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from hall.core.clock import zone  # noqa: E402
from hall.core.config import CenterConfig, normalize_center  # noqa: E402
from hall.manage.recommend import recommend  # noqa: E402
from hall.stats import percentile  # noqa: E402
from hall.sim.engine import Engine, in_memory, next_open_days, default_first_day  # noqa: E402
from hall.sim.model import Options  # noqa: E402

EVERY_S = 60

QUEUES = [  # id, prefix, name, service_s, share of the day's citizens
    ("general", "A", "综合受理", 420, 0.36),
    ("hukou", "B", "户籍业务", 360, 0.16),
    ("tax", "F", "税务", 600, 0.14),
    ("social", "G", "社保", 300, 0.22),
    ("consult", "Z", "综合咨询", 180, 0.12),
]
# the morning's assignment: one queue per window; the last tax window is the one the "closed" day lacks
MORNING = ["general"] * 4 + ["hukou"] * 2 + ["tax", "social", "social", "consult", "tax"]


def centre(tickets_per_day=360):
    windows = [{"number": n, "name": f"{n}号窗口", "queues": [q], "mode": "ordered"}
               for n, q in enumerate(MORNING, 1)]
    return normalize_center({
        "id": "bench", "name": "基准政务服务中心", "tickets_per_day": tickets_per_day,
        "hours": {"mon-fri": ["08:30-12:00", "13:30-17:30"]},
        "queues": [{"id": q, "prefix": p, "name": name, "category": "specialty", "service_s": s, "service_sigma": 0.5}
                   for q, p, name, s, *_ in QUEUES],
        "items": [{"id": f"{q}-item", "name": name, "queue": q, "weight": share} for q, _, name, _, share in QUEUES],
        "windows": windows,
    })


SCENARIOS = {
    "normal": dict(options={}),
    "surge": dict(options=dict(surges=[("general", 9 * 60 + 30, 11 * 60 + 30, 2.5)])),
    # windows 7 and 11 serve tax; the simulator staffs the first 10 windows, so 11 stays closed
    "closed": dict(options=dict(staffed=10 / 11)),
}


def run_day(raw, scenario, seed, rebalance):
    config = CenterConfig.from_dict(raw)
    backend = in_memory(raw["id"])
    options = Options(**scenario.get("options", {}))
    engine = Engine(backend, config, options, seed=seed)
    day = next_open_days(config, default_first_day(), 1)[0]
    tz = zone(config.timezone)
    backend.do("configure", {"config": raw}, datetime.combine(day, dtime(0, 1), tz).timestamp(), "bench")
    engine.start_day(day)
    applied = []
    if rebalance:
        start, end = engine.periods(day)[0][0], engine.periods(day)[-1][1]

        def tick(t):
            recs = recommend(backend.read(), t)
            if recs:
                rec = recs[0]
                applied.append({"at": datetime.fromtimestamp(t, tz).strftime("%H:%M"), "text": rec["text"]})
                engine._reassign(t, rec["window"], rec["queues"], rec["mode"])
            if t + EVERY_S < end:
                engine.at(t + EVERY_S, tick)
        engine.at(start + EVERY_S, tick)
    engine.run_until(datetime.combine(day, dtime(23, 59), tz).timestamp())
    return waits(backend.log), applied


def waits(log):
    issued, called, last = {}, {}, 0.0
    for e in log:
        last = max(last, e["at"])
        if e["type"] == "ticket_issued":
            issued[e["ticket"]] = e["at"]
        elif e["type"] == "ticket_called":
            called.setdefault(e["ticket"], e["at"])
        elif e["type"] == "ticket_cancelled" and e["ticket"] not in called:
            called[e["ticket"]] = e["at"]      # waited until giving up
    return [called.get(tid, last) - t for tid, t in issued.items()]


def figures(values):
    return {"tickets": len(values), "mean_wait_s": round(sum(values) / len(values), 1),
            "p90_wait_s": round(percentile(values, 90), 1)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one seed, for a smoke run")
    args = ap.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    raw = centre()
    out = {"seeds": len(seeds), "every_s": EVERY_S, "scenarios": {}}
    t0 = time.time()
    all_keep, all_rebalance = [], []
    for name, scenario in SCENARIOS.items():
        keep, rebalance, moves = [], [], []
        for seed in seeds:
            keep += run_day(raw, scenario, seed, False)[0]
            w, applied = run_day(raw, scenario, seed, True)
            rebalance += w
            moves.append(len(applied))
            if seed == 0:
                first_moves = applied[:5]
        k, r = figures(keep), figures(rebalance)
        out["scenarios"][name] = {
            "keep_morning": k, "rebalanced": r, "moves_per_day": moves, "first_moves": first_moves,
            "mean_lower": round(1 - r["mean_wait_s"] / k["mean_wait_s"], 3),
            "p90_lower": round(1 - r["p90_wait_s"] / k["p90_wait_s"], 3),
        }
        if name != "normal":
            all_keep += keep
            all_rebalance += rebalance
    k, r = figures(all_keep), figures(all_rebalance)
    # the target is judged on the imbalanced days (surge and closed) together
    out.update({"keep_morning": k, "rebalanced": r,
                "mean_lower": round(1 - r["mean_wait_s"] / k["mean_wait_s"], 3),
                "p90_lower": round(1 - r["p90_wait_s"] / k["p90_wait_s"], 3),
                "target": {"mean_lower": 0.25, "p90_lower": 0.35}, "seconds": round(time.time() - t0, 1)})
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
