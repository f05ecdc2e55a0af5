"""The learned correction: gradient-boosted trees from the state's numbers to the real wait.

Trained on a centre's own tickets (the numbers of each as it joined, `features.NAMES`, and the wait
it then had), with absolute-error loss, so the point is an estimate of the median wait. The trees
are fitted with scikit-learn and then kept as flat numpy arrays (`Forest`): estimating 300 tickets
is a few vectorised steps, with no per-tree Python call.

`train(samples)` cross-fits by blocks of days: every ticket is estimated by trees that never saw
its day. Those estimates choose the weight the trees get against the bare projection, a monotone
recalibration of the blended point (kept only when it helps on days it was not fitted on), and
their misses give the range (p10–p90 of the real wait around a point of that size and class). The
trees are then refitted on all days. When the cross-fitted estimates prefer the projection alone,
or there are too few tickets, there is no model and the estimate stays the calibrated projection
(waits.py). scikit-learn is needed to train only; estimating needs numpy alone.
"""
import math
from functools import lru_cache

from ..stats import central_range
from .features import NAMES

MIN_SAMPLES = 600          # tickets (called) before a model is tried
MIN_DAYS = 3
FOLDS = 4                  # blocks of days for the cross-fitted estimates that choose blend and range
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
RANGE = 0.8
RECAL_BINS = 20
EDGES = (1, 5, 15, 30, 60, 120, 240, 480, 960, 1920, 3840)
MIN_CELL = 30
# A smaller step with proportionally more trees: over causal train/test splits of a real month
# (train on the first 10–18 days) it lowers both the mean and the worst error; estimating costs
# grow with trees × depth (120 × 5 here, about +0.4 ms for a 300-ticket centre).
PARAMS = dict(loss="absolute_error", max_iter=120, learning_rate=0.075, max_leaf_nodes=31, max_depth=5,
              min_samples_leaf=40, l2_regularization=0.0, early_stopping=False)
JITTER_S = 1e-3            # with most waits 0 the absolute-error trees would predict 0 everywhere
_COL = {n: i for i, n in enumerate(NAMES)}


@lru_cache(maxsize=1)
def available():
    """Whether the trees can be trained here (numpy and scikit-learn installed)."""
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


class Forest:
    """Regression trees as flat arrays: node → feature, threshold, left, right (a leaf points to
    itself), value; the prediction is the baseline plus the leaf values of all trees."""

    def __init__(self, feature, threshold, left, right, value, missing_left, roots, depth, baseline):
        import numpy as np
        self.feature, self.threshold, self.value = feature.astype(np.int32), threshold, value
        self.children = np.empty(2 * len(left), dtype=np.int32)     # node i: left at 2i, right at 2i + 1
        self.children[0::2], self.children[1::2] = left, right
        self.missing_left, self.depth, self.baseline = missing_left, depth, baseline
        self.roots = roots.astype(np.int32)

    @classmethod
    def from_sklearn(cls, m):
        import numpy as np
        nodes = [p[0].nodes for p in m._predictors]
        sizes = [len(n) for n in nodes]
        offs = np.cumsum([0] + sizes)
        allnodes = np.concatenate(nodes)
        leaf = allnodes["is_leaf"].astype(bool)
        if allnodes["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        left = allnodes["left"].astype(np.intp)
        right = allnodes["right"].astype(np.intp)
        for i in range(len(nodes)):
            left[offs[i]:offs[i + 1]] += offs[i]
            right[offs[i]:offs[i + 1]] += offs[i]
        idx = np.arange(len(allnodes))
        left[leaf], right[leaf] = idx[leaf], idx[leaf]
        feature = allnodes["feature_idx"].astype(np.intp)
        feature[leaf] = 0
        threshold = np.where(leaf, np.inf, allnodes["num_threshold"])
        return cls(feature, threshold, left, right, allnodes["value"].astype(float),
                   allnodes["missing_go_to_left"].astype(bool), offs[:-1].astype(np.intp),
                   int(allnodes["depth"].max()) if len(allnodes) else 0,
                   float(np.ravel(m._baseline_prediction)[0]))

    def predict(self, X):
        import numpy as np
        X = np.asarray(X, dtype=float)
        n, t = X.shape[0], len(self.roots)
        if n == 0:
            return np.zeros(0)
        flat = X.ravel()
        base = np.repeat(np.arange(n, dtype=np.int32) * X.shape[1], t)
        idx = np.tile(self.roots, n)
        feature, threshold, children = self.feature, self.threshold, self.children
        nan = np.isnan(flat).any()
        for _ in range(self.depth):         # all trees, all rows, one level at a time (a leaf points to itself)
            x = flat.take(base + feature.take(idx))
            right = x > threshold.take(idx)     # NaN compares False: sent left unless the tree says not
            if nan:
                right = np.where(np.isnan(x), ~self.missing_left.take(idx), right)
            idx = children.take(2 * idx + right)
        return self.value.take(idx).reshape(n, t).sum(axis=1) + self.baseline


def fit_forest(X, y, seed=0, params=None):
    """Absolute-error gradient-boosted trees on rows X and waits y (scikit-learn), as a Forest."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingRegressor
    p = dict(PARAMS)
    p.update(params or {})
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=float)
    m = HistGradientBoostingRegressor(random_state=seed, **p)
    with threadpool_limits(1):      # a training shares the machine with the server it runs in
        m.fit(np.asarray(X, dtype=float), y + rng.uniform(0.0, JITTER_S, len(y)))
    return Forest.from_sklearn(m)


def current_point(row):
    """What the projection alone says for this row."""
    return max(0.0, row[_COL["projected"]])


def bin_of(point):
    for i, e in enumerate(EDGES):
        if point < e:
            return i
    return len(EDGES)


class Ranges:
    """p10–p90 of the real wait around a point, from the cross-fitted estimates: by class and size
    of the point (as ratios to the point; plain waits for points under a second), coarser when a
    cell is sparse. The width steers itself as tickets are called so that RANGE of the real waits
    fall inside (adaptive conformal inference: a miss widens it a little, a hit narrows it)."""
    STEP = 0.005

    def __init__(self, cells, width=RANGE):
        self.cells = cells        # (class or None, bin) → sorted values (ratios, or seconds in bin 0)
        self.width = width
        self._tables = {}

    @classmethod
    def fit(cls, points, reals, classes):
        groups = {}
        for p, r, c in zip(points, reals, classes):
            b = bin_of(p)
            x = r / p if b > 0 else r
            for key in ((c, b), (None, b)):
                groups.setdefault(key, []).append(x)
        return cls({k: sorted(v) for k, v in groups.items() if len(v) >= MIN_CELL})

    @classmethod
    def fit_share(cls, points, reals, classes, share=RANGE):
        """Ranges at the width that holds `share` of these waits: where most were not waiting at all,
        [0, 0] holds nearly all of them, so the other cells are narrowed to keep the whole at `share`
        (the promise is about all tickets)."""
        r = cls.fit(points, reals, classes)
        best = None
        for k in range(50, 96):
            r.width = k / 100
            inside = sum(1 for p, y, c in zip(points, reals, classes) if r.holds(p, c, y)) / len(points)
            if best is None or abs(inside - share) < best[0]:
                best = (abs(inside - share), r.width)
            if inside >= share:
                break
        r.width = best[1]
        return r

    def _bounds(self, key, width):
        v = self.cells.get(key)
        if v is None:
            return None
        return central_range(v, width)

    def table(self):
        """{class: (lows, highs) per bin} at the current width. A bin without a cell of its own takes
        its class's nearest bin with one (bin 0's seconds are not ratios: only bin 0 answers it), else
        every class's; NaN where nothing answers."""
        width = round(self.width, 2)
        t = self._tables.get(width)
        if t is None:
            t = {}
            nbins = len(EDGES) + 1
            for c in {c for c, _ in self.cells} | {None}:
                lows, highs = [], []
                for b in range(nbins):
                    order = [b] if b == 0 else sorted(range(1, nbins), key=lambda x: (abs(x - b), x))
                    lh = None
                    for key in [(c, x) for x in order] + [(None, x) for x in order]:
                        lh = self._bounds(key, width)
                        if lh is not None:
                            break
                    lows.append(lh[0] if lh else math.nan)
                    highs.append(lh[1] if lh else math.nan)
                t[c] = (lows, highs)
            if len(self._tables) > 64:
                self._tables.clear()
            self._tables[width] = t
        return t

    def around(self, point, cls):
        t = self.table()
        lows, highs = t.get(cls) or t.get(None, (None, None))
        if lows is None:
            return None
        b = bin_of(point)
        lo, hi = lows[b], highs[b]
        if lo != lo:
            return None
        if b > 0:
            return max(0.0, lo * point), max(0.0, hi * point)
        return max(0.0, lo), max(0.0, hi)

    def holds(self, point, cls, real):
        rng = self.around(point, cls)
        return rng is None or rng[0] - 0.5 <= real <= rng[1] + 0.5

    def steer(self, inside):
        """A ticket given a range was called: was its wait inside?"""
        miss = 0.0 if inside else 1.0
        self.width = min(0.98, max(0.5, self.width + self.STEP * (miss - (1 - RANGE))))


class Model:
    """Trees, the weight they get against the projection, the recalibration (or None), the ranges."""

    def __init__(self, forest, weight, ranges, info, recalibration=None):
        self.forest, self.weight, self.ranges, self.info = forest, weight, ranges, info
        self.recalibration = recalibration

    def predict(self, rows):
        """(points, lows, highs) as arrays for rows of `features.NAMES`; NaN lows/highs where no
        range is known."""
        import numpy as np
        X = np.asarray(rows, dtype=float)
        if X.shape[0] == 0:
            z = np.zeros(0)
            return z, z, z
        trees = np.maximum(self.forest.predict(X), 0.0)
        current = np.maximum(X[:, _COL["projected"]], 0.0)
        w = self.weight
        points = np.maximum(0.0, w * trees + (1 - w) * current)
        if self.recalibration is not None:
            points = self.recalibration.apply(points)
        bins = np.searchsorted(np.asarray(EDGES, dtype=float), points, side="right")
        lows = np.full(len(points), np.nan)
        highs = np.full(len(points), np.nan)
        classes = X[:, _COL["class"]]
        table = self.ranges.table()
        fallback = table.get(None)
        for c in np.unique(classes).tolist():
            lh = table.get(c, fallback)
            if lh is None:
                continue
            sel = classes == c
            lows[sel] = np.asarray(lh[0])[bins[sel]]
            highs[sel] = np.asarray(lh[1])[bins[sel]]
        scale = np.where(bins > 0, points, 1.0)
        return points, np.maximum(0.0, lows * scale), np.maximum(0.0, highs * scale)

    def range_of(self, row):
        """(point, low, high) of one row (low/high None when no range is known)."""
        p, lo, hi = self.predict([row])
        lo, hi = float(lo[0]), float(hi[0])
        return float(p[0]), (None if lo != lo else lo), (None if hi != hi else hi)


def enough(columns):
    """Whether `columns` hold tickets and days enough to try trees on."""
    day_of, _, reals = columns
    if len(reals) < MIN_SAMPLES:
        return False
    import numpy as np
    return len(np.unique(day_of)) >= MIN_DAYS


def train(columns, seed=0, params=None):
    """A Model from `columns` (day indexes, rows, real waits: arrays, oldest first, as
    `Samples.arrays()` gives them), or None when there are too few or the days held out say the
    trees do not help. Deterministic for the same samples and seed.

    The days are cut into FOLDS blocks; trees fitted without a block estimate its tickets, so every
    ticket gets an estimate from trees that never saw its day. Those choose the blend and give the
    range; then the trees are fitted on all days."""
    if not enough(columns) or not available():      # in that order: no scikit-learn imported for nothing
        return None
    import numpy as np
    day_of, rows, reals = columns
    days = np.unique(day_of).tolist()
    rows = rows.astype(float)           # float64: what estimates read
    reals = reals.tolist()
    day_of = day_of.tolist()
    k = min(FOLDS, len(days))
    block = {d: i * k // len(days) for i, d in enumerate(days)}
    folds = [block[d] for d in day_of]
    trees = [0.0] * len(reals)
    for f in range(k):
        fit_rows = [i for i, b in enumerate(folds) if b != f]
        out = [i for i, b in enumerate(folds) if b == f]
        if len(fit_rows) < MIN_SAMPLES // 2:
            return None
        forest = fit_forest(rows[fit_rows], [reals[i] for i in fit_rows], seed, params)
        for i, p in zip(out, forest.predict(rows[out]).tolist()):
            trees[i] = max(0.0, p)
    # the first day's tickets were seen by a learner that knew nothing yet: not like the days to come
    judged = [i for i, d in enumerate(day_of) if d != days[0]]
    base = [current_point(r) for r in rows.tolist()]
    scores = {}
    for w in WEIGHTS:
        scores[w] = sum(abs(w * trees[i] + (1 - w) * base[i] - reals[i]) for i in judged) / len(judged)
    weight = min(WEIGHTS, key=lambda w: (round(scores[w], 6), -w))
    if weight == 0.0:
        return None
    ci = _COL["class"]
    points = [max(0.0, weight * trees[i] + (1 - weight) * base[i]) for i in judged]
    real = [reals[i] for i in judged]
    recal = Recalibration.chosen(points, real, [day_of[i] for i in judged])
    if recal is not None:
        points = recal.apply(points)
    ranges = Ranges.fit_share(points, real, rows[judged, ci].tolist())
    final = fit_forest(rows, reals, seed, params)
    info = {"samples": len(reals), "days": len(days), "folds": k, "weight": weight,
            "cross_fitted_mae": {str(w): round(s, 2) for w, s in scores.items()},
            "recalibrated": recal is not None}
    return Model(final, weight, ranges, info, recal)


class Recalibration:
    """A monotone map from the blended point to the median real wait of points like it (medians of
    RECAL_BINS equal-count bins of the cross-fitted points, joined by straight lines; beyond the
    last, the same ratio). Boosted trees with absolute error reach the median slowly where most
    waits are 0 (they stay a few seconds above it) and shrink their largest points; this undoes it."""

    def __init__(self, xs, ys):
        self.xs, self.ys = xs, ys

    @classmethod
    def fit(cls, points, reals):
        order = sorted(range(len(points)), key=lambda i: points[i])
        xs, ys = [], []
        n = len(order)
        for b in range(RECAL_BINS):
            chunk = order[b * n // RECAL_BINS:(b + 1) * n // RECAL_BINS]
            if not chunk:
                continue
            x = _median_of([points[i] for i in chunk])
            y = _median_of([reals[i] for i in chunk])
            if ys:
                y = max(y, ys[-1])          # monotone: a longer point never means a shorter wait
            if xs and x <= xs[-1]:
                ys[-1] = max(ys[-1], y)
                continue
            xs.append(x)
            ys.append(y)
        return cls(xs, ys) if len(xs) >= 2 else None

    @classmethod
    def chosen(cls, points, reals, days):
        """A recalibration when it lowers the error on days it was not fitted on (fitted on every
        other day, judged on the rest, and the other way round); else None."""
        if len(points) < 2 * RECAL_BINS * 10:
            return None
        order = sorted(set(days))
        odd = {d for d in order[1::2]}
        halves = ([i for i, d in enumerate(days) if d in odd], [i for i, d in enumerate(days) if d not in odd])
        before = after = 0.0
        for a, b in (halves, halves[::-1]):
            r = cls.fit([points[i] for i in a], [reals[i] for i in a])
            if r is None or not b:
                return None
            mapped = r.apply([points[i] for i in b])
            before += sum(abs(points[i] - reals[i]) for i in b)
            after += sum(abs(m - reals[i]) for m, i in zip(mapped, b))
        return cls.fit(points, reals) if after < before else None

    def apply(self, points):
        import numpy as np
        p = np.asarray(points, dtype=float)
        xs, ys = self.xs, self.ys
        out = np.interp(p, xs, ys)
        if xs[-1] > 0:
            beyond = p > xs[-1]
            out[beyond] = p[beyond] * (ys[-1] / xs[-1])
        return out.tolist() if isinstance(points, list) else out


def _median_of(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
