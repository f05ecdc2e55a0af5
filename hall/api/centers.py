"""Public views of the centres: waits for crowd diversion, queues, windows, items.

`GET /centers` with `near`, `limit` or `offset` builds a summary only for the page it answers: a
province has thousands of centres and a summary costs a catch-up and every queue's estimate. The
page is chosen from the centres' locations (`Locations`), read once and kept for a second.
"""
import heapq
import threading
import time

from flask import Blueprint, current_app, jsonify

from .. import views
from ..core.errors import Refused
from . import models as m
from .citizens import distance_km
from .common import hall, now
from .spec import Cached, args, declare

bp = Blueprint("api_centers", __name__)

LOCATIONS_TTL_S = 1.0       # as stale as the edge's cache may be, no more


class Locations:
    """Every centre's `[lat, lon]` (or None), re-read from the states when older than the TTL or
    when the store's centres change; the page's own centres are read fresh anyway."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._ids = None
        self._until = 0.0
        self._where = {}

    def of(self, gateway, ids):
        with self._lock:
            if ids != self._ids or self.clock() >= self._until:
                where = {}
                for cid in ids:
                    try:
                        cfg = gateway.state(cid).config
                    except Refused:         # a stream that never became a centre
                        continue
                    where[cid] = tuple(cfg.location) if cfg.location else None
                self._ids, self._where, self._until = ids, where, self.clock() + LOCATIONS_TTL_S
            return self._where


def _locations():
    found = current_app.extensions.get("centre_locations")
    if found is None:
        found = current_app.extensions.setdefault("centre_locations", Locations())
    return found


def _summaries(ids, t, near=None):
    out = []
    for cid in ids:
        try:
            with hall().reading(cid) as state:
                s = views.center_summary(state, t, hall().waits(state))
        except Refused:  # a stream that never became a centre
            continue
        if near is not None:
            s["distance_m"] = round(distance_km(near, s["location"]) * 1000) if s["location"] else None
        out.append(s)
    return out


def _nearest(near, where, stop):
    """The ids of the first `stop` centres by distance from `near` (those with no location last)."""
    def key(cid):
        loc = where[cid]
        return (0, distance_km(near, loc), cid) if loc else (1, 0.0, cid)
    return [cid for *_, cid in heapq.nsmallest(stop, map(key, where))] if stop is not None \
        else [cid for *_, cid in sorted(map(key, where))]


# the district's answers keep to the TTL whatever a client asks: they are the ones worth flooding
@bp.get("/centers")
@declare({200: m.Centers}, query=m.CentersQuery, errors=(400,), public=True, cache=Cached("district"))
def list_centers():
    """every centre with its queues' waits (crowd diversion); `near=LAT,LON` nearest first with
    `distance_m`, `limit` and `offset` page the list"""
    q, t = args(), now()
    ids = hall().centre_ids()
    if q.near is None and q.limit is None and not q.offset:
        return jsonify({"centers": _summaries(ids, t)})
    stop = None if q.limit is None else q.offset + q.limit
    if q.near is None:
        page = _summaries(ids[q.offset:stop], t)
    else:
        where = _locations().of(hall(), tuple(ids))
        page = _summaries(_nearest(q.near, where, stop)[q.offset:], t, q.near)
        # the page's centres were read fresh: one moved within the TTL takes its new place
        page.sort(key=lambda s: (s["distance_m"] is None, s["distance_m"] or 0, s["id"]))
    return jsonify({"centers": page})


@bp.get("/centers/<cid>")
@declare({200: m.Center}, errors=(404,), public=True, cache=Cached("center"))
def get_center(cid):
    """a centre: queues and windows"""
    with hall().reading(cid) as state:
        return jsonify(views.center(state, now(), hall().waits(state)))


@bp.get("/centers/<cid>/items")
@declare({200: m.Items}, errors=(404,), public=True, cache=Cached("center"))
def list_items(cid):
    """service items with their queue and required materials"""
    with hall().reading(cid) as state:
        return jsonify({"items": [views.item(state, it) for it in state.config.items.values()]})
