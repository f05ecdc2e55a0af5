"""Wait estimators judged offline: Hall's against naive, HOL and LES. Prints one JSON object.

    .venv/bin/python bench/estimator.py [--anonbank FILE [--train-days 14]] [--seed N] [--only SCENARIO]

Scenarios (each: estimator → mae_s, rmse_s, p90_abs_err_s; plus hall's p10–p90 coverage):
- anonbank (with --anonbank): a real call-centre month imported as a Hall log; learn from the
  first 14 days, predict on the rest (every call that reached an agent, predicted when it joined);
- sim_multi_queue: the demo district's largest centre (31 windows, 10 queues, windows shared in
  both modes) with priority tickets, no-shows, breaks and transfers; 7 days to learn, 7 to test;
- sim_surge_reassign: the same with a surge in one queue and windows moved to it mid-morning;
- sim_fifo: one queue, four windows, lognormal service, no priorities;
and estimate_all_ms: estimating every waiting ticket and queue of a 31-window centre with 300
waiting (median of repeated runs, nothing cached), with a learned correction trained on five
earlier simulated days of that centre.
"""
import argparse
import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hall import catalog  # noqa: E402
from hall.core.config import CenterConfig  # noqa: E402
from hall.sim import Options, simulate  # noqa: E402
from wait_eval import evaluate, report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DISTRICT = os.path.join(HERE, "..", "hall", "demo", "district.yaml")
TRAIN_DAYS = 14
SIM_TRAIN, SIM_TEST = 7, 7
# Seeds of the simulated days judged here were not used while the estimator was developed.
DEFAULT_SEED = 20271


def anonbank(path, train_days=TRAIN_DAYS):
    from hall.sim.anonbank import read_calls, to_events, CENTER
    calls, _ = read_calls(path)
    events, _ = to_events(calls)
    # train on the first days of the month (14 unless asked), by the log's own dates
    return report(evaluate(CENTER, events, lambda i, day: int(day[-2:]) > train_days))


def _huanshi():
    return next(c for c in catalog.read(DISTRICT) if c["id"] == "huanshi")


def sim_scenario(center, options, seed):
    sim = simulate(center, days=SIM_TRAIN + SIM_TEST, seed=seed, options=options)
    return report(evaluate(center["id"], sim.events, lambda i, day: i >= SIM_TRAIN))


def multi_queue_options(**kw):
    return Options(tickets_per_day=1250, priority_share=0.08, **kw)


def surge_options():
    # hukou (户籍) triples from 09:00 to 11:00; at 09:30 windows 3–5 are moved to serve it first
    return multi_queue_options(
        surges=[("hukou", 9 * 60, 11 * 60, 3.0)],
        reassign=[(9 * 60 + 30, n, ["hukou", "general"], "ordered") for n in (3, 4, 5)]
                 + [(11 * 60 + 30, n, ["general"], "ordered") for n in (3, 4, 5)])


def fifo_center():
    return {"id": "fifo", "name": "单队列", "hours": {"mon-fri": ["08:30-12:00", "13:30-17:30"]},
            "tickets_per_day": 280,
            "queues": [{"id": "general", "prefix": "A", "name": "综合受理", "category": "comprehensive",
                        "service_s": 420, "service_sigma": 0.6}],
            "windows": [{"number": n, "queues": ["general"]} for n in range(1, 5)]}


def trained_learner(center, seed, days=5):
    """A Learner that has read `days` simulated days of `center` and trained its correction."""
    from hall.estimate import replay
    sim = simulate(center, days=days, seed=seed, options=multi_queue_options())
    learner = replay(center["id"], sim.events)
    learner.train()
    return learner


def estimate_all_ms(seed, repeats=100):
    """Every waiting ticket and queue of huanshi with 300 waiting, learner attached (its correction
    trained on five earlier simulated days), cache cold."""
    from datetime import datetime, time as dtime
    from hall.core.clock import zone
    from hall.estimate import following, waits
    from hall.sim.engine import Engine, in_memory, default_first_day
    center = catalog.parse({"centers": [_huanshi()]})[0]
    cfg = CenterConfig.from_dict(center)
    learner = trained_learner(center, seed + 7)
    projected, sample = following(learner)
    backend = in_memory(center["id"], [lambda cid, evs, st: learner.feed(evs, st, projected=projected, sample=sample)])
    engine = Engine(backend, cfg, Options(tickets_per_day=4000), seed=seed)
    day = default_first_day()
    backend.do("configure", {"config": center},
               datetime.combine(day, dtime(0, 1), zone(cfg.timezone)).timestamp(), "bench")
    engine.start_day(day)
    state = backend.state
    while sum(len(v) for v in state.lines.values()) < 300:
        engine.step()
    waiting = [t for t in state.tickets.values() if t.status == "waiting"]
    gc.collect()        # not the garbage of the scenarios run before this one
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        est = waits.estimates(state, None, learner)
        for t in waiting:
            est.ticket(t)
        for q in state.config.queues:
            est.queue(q)
        times.append(time.perf_counter() - t0)
    times.sort()
    assert learner.model is not None, "the correction should have been trained"
    return {"waiting": len(waiting), "windows": len(state.windows), "ms": round(times[len(times) // 2] * 1000, 3)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--anonbank", help="an Anonymous Bank month (tab-separated) to judge on")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the simulated days")
    ap.add_argument("--only", help="run only this scenario")
    ap.add_argument("--train-days", type=int, default=TRAIN_DAYS, choices=range(3, 29), metavar="3..28",
                    help="anonbank: learn from this many first days of the month (robustness checks)")
    args = ap.parse_args(argv)
    scenarios = {}
    if args.anonbank:
        scenarios["anonbank"] = lambda: anonbank(args.anonbank, args.train_days)
    scenarios["sim_multi_queue"] = lambda: sim_scenario(_huanshi(), multi_queue_options(), args.seed)
    scenarios["sim_surge_reassign"] = lambda: sim_scenario(_huanshi(), surge_options(), args.seed + 1)
    scenarios["sim_fifo"] = lambda: sim_scenario(fifo_center(), Options(priority_share=0.0), args.seed + 2)
    out = {}
    for name, run in scenarios.items():
        if args.only and name != args.only:
            continue
        t0 = time.perf_counter()
        out[name] = run()
        out[name]["seconds"] = round(time.perf_counter() - t0, 1)
    if not args.only or args.only == "estimate_all_ms":
        out["estimate_all_ms"] = estimate_all_ms(args.seed)
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
