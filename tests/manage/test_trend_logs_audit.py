"""The pieces under the dashboard: waiting counts over time, finding a moment in the log, the audit filter."""
from hall.manage.audit import select
from hall.manage.logs import events_between, seq_before
from hall.manage.trend import WaitingCounts


def ev(seq, type_, at, **facts):
    return {"seq": seq, "type": type_, "at": at, "by": "test", **facts}


def test_waiting_counts_follow_issues_calls_moves_and_the_day():
    wc = WaitingCounts()
    wc.feed([
        ev(1, "ticket_issued", 100, ticket="a", queue="general"),
        ev(2, "ticket_issued", 110, ticket="b", queue="general"),
        ev(3, "ticket_issued", 120, ticket="c", queue="tax"),
        ev(4, "ticket_called", 200, ticket="a", window=1, queue="general"),
        ev(5, "tickets_moved", 300, from_queue="general", to_queue="tax", tickets=["b"], numbers=["A002"]),
        ev(6, "ticket_transferred", 400, ticket="a", window=1, queue="tax", position="first", from_queue="general"),
        ev(7, "ticket_cancelled", 500, ticket="c"),
        ev(8, "ticket_called", 550, ticket="a", window=1, queue="tax"),
        ev(9, "ticket_called", 550, ticket="a", window=2, queue="tax"),     # a call of a called ticket: no double count
    ])
    assert [wc.at("general", t) for t in (99, 110, 199, 200, 300)] == [0, 2, 2, 1, 0]
    assert [wc.at("tax", t) for t in (120, 300, 400, 500, 550)] == [1, 2, 3, 2, 1]
    assert wc.series(["general", "tax"], 600, span_s=600, step_s=300) == {"general": [0, 0, 0], "tax": [0, 2, 1]}
    wc.feed([ev(10, "day_started", 700, day="x")])
    assert wc.at("tax", 700) == 0 and wc.seq == 10


def test_seq_before_and_events_between(hall, clock):
    for _ in range(5):
        hall.execute("east", "issue", {"queue": "general"})
        clock.advance(60)
    log = hall.events("east")
    issued = [e for e in log if e["type"] == "ticket_issued"]
    third = issued[2]
    assert seq_before(hall, "east", third["at"]) == third["seq"] - 1
    assert seq_before(hall, "east", 0) == 0
    assert seq_before(hall, "east", clock.now + 1) == log[-1]["seq"]
    got = events_between(hall, "east", issued[1]["at"], issued[4]["at"])
    assert [e["seq"] for e in got] == [e["seq"] for e in issued[1:4]]


def test_audit_select_by_window_staff_ticket_and_type():
    card = {"username": "zhang", "name": "张敏"}
    log = [
        ev(1, "window_opened", 1, window=1, staff=card, by="user:zhang"),
        ev(2, "ticket_issued", 2, ticket="t1", number="A001", queue="general", by="device:kiosk"),
        ev(3, "ticket_called", 3, ticket="t1", window=1, queue="general", number="A001", by="user:zhang"),
        ev(4, "ticket_issued", 4, ticket="t2", number="A002", queue="general", by="device:kiosk"),
        ev(5, "ticket_called", 5, ticket="t2", window=2, queue="general", number="A002", by="user:li"),
        ev(6, "window_assigned", 6, window=1, queues=["tax"], mode="ordered", by="user:boss"),
        ev(7, "tickets_moved", 7, from_queue="general", to_queue="tax", tickets=["t2"], numbers=["A002"],
           by="user:boss"),
    ]
    assert [e["seq"] for e in select(log, window=1)] == [1, 3, 6]
    assert [e["seq"] for e in select(log, staff="zhang")] == [1, 3, 6]        # 6: at zhang's window while on duty
    assert [e["seq"] for e in select(log, staff="boss")] == [6, 7]
    assert [e["seq"] for e in select(log, ticket="a002")] == [4, 5, 7]
    assert [e["seq"] for e in select(log, ticket="t1")] == [2, 3]
    assert [e["seq"] for e in select(log, types=["ticket_called"], window=2)] == [5]


def test_tick_supervises_every_centre_once(app, hall, clock):
    manage = app.extensions["manage"]
    hall.execute("west", "issue", {"queue": "tax"})
    clock.advance(1800)
    assert manage.supervise() == {"east": 0, "west": 1}
    assert manage.supervise() == {"east": 0, "west": 0}
    [a] = hall.state("west").alerts.values()
    assert a["rule"] == "wait" and [e["by"] for e in hall.events("west")][-1] == "system:supervisor"


def test_recommendations_are_cached_for_a_minute(app, hall, clock):
    manage = app.extensions["manage"]
    first = manage.recommendations("east")
    clock.advance(30)
    assert manage.recommendations("east") is first
    clock.advance(31)
    assert manage.recommendations("east")["computed_at"] == clock.now
