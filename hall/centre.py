"""The gateway: the only way into a centre's state.

Load (snapshot + tail) or catch up, decide, append at the version decided on, apply, publish.
A conflict means another process moved the centre on: catch up and decide again. API views,
Socket.IO handlers, the CLI and the simulator all come through here; none of them touches a
store or folds events itself.
"""
import secrets
import threading
import time
from collections import defaultdict
from contextlib import contextmanager

from .core import decide, apply, CenterState, Refused
from .core import district as district_core
from .core.errors import not_found
from .store import Conflict
from .store.base import SNAPSHOT_FORMAT

MAX_ATTEMPTS = 20
PHASES = ("invalidate", "learn", "record", "publish")


class Hall:
    def __init__(self, store, clock=time.time, snapshot_every=1000):
        self.store = store
        self.clock = clock
        self.snapshot_every = snapshot_every
        self.listeners = []                  # fn(center_id, events, state) after each append
        self._phases = {phase: [] for phase in PHASES}
        self._states = {}
        self._snapshotted = {}
        self._locks = defaultdict(threading.RLock)
        self._district = None

    # --- reading ---

    def centre_ids(self):
        return [s for s in self.store.streams() if s != district_core.STREAM]

    def state(self, cid):
        """The centre's state, caught up with the store; Refused(404) for an unknown centre."""
        with self._locks[cid]:
            state = self._caught_up(cid)
        if state.config is None:
            raise not_found(f"no centre {cid!r}", "unknown_center")
        return state

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
        cid = str(ticket_id).partition(".")[0]
        with self._locks[cid]:
            try:
                state = self.state(cid)
            except Refused:
                state = None
            ticket = state.tickets.get(ticket_id) if state else None
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
        with self._locks[cid]:
            state = self._caught_up(cid)
            for _ in range(MAX_ATTEMPTS):
                try:
                    events, result = decide(state, name, args, self.clock(), by)
                except Refused as refusal:
                    if refusal.events and not self._commit(state, refusal.events):
                        continue
                    raise
                if not events or self._commit(state, events):
                    break
            else:
                raise Refused("busy", "the centre is too busy right now; try again", 503)
            return result, events, (view(state, result) if view else None)

    def _commit(self, state, events):
        """Append at the state's version, apply, tell the listeners; False if another process was first."""
        try:
            seqs = self.store.append(state.id, state.version, events)
        except Conflict:
            self._catch_up(state)
            return False
        for e, seq in zip(events, seqs):
            e["seq"] = seq
            apply(state, e)
        self._maybe_snapshot(state)
        for listener in self.listeners:
            listener(state.id, events, state)
        for phase in PHASES:
            for listener in self._phases[phase]:
                listener(state.id, events, state)
        return True

    def listen(self, phase, fn):
        """`fn(center_id, events, state)` after each append, under the centre's lock, phase by phase."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {', '.join(PHASES)}")
        self._phases[phase].append(fn)

    @contextmanager
    def reading(self, cid):
        """The caught-up state, held still while the caller reads it."""
        with self._locks[cid]:
            yield self.state(cid)

    # --- the district: users and devices ---

    def district(self):
        with self._locks[district_core.STREAM]:
            if self._district is None:
                self._district = district_core.District()
            for e in self.store.read(district_core.STREAM, self._district.version):
                district_core.apply(self._district, e)
            return self._district

    def execute_district(self, name, args, by="system"):
        with self._locks[district_core.STREAM]:
            for _ in range(MAX_ATTEMPTS):
                d = self.district()
                events, result = district_core.decide(d, name, args, self.clock(), by, set(self.centre_ids()))
                try:
                    seqs = self.store.append(district_core.STREAM, d.version, events)
                except Conflict:
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
        snap = self.store.load_snapshot(cid)
        if snap and snap.get("format") == SNAPSHOT_FORMAT:
            state = CenterState.from_dict(snap["state"])
        else:
            state = CenterState(id=cid)
        self._snapshotted[cid] = state.version
        self._catch_up(state)
        return state

    def _catch_up(self, state):
        for e in self.store.read(state.id, state.version):
            apply(state, e)

    def _maybe_snapshot(self, state):
        if state.version - self._snapshotted.get(state.id, 0) >= self.snapshot_every:
            self.store.save_snapshot(state.id, {"version": state.version, "format": SNAPSHOT_FORMAT,
                                                "state": state.to_dict()})
            self._snapshotted[state.id] = state.version
