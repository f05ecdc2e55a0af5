"""Rebalancing recommendations: what-if moves of windows between queues, scored with the wait
estimator's projection (`hall.estimate.projection.project`), which plays the real call policy
forward from the live state over learned service times.

For every open window (one per group of windows with the same queues and mode, preferring an idle
one) not moved in the last COOLDOWN_S, and every queue with people waiting, two moves are tried:
serve only that queue ("move"), or serve it as well ("share", longest wait first); and a window
away from its catalogue queues is tried back home ("restore"). Each is projected with the citizens
still to come arriving at the rate seen in the last half hour, and scored by the waiting it leaves
for the next hour: the projected waits of everyone waiting now, plus, for each queue, its arrivals
in the hour times the wait a ticket taken now would have. The best few that save at least
MIN_SAVING_S (and MIN_SHARE of the waiting in the queues they touch) are offered, at most one per
window, with what they do to each queue's estimated wait
(「把 7 号窗口从税务调到综合受理：综合受理预计等候 −12 分钟，税务 +3 分钟」).

Pure: a function of the state, the moment and (optionally) what a Learner has learned.
"""
from dataclasses import replace
from types import SimpleNamespace

from ..core.state import OPEN
from ..estimate.projection import project
from ..estimate.times import StateTimes

RATE_WINDOW_S = 1800        # arrival rates: the last half hour of tickets
MIN_RATE_SPAN_S = 600       # … counted over at least ten minutes, so that the first ticket is not a flood
HORIZON_S = 3600            # the waiting scored: the next hour's
UNSERVED = 2.0              # a ticket no window will call counts as waiting this many horizons
MIN_SAVING_S = 5400         # a move must save an hour and a half of people's waiting in the hour …
MIN_SHARE = 0.25            # … and a quarter of the waiting in the queues it touches: small gains are not
                            # worth moving staff for (the queues it does not touch do not count, so that
                            # a centre of thirty windows is held to the same bar as one of ten) …
ENOUGH_S = 8 * 3600         # … unless it saves eight hours of waiting in the hour: worth it anywhere
COOLDOWN_S = 1800           # a window moved in the last half hour is left where it is
TOP = 3


class _Times:
    """The estimator's occupancy times, with the arrivals seen lately as the citizens to come."""

    def __init__(self, base, rates):
        self._base, self._rates = base, rates

    def arrivals(self, now):
        return self._rates

    def __getattr__(self, name):
        return getattr(self._base, name)


def arrival_rates(state, now, learned=None):
    """[(queue, class, tickets per second)] from today's last half hour, else what was learned."""
    since = max(now - RATE_WINDOW_S, state.day_start)
    span = max(now - since, MIN_RATE_SPAN_S)
    counts = {}
    for t in state.tickets.values():
        if since <= t.issued_at <= now:
            counts[(t.queue, t.priority)] = counts.get((t.queue, t.priority), 0) + 1
    if counts:
        return [(q, c, n / span) for (q, c), n in sorted(counts.items())]
    return StateTimes(state, learned, now).arrivals(now) if learned is not None else []


def _with(state, window, queues, mode):
    """The state as project() reads it, with one window serving other queues."""
    windows = dict(state.windows)
    windows[window.number] = replace(window, queues=list(queues), mode=mode)
    return SimpleNamespace(lines=state.lines, tickets=state.tickets, windows=windows, config=state.config,
                           service=state.service)


def score(proj, state, rates, horizon=HORIZON_S):
    """Person-seconds of waiting the projection leaves for the next `horizon`."""
    return sum(by_queue(proj, state, rates, horizon).values())


def by_queue(proj, state, rates, horizon=HORIZON_S):
    """{queue: person-seconds of waiting for the next `horizon`}: everyone waiting now, and each
    queue's arrivals in the horizon times the wait of a ticket taken now."""
    out = {}
    for (q, _), ids in state.lines.items():
        for tid in ids:
            w = proj.tickets.get(tid)
            out[q] = out.get(q, 0.0) + (w[0] if w is not None else UNSERVED * horizon)
    for q, _, rate in rates:
        w = proj.queues.get(q)
        out[q] = out.get(q, 0.0) + rate * horizon * (min(w[0], UNSERVED * horizon) if w is not None
                                                     else UNSERVED * horizon)
    return out


def _served(windows):
    return {q for w in windows.values() if w.state == OPEN for q in w.queues}


def candidates(state, now):
    """(kind, window, queues, mode) worth trying. None leaves a queue that an open window serves now
    without one: managers keep every queue going."""
    cfg = state.config
    waiting = [q for q in cfg.queues if state.waiting(q)]
    served = _served(state.windows)
    moved = state.watch.get("assigned", {})
    reps = {}
    for n in sorted(state.windows):
        w = state.windows[n]
        if w.state != OPEN or now - moved.get(str(n), -COOLDOWN_S) < COOLDOWN_S:
            continue
        key = (tuple(w.queues), w.mode)
        if key not in reps or (reps[key].ticket is not None and w.ticket is None):
            reps[key] = w
    seen = set()
    for w in reps.values():
        home = cfg.windows.get(w.number)
        if home is not None and (home["queues"] != w.queues or home["mode"] != w.mode) and \
                served <= _served({**state.windows, w.number: replace(w, queues=list(home["queues"]))}):
            seen.add((w.number, tuple(home["queues"]), home["mode"]))
            yield "restore", w, list(home["queues"]), home["mode"]
        for q in waiting:
            for kind, queues, mode in (("move", [q], w.mode), ("share", w.queues + [q], "longest_wait")):
                if q in w.queues and kind == "share":
                    continue
                key = (w.number, tuple(queues), mode)
                if (queues == w.queues and mode == w.mode) or key in seen:
                    continue
                seen.add(key)
                if kind == "move" and not served <= _served({**state.windows, w.number: replace(w, queues=queues)}):
                    continue
                yield kind, w, queues, mode


def recommend(state, now, learned=None, top=TOP, min_saving=MIN_SAVING_S, min_share=MIN_SHARE, pause=None):
    """The best few moves, best first (see the module's doc). `pause()` is called between
    projections (a server passes gevent.sleep(0) so that pushes go on meanwhile)."""
    if state.config is None or not state.is_today(now):
        return []
    rates = arrival_rates(state, now, learned)
    times = _Times(StateTimes(state, learned, now), rates)
    base = project(state, now, times)
    base_costs = by_queue(base, state, rates)
    base_cost = sum(base_costs.values())
    found = []
    for kind, w, queues, mode in candidates(state, now):
        proj = project(_with(state, w, queues, mode), now, times)
        saving = base_cost - score(proj, state, rates)
        touched = sum(base_costs.get(q, 0.0) for q in set(queues) | set(w.queues))
        if saving >= max(min_saving, min(min_share * touched, ENOUGH_S)):
            found.append((saving, kind, w, queues, mode, proj))
        if pause is not None:
            pause()
    found.sort(key=lambda f: (-f[0], f[2].number))
    out, used = [], set()
    for saving, kind, w, queues, mode, proj in found:
        if w.number in used:
            continue
        used.add(w.number)
        out.append(_describe(state, kind, w, queues, mode, saving, base, proj))
        if len(out) == top:
            break
    return out


def _wait(proj, q):
    w = proj.queues.get(q)
    return None if w is None else round(w[0])


def _describe(state, kind, w, queues, mode, saving, base, proj):
    cfg = state.config
    touched = list(dict.fromkeys(list(queues) + list(w.queues)))
    effects = []
    for q in touched:
        before, after = _wait(base, q), _wait(proj, q)
        delta = None if before is None or after is None else after - before
        effects.append({"queue": q, "name": cfg.queues[q].name, "name_en": cfg.queues[q].name_en,
                        "before_s": before, "after_s": after, "delta_s": delta})
    effects.sort(key=lambda e: (e["queue"] not in queues, e["delta_s"] if e["delta_s"] is not None else 0))
    rec = {"id": f"{w.number}:{','.join(queues)}:{mode}", "kind": kind, "window": w.number,
           "window_name": w.name, "from": list(w.queues), "from_mode": w.mode, "queues": list(queues),
           "mode": mode, "saving_s": round(saving), "effects": effects}
    rec["text"] = text_zh(rec, cfg)
    return rec


def _names(cfg, queues):
    return "、".join(cfg.queues[q].name for q in queues)


def _minutes(effect):
    if effect["after_s"] is None:
        return "无窗口办理"
    if effect["delta_s"] is None:
        return f"预计等候约 {round(effect['after_s'] / 60)} 分钟"
    m = round(effect["delta_s"] / 60)
    return "预计等候不变" if m == 0 else f"预计等候 {'+' if m > 0 else '−'}{abs(m)} 分钟"


def text_zh(rec, cfg):
    n = rec["window"]
    if rec["kind"] == "share":
        head = f"让 {n} 号窗口兼办{_names(cfg, [q for q in rec['queues'] if q not in rec['from']])}"
    elif rec["kind"] == "restore":
        head = f"把 {n} 号窗口调回{_names(cfg, rec['queues'])}"
    else:
        head = f"把 {n} 号窗口从{_names(cfg, rec['from'])}调到{_names(cfg, rec['queues'])}"
    return head + "：" + "，".join(f"{e['name']}{_minutes(e)}" for e in rec["effects"])
