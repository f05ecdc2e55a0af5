"""The centres nearest a point, a page at a time (`GET /centers?near=…`, WeChat's location message).

A province has thousands of centres and a summary costs a catch-up and every queue's estimate, so
a page is chosen from the centres' locations alone and only the page's centres are summarized,
each at most once a second (`Nearby`, the app's).
"""
import math
import threading
import time

import numpy as np

from . import views
from .core.errors import Refused

LOCATIONS_TTL_S = 1.0       # as stale as the public edge's cache may be, no more
MAX_SUMMARIES = 50_000
EARTH_RADIUS_M = 6_371_000.0


def distance_m(a, b):
    """Great-circle metres between two `[lat, lon]` (haversine on the mean Earth sphere)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


class Nearby:
    """The app's directory for `near` pages: every centre's location, as arrays, and each centre's
    summary as last made. Both are kept at most `ttl` seconds, the public edge's own staleness: a
    command appended by this process drops its centre's summary at once (`invalidate`, the
    gateway's listener); another process's is seen when the entry expires. So a page costs ranking
    the locations (a few vector operations over 2,000 centres) and summarizing those of its
    centres no request summarized within the second, which is what keeps a province's phones
    asking from thousands of different places cheap."""

    def __init__(self, gateway, ttl=LOCATIONS_TTL_S, clock=time.monotonic):
        self.gateway, self.ttl, self.clock = gateway, ttl, clock
        self._lock = threading.Lock()
        self._until = 0.0
        self._table = None
        self._summaries = {}        # centre → (summary, made at (clock), the hall's `now` then)

    def invalidate(self, cid, events=None, state=None):
        self._summaries.pop(cid, None)

    def table(self):
        """(centre ids, their latitudes and longitudes in radians (NaN for none), their ranks by id)."""
        with self._lock:
            if self._table is None or self.clock() >= self._until:
                known, points = [], []
                for cid in self.gateway.centre_ids():
                    try:
                        cfg = self.gateway.state(cid).config
                    except Refused:         # a stream that never became a centre
                        continue
                    known.append(cid)
                    points.append(cfg.location or (math.nan, math.nan))
                rad = np.radians(np.array(points, dtype=float).reshape(-1, 2))
                by_id = np.argsort(np.array(known, dtype=object)).argsort()     # ties go by id
                self._table = (known, rad[:, 0], rad[:, 1], by_id)
                self._until = self.clock() + self.ttl
            return self._table

    def summary(self, cid, now):
        """`views.center_summary` of the centre, as made within the last `ttl` seconds for a `now`
        as recent (a test's clock that jumps makes a new one); None for a stream that is no centre."""
        at = self.clock()
        held = self._summaries.get(cid)
        if held is not None and at - held[1] < self.ttl and abs(now - held[2]) < self.ttl:
            return held[0]
        try:
            with self.gateway.reading(cid) as state:
                s = views.center_summary(state, now, self.gateway.waits(state))
        except Refused:
            return None
        if len(self._summaries) >= MAX_SUMMARIES:
            self._summaries.clear()
        self._summaries[cid] = (s, at, now)
        return s

    def page(self, now, near=None, limit=None, offset=0):
        """The summaries of centres `offset` … `offset + limit` (all after `offset` without a limit),
        nearest `near` first when given (those with no location last), else in the catalogue's order."""
        stop = None if limit is None else offset + limit
        if near is None:
            return [s for s in (self.summary(cid, now) for cid in self.gateway.centre_ids()[offset:stop]) if s]
        out = []
        for cid in ranked(self.table(), near, stop)[offset:stop]:
            s = self.summary(cid, now)
            if s is not None:
                out.append({**s, "distance_m": round(distance_m(near, s["location"])) if s["location"] else None})
        # a centre moved within the TTL takes its new place
        out.sort(key=lambda s: (s["distance_m"] is None, s["distance_m"] or 0, s["id"]))
        return out


def ranked(table, near, first=None):
    """The centres' ids, nearest `near` first (ties by id; those with no location last); only the
    `first` nearest when given (chosen by a partial sort, then sorted)."""
    known, lat, lon, by_id = table
    lat0, lon0 = math.radians(near[0]), math.radians(near[1])
    h = np.sin((lat - lat0) / 2) ** 2 + math.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2
    d = np.nan_to_num(np.arcsin(np.sqrt(np.minimum(h, 1.0))), nan=np.inf)
    pick = np.arange(len(known))
    if first is not None and first < len(known):
        # every centre as near as the `first`-th nearest: ties at the cut are settled by id below
        cut = np.partition(d, first - 1)[first - 1] if first > 0 else -np.inf
        pick = np.flatnonzero(d <= cut)
    order = pick[np.lexsort((by_id[pick], d[pick]))]
    return [known[i] for i in order[:first]]


def of(app):
    """The app's `Nearby`."""
    return app.extensions["nearby"]


def init_app(app):
    gateway = app.extensions["hall"]
    app.extensions["nearby"] = found = Nearby(gateway)
    gateway.listen("invalidate", found.invalidate)

