"""The call policy of the contract: who a window calls next."""
from .state import CLASSES


def next_ticket(state, window):
    """The id of the ticket `window` should call now, or None.

    Within the window's queues a waiting `priority` ticket goes first; inside a class the
    window's mode decides: `ordered` takes its queues in the listed order, `longest_wait` the
    head that has waited longest (ties go to the earlier queue in the list).
    """
    for cls in CLASSES:
        best = None
        for q in window.queues:
            line = state.lines.get((q, cls))
            if not line:
                continue
            if window.mode == "ordered":
                return line[0]
            head = state.tickets[line[0]]
            if best is None or head.since < best.since:
                best = head
        if best is not None:
            return best.id
    return None
