"""What a Learner knows, as JSON to keep with its centre's snapshot, and back, exactly.

Everything a Learner holds is bounded (deques of recent durations, waits and bounds per key; the
training samples; the current day's tickets), so this is as large after a year as after two months.
Numbers go as base64 of float64 arrays (exact, and a sixth of the size of JSON numbers); keys that
are not strings go as lists of [key, value] pairs, so that a window number stays an int.
`dump(learner)` under the centre's lock; `load(data)` gives a Learner that continues as if it had
heard the whole log. FORMAT changes whenever the shape does: a snapshot with another is relearned
from the log once.
"""
import base64
import binascii
import zlib
from array import array
from collections import deque
from itertools import chain

import numpy as np

from . import calibrate, features, order as order_mod, times as times_mod
from .calibrate import Calibration, Cell
from .features import Recent, _Waits
from .learner import KEEP_SAMPLES, Learner
from .order import CallOrder, Offsets
from .samples import ROW, Samples
from .times import RobustLog, ServiceTimes

FORMAT = 3            # 3: the training samples' rows as float32
_NAMES = len(features.NAMES)
ROW_BYTES = np.dtype(ROW).itemsize


def _f(values):
    return binascii.b2a_base64(array("d", values).tobytes(), newline=False).decode("ascii")


def _unf(text):
    a = array("d")
    a.frombytes(binascii.a2b_base64(text))
    return a


def _key(k):
    """A JSON key: tuples become lists (and back with `_tuple`)."""
    return list(k) if isinstance(k, tuple) else k


def _tuple(k):
    return tuple(_tuple(x) for x in k) if isinstance(k, list) else k


# --- service times ---

def _log(r):
    return _f(r.values)


def _unlog(text, keep=times_mod.KEEP):
    r = RobustLog()
    r.values = deque(_unf(text), maxlen=keep)
    return r


def _times(t):
    return {
        "by_queue": [[k, _log(r)] for k, r in t.by_queue.items()],
        "by_window": [[_key(k), _log(r)] for k, r in t.by_window.items()],
        "by_hour": [[_key(k), _log(r)] for k, r in t.by_hour.items()],
        "pauses": _log(t.pauses),
        "pickup": [[k, _log(r)] for k, r in t.pickup.items()],
        "pickup_all": _log(t.pickup_all),
        "free_since": [[k, v] for k, v in t.free_since.items()],
        "arrived": [[_key(k), v] for k, v in t.arrived.items()],
        "days": t.days,
    }


def _untimes(d):
    t = ServiceTimes()
    t.by_queue = {k: _unlog(v) for k, v in d["by_queue"]}
    t.by_window = {_tuple(k): _unlog(v) for k, v in d["by_window"]}
    t.by_hour = {_tuple(k): _unlog(v) for k, v in d["by_hour"]}
    t.pauses = _unlog(d["pauses"])
    t.pickup = {k: _unlog(v) for k, v in d["pickup"]}
    t.pickup_all = _unlog(d["pickup_all"])
    t.free_since = {k: v for k, v in d["free_since"]}
    t.arrived = {_tuple(k): v for k, v in d["arrived"]}
    t.days = d["days"]
    return t


# --- calibration ---

def _calibration(c):
    return {"cells": [[_key(kind), b, _f(cell.values)] for (kind, b), cell in c.cells.items()],
            "version": c.version, "width": c.width}


def _uncalibration(d):
    c = Calibration()
    for kind, b, values in d["cells"]:
        cell = Cell()
        cell.values = deque(_unf(values), maxlen=calibrate.KEEP)
        c.cells[(_tuple(kind), b)] = cell
    c.version, c.width = d["version"], d["width"]
    return c


# --- the recent past ---

def _recent(r):
    return {
        "kinds": [[k, _f(d)] for k, d in r.kinds.items()],
        "today": [[_key(k), _f(x for pair in w.last for x in pair)] for k, w in r.today.items()],
        "moments": [_f(d) for d in (r.calls, r.queued, r.finished, r.arrived, r.cancelled)],
        "last": [r.last_call, r.last_queued, r.last_finish],
        "day": [r.day_issued, r.day_cancelled],
    }


def _unrecent(d):
    r = Recent()
    r.kinds = {k: deque(_unf(v), maxlen=features.KIND_KEEP) for k, v in d["kinds"]}
    for k, flat in d["today"]:
        w = _Waits()
        v = _unf(flat)
        w.last.extend(zip(v[0::2], v[1::2]))
        r.today[_tuple(k)] = w
    r.calls, r.queued, r.finished, r.arrived, r.cancelled = (deque(_unf(v)) for v in d["moments"])
    r.last_call, r.last_queued, r.last_finish = d["last"]
    r.day_issued, r.day_cancelled = d["day"]
    return r


# --- the call order ---

def _order(o):
    return {
        # a bound is (upper?, gap): the flag as 1.0/0.0 beside its gap
        "bounds": [[list(k), _f(chain.from_iterable(d))] for k, d in o.bounds.items()],
        "older": [[list(k), _f(d)] for k, d in o.older.items()],
        "days": o.days,
        "calls": o.calls,
        "skills": [[w, c] for w, c in o.skills.counts.items()],
    }


def _unorder(d):
    o = CallOrder()
    for k, flat in d["bounds"]:
        v = _unf(flat)
        o.bounds[tuple(k)] = deque(zip(map(bool, v[0::2]), v[1::2]), maxlen=order_mod.KEEP)
    o.older = {tuple(k): _unf(flat) for k, flat in d["older"]}
    o.days = d["days"]
    o.calls = dict(d["calls"])
    for w, counts in d["skills"]:
        o.skills.counts[w] = dict(counts)
        o.skills.totals[w] = sum(counts.values())
    return o


# --- the correction ---

def _array(a):
    a = np.ascontiguousarray(a)
    return {"dtype": a.dtype.str, "data": base64.b64encode(a.tobytes()).decode("ascii")}


def _unarray(d):
    return np.frombuffer(base64.b64decode(d["data"]), dtype=np.dtype(d["dtype"])).copy()


def _model(m):
    if m is None:
        return None
    from . import model as learned
    f = m.forest
    return {
        "forest": {"feature": _array(f.feature), "threshold": _array(f.threshold), "value": _array(f.value),
                   "children": _array(f.children), "missing_left": _array(f.missing_left),
                   "roots": _array(f.roots), "depth": f.depth, "baseline": f.baseline},
        "weight": m.weight, "info": m.info,
        "ranges": {"cells": [[_key(k), _f(v)] for k, v in m.ranges.cells.items()], "width": m.ranges.width},
        "recalibration": None if m.recalibration is None else [list(m.recalibration.xs), list(m.recalibration.ys)],
        "shape": [len(learned.EDGES), _NAMES],
    }


def _unmodel(d):
    if d is None:
        return None
    from . import model as learned
    if d["shape"] != [len(learned.EDGES), _NAMES]:
        return None         # trained on other numbers: the next training makes a new one
    f = d["forest"]
    forest = learned.Forest.__new__(learned.Forest)
    forest.feature, forest.threshold = _unarray(f["feature"]), _unarray(f["threshold"])
    forest.value = _unarray(f["value"])
    forest.children, forest.missing_left, forest.roots = (_unarray(f["children"]), _unarray(f["missing_left"]),
                                                          _unarray(f["roots"]))
    forest.depth, forest.baseline = f["depth"], f["baseline"]
    ranges = learned.Ranges({_tuple(k): list(_unf(v)) for k, v in d["ranges"]["cells"]}, d["ranges"]["width"])
    recal = None if d["recalibration"] is None else learned.Recalibration(*d["recalibration"])
    return learned.Model(forest, d["weight"], ranges, d["info"], recal)


# --- the samples the correction is trained on ---

def _samples(learner):
    """(day index, row, wait) by day, each day's as zlib-compressed bytes (float32 rows, float64
    waits): a day once over never changes but for the oldest, trimmed as new samples push it out,
    so each day's text is kept and made again only when its samples change (a snapshot makes today's)."""
    cache = learner.persisted_days          # day → (serial of its first sample, count, text)
    held = learner.samples
    days, rows, waits = held.arrays()
    cuts = [0, *(np.flatnonzero(np.diff(days)) + 1).tolist(), len(days)]
    out, seen = [], set()
    for a, b in zip(cuts, cuts[1:]):
        if a == b:
            continue
        day, serial = int(days[a]), held.first + a
        kept = cache.get(day)
        if kept is None or kept[0] != serial or kept[1] != b - a:
            raw = rows[a:b].tobytes() + waits[a:b].tobytes()
            kept = cache[day] = (serial, b - a, base64.b64encode(zlib.compress(raw, 1)).decode("ascii"))
        out.append([day, b - a, kept[2]])
        seen.add(day)
    for day in [d for d in cache if d not in seen]:
        del cache[day]
    return {"width": _NAMES, "days": out}


def _unsamples(d):
    if d["width"] != _NAMES:
        return Samples(_NAMES, KEEP_SAMPLES)     # rows of other numbers: the correction starts anew
    days, rows, waits = [], [], []
    for day, n, text in d["days"]:
        raw = zlib.decompress(binascii.a2b_base64(text))
        cut = n * _NAMES * ROW_BYTES
        days.append(np.full(n, day, np.int32))
        rows.append(np.frombuffer(raw[:cut], ROW).reshape(n, _NAMES))
        waits.append(np.frombuffer(raw[cut:], np.float64))
    if not days:
        return Samples(_NAMES, KEEP_SAMPLES)
    return Samples.of(_NAMES, KEEP_SAMPLES, np.concatenate(days), np.concatenate(rows), np.concatenate(waits))


# --- the learner ---

def dump(learner):
    """The learner as JSON-able data (under the centre's lock: it copies what it reads)."""
    return {
        "format": FORMAT,
        "times": _times(learner.times),
        "calibration": _calibration(learner.calibration),
        "recent": _recent(learner.recent),
        "order": _order(learner.order),
        "offsets": learner.offsets.by_kind,
        "samples": _samples(learner),
        "model": _model(learner.model),
        "last_at": learner.last_at,
        "version": learner.version,
        "day_index": learner.day_index,
        "tried_at": learner._tried_at,
        "new_day": learner._new_day,
        "calls": [[k, list(v)] for k, v in learner._calls.items()],
        "joined": [[k, list(v)] for k, v in learner._joined.items()],
        "paused": [[k, v] for k, v in learner._paused.items()],
        "rows": [[k, d, _f(r)] for k, (d, r) in learner._rows.items()],
        "said": [[k, list(v)] for k, v in learner._said.items()],
    }


def load(data):
    """A Learner from `dump`'s data; None when it is of another format (relearn from the log)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    learner = Learner()
    learner.times = _untimes(data["times"])
    learner.calibration = _uncalibration(data["calibration"])
    learner.recent = _unrecent(data["recent"])
    learner.order = _unorder(data["order"])
    learner.offsets = Offsets(dict(data["offsets"]))
    learner.samples = _unsamples(data["samples"])
    learner.model = _unmodel(data["model"])
    learner.last_at = data["last_at"]
    learner.version = data["version"]
    learner.day_index = data["day_index"]
    learner._tried_at = data["tried_at"]
    learner._new_day = data["new_day"]
    learner._calls = {k: tuple(v) for k, v in data["calls"]}
    learner._joined = {k: tuple(v) for k, v in data["joined"]}
    learner._paused = {k: v for k, v in data["paused"]}
    learner._rows = {k: (d, _unf(r)) for k, d, r in data["rows"]}
    learner._said = {k: tuple(v) for k, v in data["said"]}
    return learner
