"""The app's estimator: one Learner per centre of a gateway, the estimates they give, the training.

The gateway owns one (`Hall.estimator`) and drives it:
- `learn(cid, events, state)` hears every event of a centre in order, under the centre's lock: the
  events this process appends (the gateway's "learn" phase, after the public cache is invalidated
  and before anything is published, so that what is pushed already knows them) and the events the
  gateway catches up on (another process's, and the tail after a snapshot at load);
- `rebuild(...)` gives a centre a Learner that has read its whole log, as its state is loaded (apart,
  for a long log).

`estimates(state, now)` answers the views (through `waits(state)`), cached for the state's version
and the moment (to 5 s), so that a page or a push showing many tickets pays once.

Training (model.py) is the one costly step: it runs apart (`Trainer`), never on a request; until it
is done the estimates are the calibrated projection.
"""
import logging
import threading
from collections import OrderedDict

from ..core import CenterState, apply
from .learner import Learner
from .waits import estimates, following, last_event_at

log = logging.getLogger(__name__)

CACHE_SIZE = 64
PAGE = 5000
SHORT_LOG = 5000        # events a rebuild reads in the loading request itself (a fraction of a second)


class Estimator:
    """`learning=False`: no learners (a command-line gateway); the estimates then use the catalogue's
    figures and today's. `background=False` trains and rebuilds in the caller's thread (tests);
    `training=False` never trains the correction (the calibrated projection only)."""

    def __init__(self, learning=True, background=True, training=True):
        self.learning = learning
        self.training = training
        self.trainer = Trainer(background)
        self.background = background
        self._learners = {}         # centre → its Learner (absent while it is being rebuilt)
        self._following = {}        # centre → (projected, sample) for its learner's feed
        self._cache = OrderedDict()
        self._cache_lock = threading.Lock()
        self.rebuilding = {}        # centre → the thread rebuilding its learner from the log

    # --- what the views see ---

    def learner(self, cid):
        return self._learners.get(cid)

    def estimates(self, state, now=None):
        """All estimates of `state` at `now` (default: its newest event), cached."""
        learner = self._learners.get(state.id)
        if now is None:
            now = last_event_at(state, learner)
        key = (id(state), state.version, int(now // 5),
               learner.version if learner is not None else -1, state.day)
        with self._cache_lock:
            est = self._cache.get(key)
        if est is None:
            est = estimates(state, now, learner)
            with self._cache_lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.popitem(last=False)
                self._cache[key] = est
        return est

    def waits(self, state):
        """What the views are given: the state's estimates, at its last event or at a moment."""
        return Waits(self, state)

    # --- following the log ---

    def learn(self, cid, events, state):
        """Events of `cid` (already applied to `state`), in order, under the centre's lock."""
        learner = self._learners.get(cid)
        if learner is None:
            return
        projected, sample = self._following[cid]
        learner.feed(events, state, projected=projected, sample=sample)
        if self.training and learner.wants_training():
            self.trainer.start(learner)

    def install(self, cid, learner):
        learner.refit_order_daily = not self.training       # from now on the training refits it
        self._following[cid] = following(learner)
        self._learners[cid] = learner
        if self.training and learner.wants_training():
            self.trainer.start(learner)

    def forget(self, cid):
        self._learners.pop(cid, None)
        self._following.pop(cid, None)

    def rebuild(self, hall, cid, state):
        """Read the centre's whole log (up to the loaded `state`) into a new Learner, as if it had
        been heard live; then, under the centre's lock, what came meanwhile; then install it. In the
        background when the estimator is and the log is long."""
        upto = state.version

        def run():
            learner, private = replay_store(hall.store, cid, upto)
            with hall.locked(cid):         # the live state holds still: learn what came meanwhile
                if state.version > private.version:
                    projected, sample = following(learner)
                    for e in hall.store.read(cid, private.version, state.version - private.version):
                        apply(private, e)
                        learner.feed([e], private, projected=projected, sample=sample)
                self.install(cid, learner)
                self.rebuilding.pop(cid, None)
        if not self.learning or cid in self._learners:
            return
        if self.background and upto > SHORT_LOG:
            self.rebuilding[cid] = run_apart(_logged(run, cid))
        else:
            run()


class Waits:
    """A state's estimates as the views ask for them: `at()` at its last event, `at(now)` at a moment."""
    __slots__ = ("_estimator", "_state")

    def __init__(self, estimator, state):
        self._estimator, self._state = estimator, state

    def at(self, now=None):
        return self._estimator.estimates(self._state, now)


class Trainer:
    """Runs a learner's training job apart, one at a time per learner."""

    def __init__(self, background=True):
        self.background = background
        self.last = None            # the last job's thread (tests join it)

    def start(self, learner):
        job = learner.training_job()        # the copies: under the caller's lock
        learner.training = True

        def run():
            try:
                offsets, model = job()
                learner.use(model, offsets)
            except Exception:
                log.exception("training the wait estimate failed; the calibrated projection stays")
            finally:
                learner.training = False
        if self.background:
            self.last = run_apart(run)
        else:
            run()


def _logged(fn, cid):
    def run():
        try:
            fn()
        except Exception:
            log.exception("rebuilding what %s's log teaches the estimate failed", cid)
    return run


def run_apart(fn):
    """Run `fn` in an OS thread of its own, also when gevent has patched `threading` (a greenlet
    would hold the server's loop for the whole job)."""
    try:
        from gevent import monkey
        if monkey.is_module_patched("threading"):
            import gevent
            return gevent.get_hub().threadpool.spawn(fn)
    except ImportError:
        pass
    t = threading.Thread(target=fn, name="hall-estimate", daemon=True)
    t.start()
    return t


def replay_store(store, cid, upto=None):
    """(Learner, state) after every event of the centre in the store (up to seq `upto`), read in pages."""
    state = CenterState(id=cid)
    learner = Learner()
    projected, sample = following(learner)
    after = 0
    while upto is None or after < upto:
        page = store.read(cid, after, PAGE if upto is None else min(PAGE, upto - after))
        for e in page:
            apply(state, e)
            learner.feed([e], state, projected=projected, sample=sample)
        if len(page) < PAGE:
            break
        after = page[-1]["seq"]
    return learner, state


def replay(cid, events):
    """A Learner fed `events` of a centre in order, as if it had heard them live."""
    state = CenterState(id=cid)
    learner = Learner()
    projected, sample = following(learner)
    for e in events:
        apply(state, e)
        learner.feed([e], state, projected=projected, sample=sample)
    return learner
