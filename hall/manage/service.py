"""The managers' side of a running app: supervision every few seconds, recommendations every minute,
the queues' trends. Hangs on the app as `app.extensions["manage"]`.

`tick()` runs the `supervise` command on every centre (through the gateway, so that several
processes doing the same append it once) and refreshes recommendations that are due. A server
process (`hall serve`, `hall demo`: gevent) runs it in a background greenlet started by the app
factory; tests call `tick()` themselves with their fake clock.
"""
import logging
import threading

from ..core import CenterState, Refused
from .recommend import recommend
from .trend import Trends

log = logging.getLogger(__name__)
SUPERVISOR = "system:supervisor"


class Manage:
    def __init__(self, hall, supervise_every_s=5.0, recommend_every_s=60.0):
        self.hall = hall
        self.supervise_every_s = supervise_every_s
        self.recommend_every_s = recommend_every_s
        self.trends = Trends(hall)
        self._recs = {}             # centre → {"computed_at", "seq", "items"}
        self._lock = threading.Lock()
        self._pause = None          # gevent.sleep(0) in a gevent server: let pushes run between projections
        self.greenlet = None

    # --- supervision ---

    def supervise(self):
        """Run `supervise` on every centre; returns {centre: events appended}."""
        done = {}
        for cid in self.hall.centre_ids():
            try:
                _, events, _ = self.hall.execute(cid, "supervise", {}, by=SUPERVISOR)
            except Refused as e:
                if e.code != "unknown_center":
                    log.warning("supervising %s refused: %s", cid, e.message)
                continue
            done[cid] = len(events)
        return done

    # --- recommendations ---

    def recommendations(self, cid, fresh=False):
        """The centre's recommendations, recomputed when older than `recommend_every_s`."""
        now = self.hall.clock()
        with self._lock:
            cached = self._recs.get(cid)
        if cached is not None and not fresh and now - cached["computed_at"] < self.recommend_every_s:
            return cached
        with self.hall.reading(cid) as live:
            # decide on a copy: the live state moves on while the projections run
            state = CenterState.from_dict(live.to_dict())
            learner = self.hall.estimator.learner(cid)
        items = recommend(state, now, learner.times if learner else None, pause=self._pause)
        result = {"computed_at": now, "seq": state.version, "items": items}
        with self._lock:
            self._recs[cid] = result
        return result

    def refresh_recommendations(self):
        for cid in self.hall.centre_ids():
            try:
                self.recommendations(cid)
            except Refused:
                continue

    # --- the background loop ---

    def tick(self):
        self.supervise()
        self.refresh_recommendations()

    def start(self):
        """Run `tick` every `supervise_every_s` in a greenlet (only in a gevent-patched server)."""
        import gevent
        self._pause = lambda: gevent.sleep(0)

        def loop():
            while True:
                try:
                    self.tick()
                except Exception:       # one bad tick must not end supervision
                    log.exception("manager tick failed")
                gevent.sleep(self.supervise_every_s)
        self.greenlet = gevent.spawn(loop)
        return self.greenlet
