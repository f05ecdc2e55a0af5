"""Import the "Anonymous Bank" call-centre log (tab-separated, one row per call) as a Hall event log.

The mapping (see ../shared/data/README.md): a call is a ticket issued when it joined the queue
(`q_start`, or `vru_exit` when it did not queue) into queue `type`, with service item
`<type>-p<priority>` and class `priority` for priority 2 (`normal` for 0 and 1); it is called and
started at window `server` at `ser_start` and finished at `ser_exit`; a call that hung up while
queued is a cancelled ticket. Every agent is a window serving every queue (`longest_wait`).

The log's pitfalls, and what the import does with each:
- PHANTOM rows are not calls: skipped. HANG rows that never queued never took a ticket: skipped.
- q_start 0:00:00 means the call did not queue: it joins at vru_exit and is called at once (its
  wait is 0 whatever ser_start says; ser_start is often a second before vru_exit).
- ser_start before q_start (usually by a second): the call is made when it joined (wait 0).
- AGENT rows with ser_start 0:00:00 have no service record: the ticket leaves the queue at q_exit
  as cancelled with reason "unrecorded" (it is not a served call).
- AGENT rows with server NO_SERVER were answered by no agent: they are served at one of a few
  "无坐席" windows (numbers from 900) that open for that call only.
- Times run past midnight: a time more than 12 h before vru_entry is on the next day. The
  centre's day runs 04:00–04:00 (timezone Etc/GMT+4 over wall-clock times read as UTC), so a call
  at 00:30 belongs to the evening it started in, as in the log.
- call_id repeats across phone lines: a ticket's id is line, call id and date.
- An agent is logged in from the first call of a shift until `close_idle_s` after the last one;
  a longer gap closes the window (at the moment the gap is long enough to know it) and the next
  call opens it again. An agent starting a call before the last one ended finishes the last.

Everything goes through the real gateway (on an in-memory store), so the result is exactly the events a
hall would have written. Use `python -m hall.sim.anonbank FILE OUT.jsonl`.
"""
import csv
import heapq
import sys
from dataclasses import dataclass
from datetime import datetime, UTC

from ..core import Refused
from .engine import in_memory

CENTER = "anonbank"
TIMEZONE = "Etc/GMT+4"
DAY_START_H = 4
NO_SERVER = "NO_SERVER"
PSEUDO_FIRST = 900
HALF_DAY = 12 * 3600


@dataclass
class Call:
    id: str
    day: int                  # day of the month (the log's date column)
    type: str
    priority: int
    join: float               # epoch seconds
    called: float = None      # served calls
    finished: float = None
    left: float = None        # hung up (or unrecorded service): leaves the queue
    server: str = None
    left_reason: str = "hang_up"


def _hms(text):
    h, m, s = text.strip().split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def _midnight(date_text):
    """The log's yymmdd as epoch seconds of that date's 00:00, wall clock read as UTC."""
    yy, mm, dd = int(date_text[:2]), int(date_text[2:4]), int(date_text[4:6])
    year = 1900 + yy if yy >= 70 else 2000 + yy
    return datetime(year, mm, dd, tzinfo=UTC).timestamp(), dd


def parse_rows(rows):
    """Calls from dict rows (the file's header names); see the module doc for each pitfall."""
    calls, skipped = [], {"phantom": 0, "hang_unqueued": 0}
    for r in rows:
        outcome = r["outcome"].strip()
        if outcome == "PHANTOM":
            skipped["phantom"] += 1
            continue
        midnight, dd = _midnight(r["date"].strip())
        entry = _hms(r["vru_entry"])

        def at(text):
            t = _hms(text)
            return midnight + (t + 86400 if t < entry - HALF_DAY else t)
        queued = _hms(r["q_start"]) != 0
        if not queued and outcome != "AGENT":
            skipped["hang_unqueued"] += 1
            continue
        join = at(r["q_start"]) if queued else at(r["vru_exit"])
        c = Call(id=f"{CENTER}.{r['vru+line'].strip()}-{r['call_id'].strip()}-{r['date'].strip()}", day=dd,
                 type=r["type"].strip().lower(), priority=int(r["priority"]), join=join)
        if outcome == "AGENT" and _hms(r["ser_start"]) == 0:
            c.left, c.left_reason = (at(r["q_exit"]) if queued else join), "unrecorded"
        elif outcome == "AGENT":
            start = at(r["ser_start"])
            c.called = max(start, join) if queued else join
            c.finished = max(c.called, start + int(r["ser_time"]))
            c.server = r["server"].strip()
        else:
            c.left = max(join, at(r["q_exit"]))
        calls.append(c)
    return calls, skipped


def read_calls(path):
    with open(path, newline="", encoding="utf-8") as f:
        return parse_rows(csv.DictReader(f, delimiter="\t"))


def catalog(calls):
    """The centre's catalogue entry: a queue per call type, an item per type and priority,
    a window per agent (by name) and enough 无坐席 windows for the calls no agent took."""
    types = sorted({c.type for c in calls})
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    agents = sorted({c.server for c in calls if c.server and c.server != NO_SERVER})
    pseudo = _pseudo_windows(calls)
    windows = [{"number": i + 1, "name": a, "queues": types, "mode": "longest_wait"} for i, a in enumerate(agents)]
    windows += [{"number": PSEUDO_FIRST + k, "name": f"无坐席{k + 1}", "queues": types, "mode": "longest_wait"}
                for k in range(max(pseudo.values(), default=-1) + 1)]
    return {
        "id": CENTER, "name": "Anonymous Bank call centre", "timezone": TIMEZONE, "hours": None,
        "queues": [{"id": t, "prefix": letters[i], "name": t.upper(), "category": "specialty"}
                   for i, t in enumerate(types)],
        "items": [{"id": f"{t}-p{p}", "name": f"{t.upper()} priority {p}", "queue": t}
                  for t in types for p in (0, 1, 2)],
        "windows": windows,
    }, {a: i + 1 for i, a in enumerate(agents)}, pseudo


def _pseudo_windows(calls):
    """call id → index of the 无坐席 window that serves it (the lowest free one)."""
    free, busy, out = [], [], {}
    used = 0
    for c in sorted((c for c in calls if c.server == NO_SERVER), key=lambda c: c.called):
        while busy and busy[0][0] <= c.called:
            heapq.heappush(free, heapq.heappop(busy)[1])
        k = heapq.heappop(free) if free else used
        used = max(used, k + 1)
        out[c.id] = k
        heapq.heappush(busy, (c.finished, k))
    return out


# order of actions on the same second: free windows first, then arrivals, calls, and hang-ups last
# (a call can hang up the second it joined)
_FINISH, _CLOSE, _OPEN, _ISSUE, _CALL, _LEAVE = range(6)


def to_events(calls, close_idle_s=600):
    """The Hall event log of these calls, through the real gateway; returns (events, counts)."""
    config, numbers, pseudo = catalog(calls)
    actions = []
    shifts = {}
    for c in calls:
        actions.append((c.join, _ISSUE, c.id, c))
        if c.left is not None:
            actions.append((c.left, _LEAVE, c.id, c))
        if c.called is not None:
            n = numbers.get(c.server) if c.server != NO_SERVER else PSEUDO_FIRST + pseudo[c.id]
            actions.append((c.called, _CALL, c.id, (c, n)))
            actions.append((c.finished, _FINISH, c.id, (c, n)))
            if c.server == NO_SERVER:
                actions.append((c.called, _OPEN, c.id, n))
                actions.append((c.finished, _CLOSE, c.id, n))
            else:
                shifts.setdefault(n, []).append((c.called, c.finished))
    for n, spans in shifts.items():
        spans.sort()
        start, end = spans[0]
        for a, b in spans[1:]:
            if a > end + close_idle_s:
                actions += [(start, _OPEN, "", n), (end + close_idle_s, _CLOSE, "", n)]
                start, end = a, b
            else:
                end = max(end, b)
        actions += [(start, _OPEN, "", n), (end + close_idle_s, _CLOSE, "", n)]
    actions.sort(key=lambda a: (a[0], a[1], a[2]))
    core = in_memory(CENTER)
    core.do("configure", {"config": config}, actions[0][0] - 1 if actions else 0, "import")
    counts = {"calls": len(calls), "lost_at_day_change": 0}
    for t, kind, _, data in actions:
        _act(core, t, kind, data, counts)
    return core.log, counts


def _act(core, t, kind, data, counts):
    s = core.state
    try:
        if kind == _ISSUE:
            c = data
            core.do("issue", {"ticket_id": c.id, "queue": c.type, "item": f"{c.type}-p{c.priority}",
                              "priority": "priority" if c.priority == 2 else "normal", "channel": "phone"},
                    t, "import")
        elif kind == _LEAVE:
            tk = s.tickets.get(data.id)
            if tk is not None and tk.status == "waiting":
                core.do("cancel", {"ticket": data.id, "reason": data.left_reason}, t, "import")
        elif kind == _OPEN:
            if s.windows[data].state != "open":
                core.do("open", {"window": data, "staff": {"username": s.windows[data].name}}, t, "import")
        elif kind == _CLOSE:
            w = s.windows[data]
            if w.ticket is not None:
                core.do("finish", {"window": data}, t, "import")
            core.do("close", {"window": data}, t, "import")
        elif kind == _CALL:
            c, n = data
            tk = s.tickets.get(c.id)
            if tk is None or tk.status != "waiting":
                counts["lost_at_day_change"] += 1
                return
            if s.windows[n].state != "open":
                core.do("open", {"window": n, "staff": {"username": s.windows[n].name}}, t, "import")
            w = s.windows[n]
            if w.ticket is not None and s.tickets[w.ticket].status == "called":
                core.do("start", {"window": n}, t, "import")
            core.do("call", {"window": n, "ticket": c.id}, t, "import")
            core.do("start", {"window": n}, t, "import")
        elif kind == _FINISH:
            c, n = data
            w = s.windows[n]
            if w.ticket == c.id:
                core.do("finish", {"window": n}, t, "import")
    except Refused as e:
        counts[e.code] = counts.get(e.code, 0) + 1


def main(argv=None):
    from .run import write_log
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m hall.sim.anonbank ANONBANK.tsv OUT.jsonl", file=sys.stderr)
        return 2
    calls, skipped = read_calls(argv[0])
    events, counts = to_events(calls)
    write_log(events, argv[1])
    print(f"{len(events)} events from {len(calls)} calls ({skipped}, {counts}) → {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
