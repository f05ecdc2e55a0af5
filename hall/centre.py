"""The gateway: the only way into a centre's state.

Load (snapshot + tail) or catch up, decide, append at the version decided on, apply, publish.
A conflict means another process moved the centre on: catch up and decide again. API views,
Socket.IO handlers, the CLI and the simulator all come through here; none of them touches a
store or folds events itself.

After each append, under the centre's lock, the listeners hear the events in named phases, in this
order: "invalidate" (caches of what the centre looked like), "learn" (the estimator), "publish"
(screens, phones, notices), "record" (what is kept from the events beside the log) — so that what is
published is answered from fresh caches and already-learned estimates, and no screen waits for the
bookkeeping that nothing published reads (the reports' aggregates: a Redis round trip or two). Within
a phase, listeners run in the order they were registered (`listen(phase, fn)`).

Only centres that exist in the store get a state and a lock: an id of the wrong shape, or of no
centre, is answered 404 at no cost, so that anonymous lookups cannot grow the process.
"""
import logging
import re
import secrets
import threading
import time
from contextlib import contextmanager

from . import memory
from .core import decide, apply, CenterState, Refused
from .core import district as district_core
from .core.config import ID_RE
from .core import ratings
from .core.errors import not_found
from .estimate import Estimator
from .store import Conflict, Unavailable
from .store.base import SNAPSHOT_FORMAT, STATE_FORMATS

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
PHASES = ("invalidate", "learn", "publish", "record")
CENTRE_ID = re.compile(ID_RE.pattern.strip("^$"))          # the catalogue's shape of a centre id
TICKET_ID = re.compile(rf"({CENTRE_ID.pattern})\.[A-Za-z0-9_-]{{1,64}}")   # <centre>.<token>


class Hall:
    def __init__(self, store, clock=time.time, snapshot_every=1000, estimator=None):
        """`estimator`: what learns from the centres' logs (default: one that does not learn, for a
        command-line gateway; the app gives one that does)."""
        self.store = store
        self.clock = clock
        self.snapshot_every = snapshot_every
        self.estimator = estimator if estimator is not None else Estimator(learning=False)
        self._phases = {phase: [] for phase in PHASES}
        self._states = {}
        self._snapshotted = {}
        self._locks = {}                    # centre → its lock: only centres that exist in the store
        self._locks_lock = threading.Lock()
        self._known = frozenset()           # streams of the store, as last read
        self._district = None
        self._district_lock = threading.RLock()
        self.listen("learn", self.estimator.learn)

    def listen(self, phase, fn):
        """Call `fn(centre_id, events, state)` after each append, under the centre's lock, in `phase`."""
        if phase not in self._phases:
            raise ValueError(f"no phase {phase!r}; the phases are {', '.join(PHASES)}")
        self._phases[phase].append(fn)

    # --- reading ---

    def centre_ids(self):
        return [s for s in self.store.streams() if s != district_core.STREAM]

    def _exists(self, cid):
        """Whether `cid` names a stream of the store (a centre's, or one about to be)."""
        if not isinstance(cid, str) or not CENTRE_ID.fullmatch(cid):
            return False
        if cid in self._known:
            return True
        self._known = frozenset(self.store.streams())
        return cid in self._known

    def locked(self, cid):
        """The lock of an existing centre (404 for any other id: nothing is made for it)."""
        lock = self._locks.get(cid)
        if lock is None:
            if not self._exists(cid) or cid == district_core.STREAM:
                raise not_found(f"no centre {cid!r}", "unknown_center")
            with self._locks_lock:
                lock = self._locks.setdefault(cid, threading.RLock())
        return lock

    def state(self, cid):
        """The centre's state, caught up with the store; Refused(404) for an unknown centre."""
        with self.locked(cid):
            state = self._caught_up(cid)
        if state.config is None:
            raise not_found(f"no centre {cid!r}", "unknown_center")
        return state

    def held(self, cid, has=None):
        """The centre's state as this process holds it, caught up with the store only when it holds
        none or `has(state)` is false: for a request's checks that a centre or a window exists
        before its command, which decides on the caught-up state and checks again. On Redis this
        spares a command a round trip per check; a centre or window another process has just
        added is still found."""
        with self.locked(cid):
            state = self._states.get(cid)
            if state is None or state.config is None or (has is not None and not has(state)):
                state = self._caught_up(cid)
        if state.config is None:
            raise not_found(f"no centre {cid!r}", "unknown_center")
        return state

    def peek(self, cid):
        """The centre's state as this process holds it, or None: without its lock or the store, for
        what only the catalogue changes (a centre's voice), read where waiting for the lock would
        hold up other work (the message queue's listener). Never for deciding or answering."""
        return self._states.get(cid)

    def waits(self, state):
        """The estimates the views show of `state` (see `hall.estimate.Estimator.waits`)."""
        return self.estimator.waits(state)

    def states(self):
        out = []
        for cid in self.centre_ids():
            try:
                out.append(self.state(cid))
            except Refused:
                continue
        return out

    @contextmanager
    def reading_ticket(self, ticket_id):
        """(state, ticket) held still, for a ticket id (its first part names its centre)."""
        m = TICKET_ID.fullmatch(ticket_id) if isinstance(ticket_id, str) else None
        try:
            lock = self.locked(m.group(1)) if m else None
        except Refused:
            lock = None
        if lock is None:
            raise not_found("no such ticket (or its day has ended)", "unknown_ticket")
        with lock:
            try:
                state = self.state(m.group(1))
            except Refused:
                state = None
            ticket = state.tickets.get(ticket_id) if state else None
            if ticket is None and state is not None and state.config is not None:
                # served on an earlier day: still shown (and rated) within the rating window
                ticket = ratings.past_ticket(state, ticket_id)
            if ticket is None:
                raise not_found("no such ticket (or its day has ended)", "unknown_ticket")
            yield state, ticket

    def events(self, cid, after=0, limit=None):
        self.state(cid)
        return self.store.read(cid, after, limit)

    # --- changing ---

    def execute(self, cid, name, args=None, by="system", view=None):
        """Decide `name` on the centre and make it so.

        Returns (result, events, shown) where `shown` is `view(state, result)` computed under the
        centre's lock, so that what the caller answers is the state its own command left.
        Listeners hear the events under the same lock, in sequence order.
        """
        args = dict(args or {})
        if name in ("issue", "check-in") and "ticket_id" not in args:
            args["ticket_id"] = f"{cid}.{secrets.token_urlsafe(12)}"
        with self._lock_for(cid, name):
            state = self._caught_up(cid)
            for _ in range(MAX_ATTEMPTS):
                try:
                    events, result = decide(state, name, args, self.clock(), by)
                except Refused as refusal:
                    if refusal.events and not self._commit(state, refusal.events):
                        continue
                    self._forget_if_new(cid)
                    raise
                if not events or self._commit(state, events):
                    break
            else:
                raise Refused("busy", "the centre is too busy right now; try again", 503)
            return result, events, (view(state, result) if view else None)

    def _lock_for(self, cid, name):
        """The centre's lock; `configure` may begin a centre (the catalogue's id, checked by the core)."""
        if name == "configure" and isinstance(cid, str) and CENTRE_ID.fullmatch(cid) \
                and cid != district_core.STREAM and not self._exists(cid):
            with self._locks_lock:
                return self._locks.setdefault(cid, threading.RLock())
        return self.locked(cid)

    def _went_back(self, cid):
        """The store holds fewer events than this process applied: a Redis failover took an append its
        replica never had (one answered 503 store_not_durable, or any with HALL_REDIS_WAIT_REPLICAS=0).
        What the store holds is the truth: forget the state, so that the next request loads it again."""
        log.warning("the store of %s went back below the version held here; reloading it", cid)
        self._states.pop(cid, None)
        self._snapshotted.pop(cid, None)
        self.estimator.forget(cid)
        raise Unavailable(f"the store of {cid!r} went back after a failover; try again")

    def _forget_if_new(self, cid):
        """A `configure` that began no centre leaves nothing behind."""
        if cid not in self._known and not self._exists(cid):
            self._states.pop(cid, None)
            self._snapshotted.pop(cid, None)
            self.estimator.forget(cid)
            with self._locks_lock:
                self._locks.pop(cid, None)

    def _commit(self, state, events):
        """Append at the state's version, apply, tell the listeners; False if another process was first."""
        try:
            seqs = self.store.append(state.id, state.version, events)
        except Conflict as c:
            if c.actual < state.version:
                self._went_back(state.id)
            self._catch_up(state)
            return False
        for e, seq in zip(events, seqs):
            e["seq"] = seq
            apply(state, e)
        self._maybe_snapshot(state)
        for phase in PHASES:
            for listener in self._phases[phase]:
                listener(state.id, events, state)
        return True

    @contextmanager
    def reading(self, cid):
        """The caught-up state, held still while the caller reads it."""
        with self.locked(cid):
            yield self.state(cid)

    # --- the district: users and devices ---

    def district(self):
        with self._district_lock:
            if self._district is None:
                self._district = district_core.District()
            for e in self.store.read(district_core.STREAM, self._district.version):
                district_core.apply(self._district, e)
            return self._district

    def execute_district(self, name, args, by="system"):
        with self._district_lock:
            for _ in range(MAX_ATTEMPTS):
                d = self.district()
                events, result = district_core.decide(d, name, args, self.clock(), by, set(self.centre_ids()))
                try:
                    seqs = self.store.append(district_core.STREAM, d.version, events)
                except Conflict as c:
                    if c.actual < d.version:        # the store went back (see _went_back): read it again
                        self._district = None
                    continue
                for e, seq in zip(events, seqs):
                    e["seq"] = seq
                    district_core.apply(d, e)
                return result
            raise Refused("busy", "the district is too busy right now; try again", 503)

    # --- loading and catching up ---

    def _caught_up(self, cid):
        state = self._states.get(cid)
        if state is None:
            state = self._load(cid)
            self._states[cid] = state
        else:
            self._catch_up(state)
        return state

    def _load(self, cid):
        """Snapshot and tail: the state, and what the estimator had learned at the snapshot, which
        then hears the tail; never the whole log (but once, apart, for a snapshot that lacks it)."""
        snap = self.store.load_snapshot(cid)
        if snap and snap.get("format") in STATE_FORMATS:
            state = CenterState.from_dict(snap["state"])
        else:
            snap, state = None, CenterState(id=cid)
        self._snapshotted[cid] = state.version
        restored = self.estimator.restore(cid, snap, self.store.version(cid) - state.version)
        read = self._catch_up(state)
        # what start-up costs grows with this count: a snapshot keeps it to the events since
        log.info("loaded %s from %s, read %d events", cid,
                 f"its snapshot at seq {snap['version']}" if snap else "no snapshot", read)
        if restored is not True:
            self.estimator.rebuild(self, cid, state, start=restored)
        del snap, restored
        if self.estimator.learned_much(cid):
            memory.give_back()      # the decoded snapshot, megabytes of text for a busy centre
        return state

    def _catch_up(self, state):
        """Apply what other processes appended since; the estimator learns from it as from our own.
        Returns how many events were read."""
        learn = self.estimator.learn
        read = 0
        for e in self.store.read(state.id, state.version):
            apply(state, e)
            learn(state.id, [e], state)
            read += 1
        return read

    def _maybe_snapshot(self, state):
        if state.version - self._snapshotted.get(state.id, 0) >= self.snapshot_every:
            self.write_snapshot(state)

    def snapshot(self, cid):
        """Write the centre's snapshot now (state and what is learned), e.g. after filling its log."""
        with self.locked(cid):
            self.write_snapshot(self._caught_up(cid))

    def write_snapshot(self, state):
        """(Under the centre's lock.)"""
        self.store.save_snapshot(state.id, {"version": state.version, "format": SNAPSHOT_FORMAT,
                                            "state": state.to_dict(),
                                            "learned": self.estimator.learned(state.id)})
        self._snapshotted[state.id] = state.version
