"""How fast the simulator plays a day through the real gateway (in-memory store). Prints one JSON object.

    .venv/bin/python bench/simulator.py

Target: a 1,000-ticket day in under 2 s.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from hall import catalog  # noqa: E402
from hall.sim import Options, simulate  # noqa: E402

DISTRICT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hall", "demo", "district.yaml")


def main():
    huanshi = next(c for c in catalog.read(DISTRICT) if c["id"] == "huanshi")
    runs = []
    for seed in range(5):
        t0 = time.perf_counter()
        sim = simulate(huanshi, days=1, seed=seed, options=Options(tickets_per_day=1000))
        runs.append((time.perf_counter() - t0, sim.days[0][1]["tickets"], len(sim.events)))
    worst = max(runs)
    print(json.dumps({"center": "huanshi", "windows": len(huanshi["windows"]),
                      "tickets_per_day": [r[1] for r in runs], "events_per_day": [r[2] for r in runs],
                      "seconds_per_day": [round(r[0], 3) for r in runs], "worst_seconds": round(worst[0], 3),
                      "target_seconds": 2.0}, indent=1))


if __name__ == "__main__":
    main()
