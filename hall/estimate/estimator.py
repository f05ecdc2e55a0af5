"""The app's estimator: one Learner per centre of a gateway, the estimates they give, the training.

The gateway owns one (`Hall.estimator`) and drives it:
- `learn(cid, events, state)` hears every event of a centre in order, under the centre's lock: the
  events this process appends (the gateway's "learn" phase, after the public cache is invalidated
  and before anything is published, so that what is pushed already knows them) and the events the
  gateway catches up on (another process's, and the tail after a snapshot at load);
- `restore(...)` installs a centre's Learner from its snapshot's learned part (persist.py) as the
  state is loaded, before the tail after the snapshot is caught up on; a snapshot without one (an
  older format) has it `rebuild` from the whole log once, apart;
- `learned(cid)` is what the gateway writes into the centre's snapshot.

`estimates(state, now)` answers the views (through `waits(state)`), cached for the state's version
and the moment (to 5 s), so that a page or a push showing many tickets pays once.

Training (model.py) is the one costly step: it runs apart (`Trainer`), never on a request; until it
is done the estimates are the calibrated projection.
"""
import copy
import logging
import threading
from collections import OrderedDict

from .. import memory
from ..core import CenterState, apply
from . import persist, training
from .learner import Learner
from .waits import estimates, following, last_event_at

log = logging.getLogger(__name__)

CACHE_SIZE = 64
MUCH_SAMPLES = 5_000        # a learner this size came from a snapshot of megabytes
PAGE = 5000
SHORT = 300             # events a learner catches up on in the loading request itself (a fraction of a
                        # second); beyond, it learns them apart and the snapshot's learner answers meanwhile


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
        self._standing_in = {}      # centre → the snapshot's learner, answering (not learning) meanwhile

    # --- what the views see ---

    def learner(self, cid):
        learner = self._learners.get(cid)
        return learner if learner is not None else self._standing_in.get(cid)

    def estimates(self, state, now=None):
        """All estimates of `state` at `now` (default: its newest event), cached."""
        learner = self.learner(state.id)
        if now is None:
            now = last_event_at(state, learner)
        key = (id(state), state.version, int(now // 5), id(learner),
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
        self._standing_in.pop(cid, None)
        self._learners.pop(cid, None)
        self._following.pop(cid, None)

    def restore(self, cid, snap, tail):
        """As the state is loaded from `snap` (None: there is none), before the `tail` events after
        it are caught up on: install the learner the snapshot carried. Returns True when done (the
        tail is then learned as it is caught up on); else what `rebuild` starts from once the state
        is loaded: None (the whole log: no snapshot, or one of an older format), or the snapshot,
        when its tail is long (its learner answers meanwhile, and learns the tail apart)."""
        if not self.learning:
            return True
        learned = (snap or {}).get("learned")
        learner = persist.load(learned) if learned is not None else None
        if learner is None:
            if snap is not None:
                log.info("the snapshot of %s holds nothing the estimate learned (an older format, or "
                         "written by a gateway that does not learn): "
                         "learning it from the whole log once, %s", cid,
                         "in the background" if self.background else "now")
            return None
        if self.background and tail > SHORT:
            self._standing_in[cid] = learner
            # the live state was made from this same dict and will change it as the tail is applied
            return {**snap, "state": copy.deepcopy(snap["state"])}
        self.install(cid, learner)
        return True

    def learned_much(self, cid):
        """Whether the centre's learner holds many samples (its snapshot was megabytes to decode)."""
        learner = self.learner(cid)
        return learner is not None and len(learner.samples) >= MUCH_SAMPLES

    def learned(self, cid):
        """What the snapshot keeps of the centre's learner (None while it is being rebuilt)."""
        learner = self._learners.get(cid)
        return persist.dump(learner) if learner is not None else None

    def rebuild(self, hall, cid, state, start=None):
        """Bring a new Learner to the loaded `state` from the start of the log (or from the snapshot
        `start`), as if it had heard every event live; then, under the centre's lock, learn what came
        meanwhile, install it, and (from the log's start) keep it in a snapshot, so that this happens
        once. Apart (in the background) when the estimator is and it is more than SHORT events."""
        if not self.learning or cid in self._learners:
            return
        upto = state.version
        after = start["version"] if start is not None else 0

        def run():
            if start is None:
                learner, private = Learner(), CenterState(id=cid)
            else:
                learner, private = persist.load(start["learned"]), CenterState.from_dict(start["state"])
            replay_into(hall.store, learner, private, upto)
            with hall.locked(cid):         # the live state holds still: learn what came meanwhile
                if state.version > private.version:
                    replay_into(hall.store, learner, private, state.version)
                self.install(cid, learner)
                self._standing_in.pop(cid, None)
                self.rebuilding.pop(cid, None)
                if start is None and upto > 0:
                    hall.write_snapshot(state)
        if self.background and upto - after > SHORT:
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
        self._loop = main_loop() if background else None     # made with the app, in the main thread
        self.worker = training.Worker() if background else None

    def start(self, learner):
        job = learner.training_job()        # the copies: under the caller's lock
        learner.training = True

        def run():
            try:
                apart = self.worker is not None and job.fits_trees()
                offsets, model = self.worker.run(job) if apart else job()
                learner.use(model, offsets)
                memory.give_back()      # what unpickling the answer left
            except Exception:
                log.exception("training the wait estimate failed; the calibrated projection stays")
            finally:
                learner.training = False
        if self.background:
            self.last = run_beside(run, self._loop)
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


def main_loop():
    """The loop of the main thread's gevent hub when gevent has patched `threading`, else None."""
    try:
        from gevent import monkey
        if monkey.is_module_patched("threading"):
            import gevent
            return gevent.get_hub().loop
    except ImportError:
        pass
    return None


def run_beside(fn, loop=None):
    """Run `fn`, which mostly waits for another process, beside the server: under gevent, a
    greenlet of the main hub `loop` (only the main loop can watch a child process; a rebuild in
    an OS thread may be what starts a training), else an OS thread. Returns the thread, if any."""
    if loop is not None:
        import gevent
        loop.run_callback_threadsafe(gevent.spawn, fn)
        return None
    t = threading.Thread(target=fn, name="hall-training", daemon=True)
    t.start()
    return t


def replay_into(store, learner, state, upto):
    """Feed `learner` the centre's events after `state` up to seq `upto`, read in pages, as if heard live."""
    projected, sample = following(learner)
    while state.version < upto:
        page = store.read(state.id, state.version, min(PAGE, upto - state.version))
        if not page:
            break
        for e in page:
            apply(state, e)
            learner.feed([e], state, projected=projected, sample=sample)


def replay(cid, events):
    """A Learner fed `events` of a centre in order, as if it had heard them live."""
    state = CenterState(id=cid)
    learner = Learner()
    projected, sample = following(learner)
    for e in events:
        apply(state, e)
        learner.feed([e], state, projected=projected, sample=sample)
    return learner
