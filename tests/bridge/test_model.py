"""The centre as the bridge keeps it from Socket.IO messages, and the sequence rule."""
from firmware_bridge.model import CentreView, SeqTracker


def snapshot(seq=10):
    return {"seq": seq, "queues": [{"id": "general", "waiting": 3}, {"id": "police", "waiting": 1}],
            "windows": [{"number": 1, "name": "1号窗口", "state": "open", "ticket": None, "ticket_status": None,
                         "queues": ["general", "police"]}],
            "calls": [{"ticket": "A000", "window": 1, "window_name": "1号窗口", "status": "done"}]}


def test_the_sequence_rule():
    t = SeqTracker()
    assert t.accept({"seq": 3, "prev": 2}) == "ignore"          # nothing before the snapshot
    t.snapshot({"seq": 10})
    assert t.accept({"seq": 9, "prev": 8}) == "ignore"          # older than the snapshot
    assert t.accept({"seq": 10, "prev": 9}, call=True) == "ignore"   # the snapshot has this call
    assert t.accept({"seq": 10, "prev": 9}) == "apply"          # ... and this whole view: harmless
    assert t.accept({"seq": 12, "prev": 10}, call=True) == "apply"
    assert t.accept({"seq": 12, "prev": 10}) == "apply"         # the command's window and queue views
    assert t.accept({"seq": 12, "prev": 10}, call=True) == "ignore"  # a repeated call is never replayed
    assert t.accept({"seq": 15, "prev": 13}) == "gap"
    assert t.accept({"seq": 16, "prev": 15}) == "ignore"        # dropped until the snapshot comes
    t.snapshot({"seq": 16})
    assert t.accept({"seq": 17}) == "apply"                     # a peer without prev: newer is applied
    assert t.v == 17


def test_a_call_shows_at_once_and_the_views_that_follow_update_windows_and_queues():
    v = CentreView("east")
    v.apply_snapshot(snapshot())
    assert v.waiting_for(1) == 4
    v.apply_call({"seq": 11, "prev": 10, "ticket": "A001", "window": 1, "window_name": "1号窗口", "recall": False})
    assert v.window(1)["ticket"] == "A001" and v.window(1)["ticket_status"] == "called"
    assert [c["ticket"] for c in v.recent_calls()] == ["A001", "A000"]
    v.apply_queue({"seq": 11, "prev": 10, "id": "general", "waiting": 2})
    assert v.waiting_for(1) == 3


def test_a_window_message_is_the_whole_window():
    v = CentreView("east")
    v.apply_snapshot(snapshot())
    v.apply_window({"seq": 11, "prev": 10, "number": 1, "name": "1号窗口", "state": "paused", "ticket": None,
                    "queues": ["general", "police"]})
    assert v.window(1)["state"] == "paused"
    assert v.window(1)["queues"] == ["general", "police"]
    assert "seq" not in v.window(1)
    assert v.waiting_for(1) == 4


def test_a_finished_ticket_is_reported_once_it_is_done_and_unrated():
    v = CentreView("east")
    t = {"id": "east.x", "number": "A001", "window": 1, "status": "done", "score": None}
    assert v.apply_ticket(t) == [t]
    assert v.apply_ticket({**t, "score": 5}) == []
    assert v.apply_ticket({**t, "status": "serving"}) == []


def test_transfer_digits_follow_the_catalogue_unless_configured():
    v = CentreView("east")
    v.apply_snapshot(snapshot())
    assert v.transfer_queue(2, {}) == "police"
    assert v.transfer_queue(3, {}) is None
    assert v.transfer_queue(1, {1: "tax"}) == "tax"
