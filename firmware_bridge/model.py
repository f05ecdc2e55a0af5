"""What the bridge knows of a centre, kept from the hall's Socket.IO messages.

`CentreView` holds the latest window and queue views and the recent calls; the device models
read it to decide what to show. `SeqTracker` applies the contract's sequence rule (see
hall/realtime.py): a message already seen is ignored, one that leaves a gap asks for a snapshot.
"""
import collections
import threading

RECENT_CALLS = 10


class SeqTracker:
    """Which of a centre room's messages to apply (the sequence rule of hall/realtime.py).

    `v` is the version the picture holds. A message whose `prev` is v starts the next command; one
    whose `seq` is v is more of the command just applied (or a late copy of what a snapshot
    holds: views are whole, so it changes nothing); an older one is old news. A call is applied
    only when its seq is above every call already heard, so an old call is never shown again.
    Anything else means messages were lost: ask for a snapshot and drop messages until it comes.
    A message without `prev` (a peer that keeps only the contract's `seq`) is applied when it is
    not older.
    """

    def __init__(self):
        self.v = None
        self.heard = None                 # the seq of the newest call heard (or snapshot taken)
        self.resyncing = False

    def snapshot(self, msg):
        self.v = self.heard = msg.get("seq")
        self.resyncing = False

    def accept(self, msg, call=False):
        """'apply', 'ignore', or 'gap' (then ask for a snapshot with since=v)."""
        if self.resyncing or self.v is None:
            return "ignore"
        seq, prev = msg.get("seq"), msg.get("prev")
        if not isinstance(seq, int) or seq < self.v:
            return "ignore"
        if seq != self.v and prev is not None and prev != self.v:
            self.resyncing = True
            return "gap"
        self.v = seq
        if call:
            if self.heard is not None and seq <= self.heard:
                return "ignore"
            self.heard = seq
        return "apply"


class CentreView:
    def __init__(self, center):
        self.id = center
        self.lock = threading.RLock()
        self.windows = {}                 # number → views.window
        self.queues = {}                  # id → views.queue
        self.queue_order = []             # queue ids in catalogue order (keypad transfer digits)
        self.calls = collections.deque(maxlen=RECENT_CALLS)   # newest first
        self.recalls = collections.Counter()                  # window → recalls seen (the LED flashes again)
        self.recalled = {}                                    # window → whether its latest call was a recall
        self.online = False               # connected and holding a snapshot
        self.seq = None

    def apply_snapshot(self, snap):
        with self.lock:
            self.windows = {}
            for w in snap.get("windows") or ():
                self._window(w)
            qs = snap.get("queues") or ()
            self.queues = {q["id"]: q for q in qs}
            self.queue_order = [q["id"] for q in qs]
            self.calls.clear()
            for c in snap.get("calls") or ():
                self.calls.append({"ticket": c["ticket"], "window": c["window"],
                                   "window_name": c.get("window_name")})
            self.seq = snap.get("seq")
            self.online = True
        return [t for t in snap.get("tickets") or () if _finished(t)]

    def _window(self, w):
        self.windows[w["number"]] = w

    def _queue(self, q):
        self.queues[q["id"]] = q
        if q["id"] not in self.queue_order:
            self.queue_order.append(q["id"])

    def apply_center(self, center):
        """`GET /centers/<c>` (windows and queues, no recent calls): the picture without Socket.IO."""
        with self.lock:
            for w in center.get("windows") or ():
                self._window(w)
            for q in center.get("queues") or ():
                self._queue(q)
            self.online = True

    def apply_call(self, m):
        with self.lock:
            self.calls.appendleft({"ticket": m["ticket"], "window": m["window"], "window_name": m.get("window_name")})
            w = self.windows.get(m["window"])
            if w is not None:
                # the window's own message follows the call; show the call without waiting for it
                self.windows[m["window"]] = {**w, "ticket": m["ticket"], "ticket_status": "called"}
            self.recalled[m["window"]] = bool(m.get("recall"))
            if m.get("recall"):
                self.recalls[m["window"]] += 1
            self.seq = m.get("seq", self.seq)

    def apply_window(self, m):
        with self.lock:
            self._window({k: v for k, v in m.items() if k not in ("seq", "prev")})
            self.seq = m.get("seq", self.seq)

    def apply_queue(self, m):
        with self.lock:
            self._queue(m)
            self.seq = m.get("seq", self.seq)

    def apply_ticket(self, m):
        """A ticket at (or just leaving) a window; returns it if its service just finished."""
        return [m] if _finished(m) else []

    def window(self, number):
        with self.lock:
            return self.windows.get(number)

    def waiting_for(self, number):
        """How many wait in the queues window `number` serves (None if not known)."""
        with self.lock:
            w = self.windows.get(number)
            if w is None:
                return None
            return sum((self.queues.get(q) or {}).get("waiting") or 0 for q in w.get("queues") or ())

    def recent_calls(self):
        with self.lock:
            return list(self.calls)

    def transfer_queue(self, digit, configured):
        """The queue a keypad's transfer digit names: the configured map, else the catalogue's order."""
        if digit in configured:
            return configured[digit]
        with self.lock:
            return self.queue_order[digit - 1] if 1 <= digit <= len(self.queue_order) else None


def _finished(t):
    return t.get("status") == "done" and t.get("window") is not None and t.get("score") is None and t.get("id")
