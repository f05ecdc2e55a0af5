"""What the estimate learns from the log: robust service times, calibration, the range, the views."""
import math

import pytest

from hall.core import CenterState, apply
from hall.estimate import Learner, following, replay, ticket_wait
from hall.estimate.calibrate import Calibration
from hall.estimate.times import ServiceTimes, residual, residual_quantile
from hall.sim import Options, simulate
from hall.centre import Hall
from hall.estimate import Estimator
from tests.helpers import small_center


def test_a_forgotten_ticket_does_not_move_the_learned_service_time():
    times = ServiceTimes()
    q = small_center()["queues"][0]
    from hall.core.config import QueueConfig, normalize_center
    qcfg = QueueConfig(**normalize_center(small_center())["queues"][0])
    for _ in range(60):
        times.add("general", 1, 10, 240.0)
    before = times.log_fit(qcfg, 1, 10)
    times.add("general", 1, 10, 3 * 3600.0)       # left "in service" over lunch
    times.add("general", 1, 10, 1.0)              # a misclick
    after = times.log_fit(qcfg, 1, 10)
    assert q["service_s"] == 300
    assert math.exp(after[0]) == pytest.approx(math.exp(before[0]), rel=0.02)
    assert math.exp(after[0]) == pytest.approx(240, rel=0.05)


def test_a_slow_window_is_learned_apart_from_its_queue():
    from hall.core.config import QueueConfig, normalize_center
    qcfg = QueueConfig(**normalize_center(small_center())["queues"][0])
    times = ServiceTimes()
    for _ in range(100):
        times.add("general", 1, 10, 200.0)
        times.add("general", 2, 10, 400.0)
    slow, fast = math.exp(times.log_fit(qcfg, 2, 10)[0]), math.exp(times.log_fit(qcfg, 1, 10)[0])
    assert slow > 1.5 * fast


def test_the_rest_of_a_service_grows_less_than_it_has_lasted():
    mu, s = math.log(300) - 0.18, 0.6
    fresh, _ = residual(mu, s, 0)
    later, _ = residual(mu, s, 600)
    assert fresh == pytest.approx(300, rel=0.01)
    assert 0 < later and later < 600
    assert residual(math.log(300), 0.0, 100)[0] == pytest.approx(200)       # deterministic: exact
    qs = [residual_quantile(mu, s, 120, u) for u in (0.1, 0.5, 0.9)]
    assert qs[0] < qs[1] < qs[2]


def test_calibration_learns_the_ratio_and_keeps_80_percent_inside():
    cal = Calibration()
    import random
    rng = random.Random(1)
    inside = n = 0
    for i in range(4000):
        raw = rng.uniform(100, 300)
        real = raw * 0.6 * math.exp(rng.gauss(0, 0.4))
        said = cal.apply("general", "normal", None, raw)
        if said is not None and i > 1000:
            n += 1
            inside += said[0] <= real <= said[2]
        cal.add("general", "normal", None, raw, real)
    assert 0.75 < inside / n < 0.85
    lo, mid, hi = cal.apply("general", "normal", None, 200.0)
    assert lo < mid < hi and mid == pytest.approx(120, rel=0.15)


def _learned(center, days, seed, options=None):
    sim = simulate(center, days=days, seed=seed, options=options)
    return sim, replay(center["id"], sim.events)


def test_learning_from_simulated_days_gives_ranges_that_hold_the_real_waits():
    center = small_center()
    sim, _ = _learned(center, 6, 3, Options(tickets_per_day=140))
    state = CenterState(id=center["id"])
    learner = Learner()
    projected, _ = following(learner)
    said, inside, n, day = {}, 0, 0, 0
    for e in sim.events:
        apply(state, e)
        day += e["type"] == "day_started"
        if e["type"] == "ticket_issued" and day > 3:
            from hall.estimate.waits import estimates
            est = estimates(state, e["at"], learner).ticket(state.tickets[e["ticket"]])
            if est is not None:
                said[e["ticket"]] = est
        elif e["type"] == "ticket_called" and e["ticket"] in said:
            lo, hi = said[e["ticket"]][1:]
            real = e["at"] - state.tickets[e["ticket"]].issued_at
            inside += lo - 0.5 <= real <= hi + 0.5
            n += 1
        learner.feed([e], state, projected=projected)
    assert n > 200
    assert 0.65 <= inside / n <= 0.95


def test_the_gateway_learner_reads_the_log_and_follows_new_events(hall, clock):
    for _ in range(3):
        hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 1})
    hall.execute("east", "call-next", {"window": 1})
    clock.advance(200)
    hall.execute("east", "finish", {"window": 1})
    learner = hall.estimator.learner("east")
    assert learner is not None and len(learner.times.by_queue["general"]) == 1
    # a fresh gateway on the same store learns the same from the log
    fresh = Hall(hall.store, clock=clock, estimator=Estimator(background=False))
    fresh.state("east")
    assert len(fresh.estimator.learner("east").times.by_queue["general"]) == 1
    hall.execute("east", "call-next", {"window": 1})
    clock.advance(100)
    hall.execute("east", "finish", {"window": 1})
    with hall.reading("east") as state:
        assert len(hall.estimator.learner("east").times.by_queue["general"]) == 2
        t = next(t for t in state.tickets.values() if t.status == "waiting")
        assert ticket_wait(state, t, learner=learner) == 0          # window 1 is free
        assert hall.waits(state).at().ticket(t)[0] == 0
    with fresh.reading("east") as state:        # what another process appended is learned too
        assert len(fresh.estimator.learner("east").times.by_queue["general"]) == 2


def test_phases_run_in_order_whatever_the_order_of_registration(hall):
    heard = []
    for phase in ("publish", "record", "invalidate", "learn", "publish"):
        hall.listen(phase, lambda cid, events, state, phase=phase: heard.append(phase))
    hall.execute("east", "issue", {"queue": "general"})
    assert heard == ["invalidate", "learn", "publish", "publish", "record"]
    with pytest.raises(ValueError):
        hall.listen("later", print)


def test_ticket_and_queue_views_carry_a_range(client, auth):
    h = auth.headers("kiosk-east")
    for _ in range(3):
        r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=h)
    client.post("/api/v1/centers/east/windows/1/open", headers=auth.headers("staff-east"))
    t = client.get(f"/api/v1/tickets/{r.json['id']}").json
    lo, hi = t["est_wait_range_s"]
    assert lo <= t["est_wait_s"] <= hi
    q = next(q for q in client.get("/api/v1/centers/east").json["queues"] if q["id"] == "general")
    assert q["est_wait_range_s"][0] <= q["est_wait_s"] <= q["est_wait_range_s"][1]
    tax = next(q for q in client.get("/api/v1/centers/east").json["queues"] if q["id"] == "tax")
    assert tax["est_wait_s"] is None and tax["est_wait_range_s"] is None      # no window serves it
