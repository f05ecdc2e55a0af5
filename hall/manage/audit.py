"""The audit trail (全过程留痕): a centre's events filtered by window, staff member, ticket and time. Pure."""


def _actor_is(by, staff):
    return by == staff or (isinstance(by, str) and by.partition(":")[2] == staff)


def select(events, window=None, staff=None, ticket=None, types=None):
    """The events that concern `window` (a number), `staff` (a user name: what they did, and what
    happened at a window while they were on duty there), `ticket` (an id, or a number such as
    A015: every ticket of that number in the events) and whose type is in `types`."""
    return list(matching(events, window, staff, ticket, types))


def matching(events, window=None, staff=None, ticket=None, types=None):
    """`select` over any iterable of events in log order, one event at a time (a ticket's issue
    comes before everything else about it, so its number is known in time)."""
    on_duty = {}            # window → username
    ids = ref = None
    if ticket is not None:
        ref = ticket.strip().upper()
        ids = {ticket}
    for e in events:
        if ref is not None and e["type"] == "ticket_issued" and e.get("number", "").upper() == ref:
            ids.add(e["ticket"])
        if e["type"] == "window_opened":
            card = e.get("staff") or {}
            on_duty[e["window"]] = card.get("username") or (e.get("by") or "").partition(":")[2]
        if types and e["type"] not in types:
            pass
        elif window is not None and e.get("window") != window:
            pass
        elif ids is not None and not (e.get("ticket") in ids or ids & set(e.get("tickets") or ())):
            pass
        elif staff is not None and not (_actor_is(e.get("by"), staff) or e.get("staff") == staff
                                        or (isinstance(e.get("staff"), dict) and e["staff"].get("username") == staff)
                                        or (e.get("window") is not None and on_duty.get(e["window"]) == staff)):
            pass
        else:
            yield e
        if e["type"] in ("window_closed",):
            on_duty.pop(e["window"], None)
        elif e["type"] == "day_started":
            on_duty.clear()
