"""Per-day aggregates kept next to the log, so that reports read rows, not years of events.

The rows are the read model's (`hall.core.lives`): one per local day and centre, queue, window
and staff member. Each store keeps them with a *mark*: {"seq": the last event folded in,
"day_seq": the seq of that day's `day_started`, "format": lives.FORMAT}. A store adds a batch
of row increments and moves the mark in one atomic step, and only if the mark is still where the
writer read it (`add_aggregates(stream, rows, expected_seq, mark)` → False otherwise): so an
update is applied once, whoever retries it.

`Keeper` updates them as events arrive (a gateway listener, phase "record") and catches them up
from the log when they are missing, behind (a crash between an append and its update, another
process's appends) or of an older format: it replays the current day from `day_seq` to rebuild
what the fold needs to know (today's open tickets, who is at which window), then folds the events
after the mark in pages.
"""
import logging
from datetime import datetime

from ..core.clock import zone
from ..core.lives import FORMAT, Lives, merge, new_row  # noqa: F401  (new_row: for the stores)
from .base import Unavailable

log = logging.getLogger(__name__)

PAGE = 5000


def mark_seq(mark):
    return mark["seq"] if mark else 0


def added(held, row):
    """`held` (a stored row or None) plus the increment `row`. The increment is the caller's to give
    away (`Lives.take()` hands over fresh rows): it may become the held row itself."""
    return merge(held, row) if held is not None else row


def mark_of(lives):
    return {"seq": lives.seq, "day_seq": lives.day_seq, "format": FORMAT}


def rating_of(state):
    """Where a rating given before the fold began was counted, and how far its follow-up went, from the
    centre's follow-ups."""
    def find(ticket):
        for f in state.followups.values():
            if f["ticket"] == ticket:
                day = f.get("day") or datetime.fromtimestamp(f["opened_at"],
                                                             zone(state.config.timezone)).date().isoformat()
                steps = {h["step"]: h["at"] for h in f["history"]}
                settled = steps.get("rectified") or (steps.get("replied") if f.get("finding") == "unfounded" else None)
                revisit = f.get("revisit")
                return {"day": day, "queue": f["queue"], "window": f["window"], "staff": f["staff"],
                        "score": f["score"], "deadline": f["deadline"], "settled": settled is not None,
                        "settled_on_time": settled is not None and settled <= f["deadline"],
                        "revisited": revisit is not None,
                        "revisit_satisfied": revisit is not None and revisit["result"] == "satisfied"}
        return None
    return find


class Keeper:
    """Keeps a store's aggregates current; one per process, state owned by whoever made it."""

    def __init__(self, store):
        self.store = store
        self._lives = {}             # centre → the fold at the stored mark (today's lives only)

    def record(self, cid, events, state):
        """The gateway's listener: fold the appended events and store the increments. A store out of
        reach here (a failover just after the append) must not fail a command that is already kept:
        the fold is dropped, and the next event catches the aggregates up from the log."""
        try:
            self._record(cid, events, state)
        except Unavailable:
            self._lives.pop(cid, None)
            log.warning("aggregates of %s not stored now (the store is out of reach); caught up later", cid)

    def _record(self, cid, events, state):
        if state.config is None or not events:
            return
        lives = self._lives.get(cid)
        if lives is None or lives.seq != events[0]["seq"] - 1:
            self.catch_up(cid, state)
            return
        expected = lives.seq
        for e in events:
            lives.feed(e)
        if not self.store.add_aggregates(cid, lives.take(), expected, mark_of(lives)):
            self.catch_up(cid, state)        # another writer moved the mark: start again from it

    def catch_up(self, cid, state):
        """Bring the stored aggregates up to the state's version from the log."""
        for _ in range(20):
            if self._catch_up_once(cid, state):
                return
        raise RuntimeError(f"aggregates of {cid!r} could not catch up")

    def _catch_up_once(self, cid, state):
        lives = self._lives.pop(cid, None)
        mark = self.store.aggregate_mark(cid)
        if mark is not None and mark.get("format") != FORMAT:
            self.store.clear_aggregates(cid)
            mark = None
        seq = mark_seq(mark)
        if lives is not None and 0 < lives.seq <= seq:
            # another process folded (lives.seq, seq]: follow it without counting it again
            self._replay(cid, lives, lives.seq, seq)
        else:
            lives = Lives(state.config.timezone, rating_of(state))
            if seq:
                self._replay(cid, lives, max(0, mark["day_seq"] - 1), seq)
        lives.take()
        lives.seq = seq
        while lives.seq < state.version:
            expected = lives.seq
            page = self.store.read(cid, expected, min(PAGE, state.version - expected))
            if not page:
                break
            for e in page:
                lives.feed(e)
            if not self.store.add_aggregates(cid, lives.take(), expected, mark_of(lives)):
                return False
        self._lives[cid] = lives
        return True

    def _replay(self, cid, lives, after, upto):
        while after < upto:
            page = self.store.read(cid, after, min(PAGE, upto - after))
            if not page:
                break
            for e in page:
                lives.feed(e)
            after = page[-1]["seq"]

    def rows(self, cid, first_day, last_day, state):
        """Rows of the days first..last (ISO dates), caught up with `state` (hold the centre still)."""
        lives = self._lives.get(cid)
        if lives is None or lives.seq < state.version:
            self.catch_up(cid, state)
        return self.store.read_aggregates(cid, first_day, last_day)


def attach(hall):
    """A keeper for the gateway's store, fed in the listeners' "record" phase."""
    keeper = Keeper(hall.store)
    hall.listen("record", keeper.record)
    return keeper
