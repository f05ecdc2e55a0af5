"""The learned correction: flat trees, training with a held-out choice of blend and range, the fallback."""
import math
import random

import numpy as np
import pytest

from hall.core import CenterState, apply
from hall.centre import Hall
from hall.estimate import Estimator, Learner, Trainer, following
from hall.estimate import model as learned
from hall.estimate.features import NAMES
from hall.estimate.waits import estimates
from hall.sim import Options, simulate
from tests.helpers import small_center

COL = {n: i for i, n in enumerate(NAMES)}


def test_flat_trees_give_what_scikit_learn_gives():
    from sklearn.ensemble import HistGradientBoostingRegressor
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 6))
    y = np.abs(30 * X[:, 0] + 10 * X[:, 1] * X[:, 2] + rng.normal(size=2000))
    X[rng.random(X.shape) < 0.05] = np.nan            # missing values take the side each split learned
    m = HistGradientBoostingRegressor(loss="absolute_error", max_iter=30, max_depth=5, early_stopping=False)
    m.fit(X, y)
    forest = learned.Forest.from_sklearn(m)
    Z = rng.normal(size=(300, 6))
    Z[rng.random(Z.shape) < 0.05] = np.nan
    assert np.allclose(forest.predict(Z), m.predict(Z))
    assert np.allclose(forest.predict(Z[~np.isnan(Z).any(axis=1)]), m.predict(Z[~np.isnan(Z).any(axis=1)]))


def synthetic(days=6, per_day=300, seed=1):
    """Rows where the real wait is 40 s per ticket ahead (by the learned order) plus noise, while the
    projection only knows the policy's count and is a third off: what the trees should find."""
    rng = random.Random(seed)
    out = []
    for d in range(1, days + 1):
        for _ in range(per_day):
            row = [0.0] * len(NAMES)
            ahead = rng.randint(0, 6)
            row[COL["ahead_key"]] = float(ahead)
            row[COL["ahead_policy"]] = float(max(0, ahead + rng.randint(-2, 2)))
            row[COL["projected"]] = 40.0 * row[COL["ahead_policy"]] * 1.3
            row[COL["class"]] = 2.0
            real = 0.0 if ahead == 0 and rng.random() < 0.6 else 40.0 * ahead + rng.expovariate(1 / 20)
            out.append((d, row, real))
    return out


def columns(samples):
    """(days, rows, waits) arrays of a list of samples, as `Samples.arrays()` gives them."""
    return (np.array([d for d, _, _ in samples]), np.array([r for _, r, _ in samples], dtype=np.float32),
            np.array([y for _, _, y in samples]))


def test_training_finds_what_the_projection_misses_and_keeps_the_range_honest():
    samples = synthetic()
    model = learned.train(columns(samples))
    assert model is not None and model.weight > 0.5
    test = synthetic(days=2, seed=9)
    rows = [r for _, r, _ in test]
    real = np.array([y for _, _, y in test])
    points, lows, highs = model.predict(rows)
    projected = np.array([r[COL["projected"]] for r in rows])
    assert np.abs(points - real).mean() < 0.6 * np.abs(projected - real).mean()
    inside = ((lows - 0.5 <= real) & (real <= highs + 0.5)).mean()
    assert 0.72 <= inside <= 0.9
    assert (lows <= points + 1e-9).all() and (points <= highs + 1e-9).all()
    # the same samples give the same model
    again = learned.train(columns(samples))
    assert np.allclose(again.predict(rows)[0], points)


def test_no_model_from_too_few_tickets_or_days():
    assert learned.train(columns(synthetic(days=6, per_day=50))) is None          # 300 tickets
    assert learned.train(columns(synthetic(days=2, per_day=600))) is None         # two days


def test_no_model_when_the_projection_is_already_right():
    samples = []
    for d, row, real in synthetic():
        row[COL["projected"]] = real        # nothing left to correct
        samples.append((d, row, real))
    assert learned.train(columns(samples)) is None


def test_ranges_hold_the_share_over_all_tickets_even_with_ties_at_zero():
    rng = random.Random(2)
    points, reals, classes = [], [], []
    for _ in range(3000):
        if rng.random() < 0.4:
            points.append(0.2)
            reals.append(0.0)             # called at once: [0, 0] holds these
        else:
            p = rng.uniform(20, 200)
            points.append(p)
            reals.append(p * math.exp(rng.gauss(0, 0.5)))
        classes.append(2.0)
    ranges = learned.Ranges.fit_share(points, reals, classes)
    inside = sum(ranges.holds(p, c, y) for p, y, c in zip(points, reals, classes)) / len(points)
    assert inside == pytest.approx(0.8, abs=0.02)
    assert ranges.width < 0.8             # the others' cells were narrowed to keep the whole at 80%
    width = ranges.width
    for _ in range(50):
        ranges.steer(False)                # misses widen it
    assert ranges.width > width


def simulated_learner(days=5, seed=4):
    """A learner fed a simulated log up to mid-morning of its last day (people waiting, windows open)."""
    center = small_center()
    sim = simulate(center, days=days, seed=seed, options=Options(tickets_per_day=220))
    state = CenterState(id=center["id"])
    learner = Learner()
    projected, sample = following(learner)
    day = issued = 0
    for e in sim.events:
        apply(state, e)
        learner.feed([e], state, projected=projected, sample=sample)
        day += e["type"] == "day_started"
        issued += day == days and e["type"] == "ticket_issued"
        if issued >= 60 and sum(len(ids) for ids in state.lines.values()) >= 3:
            break
    return state, learner


def test_a_learner_trains_on_its_own_log_and_the_estimates_use_it():
    state, learner = simulated_learner()
    assert len(learner.samples) > 600 and learner.model is None
    assert learner.wants_training()
    model = learner.train()
    assert model is not None and learner.model is model
    assert not learner.wants_training()            # until tomorrow
    waiting = [t for t in state.tickets.values() if t.status == "waiting"]
    est = estimates(state, None, learner)
    for t in waiting:
        point, lo, hi = est.ticket(t)
        assert lo <= point <= hi
    for q in ("general", "police"):
        point, lo, hi = est.queue(q)
        assert lo <= point <= hi
    assert est.queue("tax") is None or est.queue("tax")[0] >= 0


def test_training_apart_puts_the_model_in_use_when_done():
    state, learner = simulated_learner()
    trainer = Trainer(background=True)
    trainer.start(learner)
    assert learner.training and not learner.wants_training()
    trainer.last.join(60)
    assert not learner.training and learner.model is not None


def test_without_a_model_the_estimates_are_the_calibrated_projection(app, clock):
    hall = Hall(app.extensions["hall"].store, clock=clock, estimator=Estimator(background=False))
    for _ in range(3):
        hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 1})
    with hall.reading("east") as state:
        assert hall.estimator.learner("east").model is None     # three tickets teach no trees
        t = next(t for t in state.tickets.values() if t.status == "waiting")
        assert hall.waits(state).at().ticket(t) is not None


def test_without_scikit_learn_nothing_is_sampled_and_the_estimate_stands(monkeypatch):
    monkeypatch.setattr("hall.estimate.waits.available", lambda: False)
    monkeypatch.setattr("hall.estimate.model.available", lambda: False)
    state, learner = simulated_learner(days=2)
    assert not learner.samples and learner.train() is None
    from hall.estimate import ticket_wait
    waiting = [t for t in state.tickets.values() if t.status == "waiting"]
    assert waiting and all(ticket_wait(state, t, learner=learner) is not None for t in waiting)
