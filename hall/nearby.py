"""The centres nearest a point, a page at a time (`GET /centers?near=…`, WeChat's location message).

A province has thousands of centres and a summary costs a catch-up and every queue's estimate, so
a page is chosen from the centres' locations alone (`Locations`, read once and kept for a second)
and only the page's centres are summarized.
"""
import math
import threading
import time

import numpy as np

from . import views
from .core.errors import Refused

LOCATIONS_TTL_S = 1.0       # as stale as the public edge's cache may be, no more
EARTH_RADIUS_M = 6_371_000.0


def distance_m(a, b):
    """Great-circle metres between two `[lat, lon]` (haversine on the mean Earth sphere)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


class Locations:
    """Every centre's location, re-read from the states when older than the TTL or when the
    store's centres change; a page's own centres are read fresh anyway. Kept as arrays, so that
    ranking 2,000 centres is a few vector operations rather than 2,000 Python calls."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._ids = None
        self._until = 0.0
        self._table = None

    def of(self, gateway, ids):
        """(centre ids, their latitudes and longitudes in radians (NaN for none), their ranks by id)."""
        ids = tuple(ids)
        with self._lock:
            if ids != self._ids or self.clock() >= self._until:
                known, points = [], []
                for cid in ids:
                    try:
                        cfg = gateway.state(cid).config
                    except Refused:         # a stream that never became a centre
                        continue
                    known.append(cid)
                    points.append(cfg.location or (math.nan, math.nan))
                rad = np.radians(np.array(points, dtype=float).reshape(-1, 2))
                self._ids, self._until = ids, self.clock() + LOCATIONS_TTL_S
                by_id = np.argsort(np.array(known, dtype=object)).argsort()     # ties go by id
                self._table = (known, rad[:, 0], rad[:, 1], by_id)
            return self._table


def ranked(table, near):
    """The centres' ids, nearest `near` first (ties by id; those with no location last)."""
    known, lat, lon, by_id = table
    lat0, lon0 = math.radians(near[0]), math.radians(near[1])
    h = np.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    d = np.nan_to_num(np.arcsin(np.sqrt(np.minimum(h, 1.0))), nan=np.inf)
    return [known[i] for i in np.lexsort((by_id, d))]


def locations(app):
    """The app's `Locations` (made at first use)."""
    found = app.extensions.get("centre_locations")
    if found is None:
        found = app.extensions.setdefault("centre_locations", Locations())
    return found


def summaries(gateway, ids, now, near=None):
    """`views.center_summary` of each centre (with `distance_m` from `near` when given)."""
    out = []
    for cid in ids:
        try:
            with gateway.reading(cid) as state:
                s = views.center_summary(state, now, gateway.waits(state))
        except Refused:  # a stream that never became a centre
            continue
        if near is not None:
            s["distance_m"] = round(distance_m(near, s["location"])) if s["location"] else None
        out.append(s)
    return out


def page(gateway, where, now, near=None, limit=None, offset=0):
    """The summaries of centres `offset` … `offset + limit` (all after `offset` without a limit),
    nearest `near` first when given (those with no location last), else in the catalogue's order.
    `where`: a `Locations`."""
    ids = gateway.centre_ids()
    stop = None if limit is None else offset + limit
    if near is None:
        return summaries(gateway, ids[offset:stop], now)

    order = ranked(where.of(gateway, ids), near)
    out = summaries(gateway, order[offset:stop], now, near)
    # the page's centres were read fresh: one moved within the TTL takes its new place
    out.sort(key=lambda s: (s["distance_m"] is None, s["distance_m"] or 0, s["id"]))
    return out
