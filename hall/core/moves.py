"""A manager's bulk move: waiting tickets from one queue to another, keeping their ids and numbers.

`take` says which end of the source's call order the `count` tickets come from ("first": those
who have waited longest; "last": the newest); all of them when `count` is None. In the target
each keeps its class and takes its place by how long it has waited (its `since`), so that nobody
who came earlier is overtaken by the move, and nobody moved loses the time already waited.
"""
from .errors import bad_input, conflict, not_found
from .state import CLASSES

TAKES = ("first", "last")


def move(state, at, by, from_queue, to_queue, count=None, take="first"):
    queues = state.config.queues
    for q in (from_queue, to_queue):
        if not isinstance(q, str) or q not in queues:
            raise not_found(f"no queue {q!r} in this centre", "unknown_queue")
    if from_queue == to_queue:
        raise bad_input("the two queues are the same")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise bad_input("count must be a whole number of at least 1, or absent for all")
    if take not in TAKES:
        raise bad_input("take must be 'first' or 'last'")
    order = [tid for c in CLASSES for tid in state.line(from_queue, c)]
    if not order:
        raise conflict(f"nobody waits in {queues[from_queue].name}", "nobody_waiting")
    chosen = order if count is None else (order[:count] if take == "first" else order[-count:])
    return [{"type": "tickets_moved", "at": at, "by": by, "from_queue": from_queue, "to_queue": to_queue,
             "tickets": chosen, "numbers": [state.tickets[t].number for t in chosen]}], len(chosen)


def merge_position(line, tickets, since):
    """Where a ticket that has waited since `since` goes in `line`: after everyone who came no later."""
    for i, tid in enumerate(line):
        if tickets[tid].since > since:
            return i
    return len(line)


def _moved(s, e):
    for tid in e["tickets"]:
        t = s.tickets[tid]
        s.lines[(t.queue, t.priority)].remove(tid)
        t.queue = e["to_queue"]
        line = s.lines.setdefault((t.queue, t.priority), [])
        line.insert(merge_position(line, s.tickets, t.since), tid)


APPLY = {"tickets_moved": _moved}
COMMANDS = {"move": move}
