"""One read model of a ticket's life, and the per-day aggregates reports, figures and trends share.

A ticket's life is read from the log once, here, with one definition of each figure:

- **wait**: from issue to its *first* call (a transfer or a recall does not add to it). It belongs
  to the queue of that call, the window that called and the staff member on duty there.
- **service**: from the start of its *last* service (`ticket_started`, or the call itself when
  nobody pressed start) to its finish. It belongs to the queue, window and staff of the finish.
- **no-show**: counted once per ticket, to the queue, window and staff of the call it missed.
- **rating**: to the queue, window and staff the rating event names, on the day of the service; a
  service counts once however many channels rated it (一次一评: the event says whether it `counts` and
  which counted score it `replaces`, `hall.core.ratings.counting`); a rating overturned on appeal
  (`followup_reviewed` with outcome `overturned`) is taken back from where it was counted.
- **差评 follow-up**: counted where its rating was (`followups`); `settled` when rectified (or, found
  unfounded, replied to), `settled_on_time` when that was by its deadline; `revisited` when its return
  visit is recorded (`revisit_satisfied` when the citizen was satisfied). An overturned rating takes
  its follow-up's counts back too.
- **arrival**: to the queue issued, the local day and hour of issue.

The staff member at a window is the one who opened it (the `staff` card of `window_opened`).

Aggregates are rows keyed (local day, kind, key) with kind one of `centre` (key ""), `queue`,
`window` (key: the number as text) and `staff` (key: the username). A row holds counts and sums
and two histograms (waits in fixed buckets, scores 1–5), so rows of any days add up (`merge`) and
percentiles come from the buckets: exact to the second under an hour, to 10 s under four hours,
to the minute beyond. `Lives.feed` emits *increments* of rows, so that a store can add them to
what it holds; `rows_of(events)` is the whole fold at once. Pure: no I/O, no clock.
"""
from dataclasses import dataclass
from datetime import datetime

from .clock import zone

FORMAT = 2                     # bump when a row's meaning changes: stored aggregates are rebuilt
KINDS = ("centre", "queue", "window", "staff")
COUNTS = ("issued", "called", "served", "no_shows", "cancelled", "transferred")
LOOP_COUNTS = ("followups", "settled", "settled_on_time", "revisited", "revisit_satisfied")
GOOD_SCORES = (3, 4, 5)        # 基本满意, 满意, 非常满意: 好评 in the national 好差评 rules
BAD_SCORE = 2
KEEP_RATED_DAYS = 100


def wait_seconds(issued_at, first_called_at):
    return first_called_at - issued_at


def service_seconds(started_at, called_at, finished_at):
    """The one definition of a service's length (the core's own per-queue figures use it too)."""
    return finished_at - (started_at or called_at or finished_at)


# --- wait buckets: fine where most waits are, coarser in the long tail ---

def bucket(seconds):
    s = max(0.0, seconds)
    if s < 3600:
        return int(s)
    if s < 14400:
        return 3600 + int((s - 3600) // 10)
    return 4680 + int((s - 14400) // 60)


def bucket_value(i):
    if i < 3600:
        return float(i)
    if i < 4680:
        return 3600.0 + (i - 3600) * 10
    return 14400.0 + (i - 4680) * 60


def new_row():
    return {"issued": 0, "called": 0, "served": 0, "no_shows": 0, "cancelled": 0, "transferred": 0,
            **{k: 0 for k in LOOP_COUNTS}, "wait_s": 0.0, "service_s": 0.0, "waits": {}, "scores": [0, 0, 0, 0, 0],
            "hours": {}, "name": None}


def merge(into, row):
    """Add `row` to `into` (both rows); returns `into`."""
    for k in COUNTS:
        into[k] += row[k]
    for k in LOOP_COUNTS:
        into[k] = into.get(k, 0) + row.get(k, 0)
    into["wait_s"] += row["wait_s"]
    into["service_s"] += row["service_s"]
    for table in ("waits", "hours"):
        dst = into[table]
        for k, n in row[table].items():
            dst[k] = dst.get(k, 0) + n
    into["scores"] = [a + b for a, b in zip(into["scores"], row["scores"])]
    if row.get("name"):
        into["name"] = row["name"]
    return into


def is_empty(row):
    return not any(row[k] for k in COUNTS) and not any(row["scores"])


def wait_percentile(row, p):
    """The p-th percentile (0..100) of a row's waits, linear between ranks, from its buckets."""
    n = row["called"]
    if not n:
        return None
    items = sorted((int(k), c) for k, c in row["waits"].items())
    rank = (n - 1) * p / 100
    lo = int(rank)
    lo_v = _value_at(items, lo)
    hi_v = _value_at(items, min(lo + 1, n - 1))
    return lo_v + (hi_v - lo_v) * (rank - lo)


def _value_at(items, rank):
    seen = 0
    for i, c in items:
        seen += c
        if seen > rank:
            return bucket_value(i)
    return bucket_value(items[-1][0])


def figures(row):
    """What a report shows of a row (rounded as the reports always have)."""
    scores = row["scores"]
    rated = sum(scores)
    called, served = row["called"], row["served"]
    p90 = wait_percentile(row, 90)
    return {
        "issued": row["issued"],
        "called": called,
        "served": served,
        "no_shows": row["no_shows"],
        "no_show_rate": _ratio(row["no_shows"], called),
        "mean_wait_s": round(row["wait_s"] / called, 1) if called else None,
        "p90_wait_s": None if p90 is None else round(p90, 1),
        "mean_service_s": round(row["service_s"] / served, 1) if served else None,
        "rated": rated,
        "rating_rate": _ratio(rated, served),
        "satisfaction": _ratio(sum(scores[s - 1] for s in GOOD_SCORES), rated),
        "mean_score": round(sum((i + 1) * c for i, c in enumerate(scores)) / rated, 2) if rated else None,
        "bad_ratings": sum(scores[:BAD_SCORE]),
        "followups": row.get("followups", 0),
        "rectified_on_time": row.get("settled_on_time", 0),
        "rectification_rate": _ratio(row.get("settled_on_time", 0), row.get("followups", 0)),
        "revisited": row.get("revisited", 0),
        "revisit_rate": _ratio(row.get("revisited", 0), row.get("followups", 0)),
        "revisit_satisfaction": _ratio(row.get("revisit_satisfied", 0), row.get("revisited", 0)),
    }


def _ratio(a, b):
    return round(a / b, 4) if b else None


@dataclass(slots=True)
class Life:
    """One ticket's life as the log tells it (today's; a day's start closes every life)."""
    id: str
    day: str
    queue: str
    issued_at: float
    item: str = None
    priority: str = None
    channel: str = None
    first_called_at: float = None
    called_at: float = None
    started_at: float = None
    window: int = None
    staff: str = None
    end: str = None              # finished, no_show, cancelled (or None while open)
    ended_at: float = None
    transfers: int = 0
    score: int = None
    no_show: bool = False


class Lives:
    """The fold of a centre's events into ticket lives and per-day row increments.

    `feed(event)` in seq order; `take()` hands over the increments since the last take.
    `rating_of(ticket)` may answer, for a rating given before these events began (a restart, a
    report of a later span), where it was counted: {"day", "queue", "window", "staff", "score"}.
    `on_line(ticket, queue, at)` hears a ticket join the line of `queue` (issued, transferred,
    moved) or leave every line (`queue` None: called, cancelled): what the dashboard's trends count.
    """

    def __init__(self, tz, rating_of=None, on_line=None):
        self.zone = zone(tz)
        self.rating_of = rating_of
        self.on_line = on_line
        self.lives = {}              # ticket id → Life (today's)
        self.staff_at = {}           # window → username on duty
        self.names = {}              # username → name
        self.rated = {}              # ticket → where its bad rating was counted (may be overturned)
        self.loops = {}              # ticket → its 差评 follow-up: where counted, deadline, what is done
        self.rows = {}               # (day, kind, key) → increments since take()
        self.seq = 0
        self.day_seq = 0             # seq of the last day_started (where a replay of today begins)

    def take(self):
        rows, self.rows = self.rows, {}
        return rows

    def _day(self, at):
        return datetime.fromtimestamp(at, self.zone).date().isoformat()

    def _row(self, day, kind, key):
        k = (day, kind, "" if key is None else str(key))
        row = self.rows.get(k)
        if row is None:
            row = self.rows[k] = new_row()
            if kind == "staff" and key in self.names:
                row["name"] = self.names[key]
        return row

    def _groups(self, day, queue=None, window=None, staff=None):
        out = [self._row(day, "centre", "")]
        for kind, key in (("queue", queue), ("window", window), ("staff", staff)):
            if key is not None:
                out.append(self._row(day, kind, key))
        return out

    def feed(self, e):
        handler = _HANDLERS.get(e["type"])
        if handler is not None:
            handler(self, e)
        self.seq = e.get("seq", self.seq)

    def feed_all(self, events):
        for e in events:
            self.feed(e)
        return self

    def _line(self, ticket, queue, at):
        if self.on_line is not None:
            self.on_line(ticket, queue, at)

    # --- the handlers ---

    def _day_started(self, e):
        self.lives.clear()
        self.staff_at.clear()
        self.day_seq = e.get("seq", 0)
        # a bad rating may be overturned weeks later; after KEEP_RATED_DAYS `rating_of` answers
        cut = self._day(e["at"] - KEEP_RATED_DAYS * 86400)
        self.rated = {t: w for t, w in self.rated.items() if w["day"] >= cut}
        self.loops = {t: w for t, w in self.loops.items() if w["day"] >= cut}

    def _window_opened(self, e):
        card = e.get("staff") or {}
        who = card.get("username") or e.get("by")
        self.staff_at[e["window"]] = who
        if card.get("name"):
            self.names[who] = card["name"]

    def _window_closed(self, e):
        self.staff_at.pop(e["window"], None)

    def _issued(self, e):
        at = e["at"]
        local = datetime.fromtimestamp(at, self.zone)
        day = local.date().isoformat()
        self.lives[e["ticket"]] = Life(id=e["ticket"], day=day, queue=e["queue"], issued_at=at, item=e.get("item"),
                                       priority=e.get("priority"), channel=e.get("channel"))
        self._line(e["ticket"], e["queue"], at)
        hour = str(local.hour)
        for row in self._groups(day, queue=e["queue"]):
            row["issued"] += 1
            row["hours"][hour] = row["hours"].get(hour, 0) + 1

    def _called(self, e):
        life = self.lives.get(e["ticket"])
        if life is None:
            return
        at = e["at"]
        self._line(life.id, None, at)
        life.called_at, life.started_at, life.queue = at, None, e["queue"]
        life.window, life.staff = e["window"], self.staff_at.get(e["window"])
        if life.first_called_at is None:
            life.first_called_at = at
            wait = wait_seconds(life.issued_at, at)
            b = str(bucket(wait))
            for row in self._groups(self._day(at), e["queue"], e["window"], life.staff):
                row["called"] += 1
                row["wait_s"] += wait
                row["waits"][b] = row["waits"].get(b, 0) + 1

    def _started(self, e):
        life = self.lives.get(e["ticket"])
        if life is not None:
            life.started_at = e["at"]

    def _finished(self, e):
        life = self.lives.get(e["ticket"])
        if life is None:
            return
        at = e["at"]
        service = service_seconds(life.started_at, life.called_at, at)
        life.end, life.ended_at = "finished", at
        for row in self._groups(self._day(at), e.get("queue") or life.queue, e["window"],
                                self.staff_at.get(e["window"])):
            row["served"] += 1
            row["service_s"] += service

    def _no_show(self, e):
        life = self.lives.get(e["ticket"])
        if life is None or life.no_show:
            return
        life.no_show, life.end, life.ended_at = True, "no_show", e["at"]
        window = e.get("window")
        for row in self._groups(self._day(e["at"]), life.queue, window, self.staff_at.get(window)):
            row["no_shows"] += 1

    def _cancelled(self, e):
        life = self.lives.get(e["ticket"])
        if life is None:
            return
        life.end, life.ended_at = "cancelled", e["at"]
        self._line(life.id, None, e["at"])
        for row in self._groups(self._day(e["at"]), life.queue):
            row["cancelled"] += 1

    def _transferred(self, e):
        life = self.lives.get(e["ticket"])
        if life is None:
            return
        for row in self._groups(self._day(e["at"]), life.queue, e.get("window"), self.staff_at.get(e.get("window"))):
            row["transferred"] += 1
        life.queue, life.transfers = e["queue"], life.transfers + 1
        life.called_at = life.started_at = None
        self._line(life.id, life.queue, e["at"])

    def _moved(self, e):
        for tid in e["tickets"]:
            life = self.lives.get(tid)
            if life is not None:
                life.queue = e["to_queue"]
                self._line(tid, life.queue, e["at"])

    def _evaluated(self, e):
        if not e.get("counts", True):
            return              # the service already counts with a score as low or lower
        life = self.lives.get(e["ticket"])
        score = e["score"]
        day = life.day if life else (e.get("day") or self._day(e["at"]))
        if life is not None:
            life.score = score
        where = {"day": day, "queue": e.get("queue"), "window": e.get("window"), "staff": e.get("staff"),
                 "score": score}
        if e.get("replaces") is not None:
            self._score({**where, "score": e["replaces"]}, -1)
        if score <= BAD_SCORE:
            self.rated[e["ticket"]] = where
        self._score(where, +1)

    def _reviewed(self, e):
        if e.get("outcome") != "overturned":
            return
        where = self.rated.pop(e["ticket"], None)
        if where is None and self.rating_of is not None:
            where = self.rating_of(e["ticket"])
        if where is not None:
            self._score(where, -1)
        loop = self._loop(e["ticket"])
        if loop is not None:
            self._count_loop(loop, "followups", -1)
            for k in LOOP_COUNTS[1:]:
                if loop.get(k):
                    self._count_loop(loop, k, -1)
            self.loops.pop(e["ticket"], None)

    # --- 差评 follow-ups ---

    def _loop(self, ticket):
        loop = self.loops.get(ticket)
        if loop is None and self.rating_of is not None:
            found = self.rating_of(ticket)
            if found is not None and found.get("deadline") is not None:
                loop = self.loops[ticket] = {k: found.get(k) for k in ("day", "queue", "window", "staff",
                                                                        "deadline", *LOOP_COUNTS[1:])}
        return loop

    def _count_loop(self, loop, key, sign):
        for row in self._groups(loop["day"], loop["queue"], loop["window"], loop["staff"]):
            row[key] = row.get(key, 0) + sign

    def _followup_opened(self, e):
        day = e.get("day") or self._day(e["at"])
        loop = self.loops[e["ticket"]] = {"day": day, "queue": e.get("queue"), "window": e.get("window"),
                                          "staff": e.get("staff"), "deadline": e.get("deadline")}
        self._count_loop(loop, "followups", +1)

    def _followup_settled(self, e):
        loop = self._loop(e["ticket"])
        if loop is None or loop.get("settled"):
            return
        loop["settled"] = True
        self._count_loop(loop, "settled", +1)
        if loop.get("deadline") is None or e["at"] <= loop["deadline"]:
            loop["settled_on_time"] = True
            self._count_loop(loop, "settled_on_time", +1)

    def _followup_revisited(self, e):
        loop = self._loop(e["ticket"])
        if loop is None or loop.get("revisited"):
            return
        loop["revisited"] = True
        self._count_loop(loop, "revisited", +1)
        if e.get("result") == "satisfied":
            loop["revisit_satisfied"] = True
            self._count_loop(loop, "revisit_satisfied", +1)

    def _score(self, where, sign):
        for row in self._groups(where["day"], where["queue"], where["window"], where["staff"]):
            row["scores"][where["score"] - 1] += sign


_HANDLERS = {
    "day_started": Lives._day_started,
    "window_opened": Lives._window_opened,
    "window_closed": Lives._window_closed,
    "ticket_issued": Lives._issued,
    "ticket_called": Lives._called,
    "ticket_started": Lives._started,
    "ticket_finished": Lives._finished,
    "ticket_no_show": Lives._no_show,
    "ticket_cancelled": Lives._cancelled,
    "ticket_transferred": Lives._transferred,
    "tickets_moved": Lives._moved,
    "ticket_evaluated": Lives._evaluated,
    "followup_reviewed": Lives._reviewed,
    "followup_opened": Lives._followup_opened,
    "followup_rectified": Lives._followup_settled,
    "followup_replied": Lives._followup_settled,
    "followup_revisited": Lives._followup_revisited,
}


def rows_of(events, tz, rating_of=None):
    """Every row the events make, whole: {(day, kind, key): row}."""
    return Lives(tz, rating_of).feed_all(events).take()


def select(rows, first_day, last_day):
    """Rows of days first_day..last_day (ISO dates) summed per (kind, key)."""
    out = {}
    for (day, kind, key), row in rows.items():
        if first_day <= day <= last_day:
            k = (kind, key)
            if k not in out:
                out[k] = new_row()
            merge(out[k], row)
    return out
