"""Reading a centre's event log by time, through the gateway: the log is ordered by `seq`, and the
time of events rises with it, so a binary search on `seq` finds where a moment begins."""
PAGE = 1000


def seq_before(hall, cid, when):
    """The `after` at which the events from `when` on start (the seq of the last event before it)."""
    with hall.reading(cid) as state:
        hi = state.version
    lo = 0
    while lo < hi:
        mid = (lo + hi) // 2
        page = hall.events(cid, mid, 1)
        if not page:
            hi = mid
        elif page[0]["at"] < when:
            lo = page[0]["seq"]
        else:
            hi = mid
    return lo


def events_between(hall, cid, start, end=None, after=None):
    """Events with start <= at < end (end None: up to now), read in pages."""
    return list(iter_between(hall, cid, start, end, after))


def iter_between(hall, cid, start, end=None, after=None):
    """The same, one page in memory at a time."""
    after = seq_before(hall, cid, start) if after is None else after
    while True:
        page = hall.events(cid, after, PAGE)
        for e in page:
            if end is not None and e["at"] >= end:
                return
            if e["at"] >= start:
                yield e
        if len(page) < PAGE:
            return
        after = page[-1]["seq"]
