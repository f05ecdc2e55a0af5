"""The first honest estimate: people ahead, windows open for the queue, today's service times.

It knows no more than that, and says so: with no window open for a queue there is no honest
number to give, so it gives None. The full estimator (policy-aware, learned per window and
hour, with a range) replaces it behind the same functions.
"""
from ..core.state import CLASSES, OPEN, WAITING

# Today's first few services are noisy; lean on the catalogue's figure until there are more.
PRIOR_WEIGHT = 3


def service_time(state, queue):
    default = state.config.queues[queue].service_s
    n, total = state.service.get(queue, (0, 0.0))
    return (total + PRIOR_WEIGHT * default) / (n + PRIOR_WEIGHT)


def serving_windows(state, queue):
    return [w for w in state.windows.values() if w.state == OPEN and queue in w.queues]


def ahead(state, ticket):
    """Tickets of the same queue the call policy takes before this one."""
    if ticket.status != WAITING:
        return 0
    count = 0
    for cls in CLASSES:
        line = state.line(ticket.queue, cls)
        if cls == ticket.priority:
            return count + line.index(ticket.id)
        count += len(line)
    return count


def _wait(state, queue, people_ahead):
    windows = serving_windows(state, queue)
    if not windows:
        return None
    idle = sum(1 for w in windows if w.ticket is None)
    turns = max(0, people_ahead + 1 - idle)
    return round(turns * service_time(state, queue) / len(windows))


def queue_wait(state, queue):
    """Seconds a normal ticket taken now would wait; None when no window serves the queue."""
    return _wait(state, queue, state.waiting(queue))


def ticket_wait(state, ticket):
    if ticket.status != WAITING:
        return None
    return _wait(state, ticket.queue, ahead(state, ticket))
