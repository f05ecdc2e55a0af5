"""What the gateway's events become on Socket.IO, in process (Flask-SocketIO's test client)."""
import json

import pytest

from hall import catalog, realtime
from tests.helpers import small_center

from .conftest import names


def args(received, name):
    return [m["args"][0] for m in received if m["name"] == name]


@pytest.fixture
def east(hall):
    hall.execute("east", "open", {"window": 1})
    return hall


@pytest.mark.parametrize("auth, reason", [
    ({}, "connect with auth"),
    ({"center": "nowhere"}, "no centre"),
    ({"center": "east", "window": 99}, "no window"),
    ({"center": "east", "window": "one"}, "no window"),
    ({"center": "east", "token": "dev_not-a-token"}, "invalid"),
])
def test_bad_connections_are_refused(app, sio_client, auth, reason):
    c = sio_client(**auth)
    assert not c.is_connected()


def test_a_token_of_another_centre_is_refused(app, sio_client, auth):
    assert not sio_client(center="west", token=auth.tokens["staff-east"]).is_connected()
    assert sio_client(center="east", token=auth.tokens["staff-east"]).is_connected()


def test_snapshot_on_connect_is_the_whole_picture(east, sio_client):
    east.execute("east", "issue", {"queue": "general"})
    c = sio_client(center="east")
    [snap] = args(c.get_received(), "snapshot")
    state = east.state("east")
    assert snap["seq"] == state.version
    assert [q["id"] for q in snap["queues"]] == ["general", "police", "tax"]
    assert snap["queues"][0]["waiting"] == 1
    assert [w["number"] for w in snap["windows"]] == [1, 2, 3]
    assert snap["windows"][0]["state"] == "open"
    assert snap["voice"] == {"lang": "zh-CN", "template": "请{ticket}号到{window}办理", "repeat": 2}
    assert snap["calls"] == []
    assert "prev" not in snap and "missed" not in snap and "tickets" not in snap


def test_a_call_reaches_the_centre_and_its_window_but_never_shows_the_ticket_id(east, sio_client):
    t = east.execute("east", "issue", {"queue": "general"})[0]
    hall_screen, window1, window2 = (sio_client(center="east"), sio_client(center="east", window=1),
                                     sio_client(center="east", window=2))
    for c in (hall_screen, window1, window2):
        c.get_received()
    east.execute("east", "call-next", {"window": 1})
    seq = east.state("east").version

    got = hall_screen.get_received()
    assert names(got) == ["call", "window", "queue", "queue"]   # the call first, then what it changed
    stamp = {"seq": seq, "prev": seq - 1}
    call, window, general, police = (m["args"][0] for m in got)
    assert call == {"ticket": "A001", "window": 1, "window_name": "1号窗口", "queue": "general",
                    "queue_name": "综合受理", "recall": False, "count": 0, "at": call["at"], "audio": call["audio"],
                    **stamp}
    assert call["audio"].startswith("/audio/zh-CN/")       # displays/voice makes it (tests/displays hear it)
    assert (window["number"], window["ticket"], window["ticket_status"], window["seq"], window["prev"]) == \
        (1, "A001", "called", seq, seq - 1)
    assert [(q["id"], q["waiting"], q["seq"], q["prev"]) for q in (general, police)] == \
        [("general", 0, seq, seq - 1), ("police", 0, seq, seq - 1)]
    in_window = window1.get_received()
    assert names(in_window) == ["call", "window"]
    assert in_window[0]["args"][0] == call and in_window[1]["args"][0]["ticket"] == "A001"
    assert window2.get_received() == []
    assert t not in json.dumps(got + in_window)


def test_a_window_change_comes_with_the_queues_it_changed(east, sio_client):
    c = sio_client(center="east")
    c.get_received()
    east.execute("east", "open", {"window": 2})
    window, *queues = (m["args"][0] for m in c.get_received())
    assert (window["number"], window["state"]) == (2, "open")
    assert window["queues"] == ["general", "tax"]              # the window's own queues, untouched
    assert [(q["id"], q["open_windows"]) for q in queues] == [("general", 2), ("tax", 1)]


def test_a_commands_messages_share_its_seq_and_chain_to_the_last(east, sio_client):
    c = sio_client(center="east")
    [snap] = args(c.get_received(), "snapshot")
    east.execute("east", "issue", {"queue": "general"})
    east.execute("east", "issue", {"queue": "general"})
    east.execute("east", "call-next", {"window": 1})
    east.execute("east", "start", {"window": 1})
    east.execute("east", "call-next", {"window": 1})     # finishes A001, calls A002: two events
    got = [(m["name"], m["args"][0]) for m in c.get_received()]
    v = snap["seq"]
    commands = []                                   # the messages of each command, in order
    for name, m in got:                             # the rule of hall/realtime.py, message by message
        if m["prev"] == v:
            commands.append([])
        else:
            assert m["seq"] == v, (name, m, v)
        commands[-1].append((name, m))
        v = m["seq"]
    assert len(commands) == 5 and v == east.state("east").version
    firsts = [c[0][0] for c in commands]
    assert firsts == ["queue", "queue", "call", "window", "call"]    # a call always goes first
    *_, last = commands
    assert last[0][1]["seq"] == last[0][1]["prev"] + 2
    assert [(m["number"], m["ticket"], m["served_today"]) for name, m in last if name == "window"] == [(1, "A002", 1)]
    assert all(len({m["seq"] for _, m in c}) == 1 for c in commands)


def test_a_recall_is_a_call_again(east, sio_client):
    east.execute("east", "issue", {"queue": "general"})
    east.execute("east", "call-next", {"window": 1})
    c = sio_client(center="east", window=1)
    c.get_received()
    east.execute("east", "recall", {"window": 1})
    got = c.get_received()
    assert names(got) == ["call"]                       # a recall changes no window and no count
    call = got[0]["args"][0]
    assert (call["ticket"], call["recall"], call["count"]) == ("A001", True, 1)


def test_a_change_nobody_sees_still_keeps_the_chain_whole(east, sio_client, auth, client):
    c = sio_client(center="east")
    c.get_received()
    r = client.post("/api/v1/centers/east/devices/status", json={"device": "printer-1", "kind": "printer",
                                                                  "status": "fault", "detail": "缺纸"},
                    headers=auth.headers("kiosk-east"))
    assert r.status_code in (200, 201, 204), r.text
    [m] = c.get_received()
    seq = east.state("east").version
    assert (m["name"], m["args"][0]) == ("seq", {"seq": seq, "prev": seq - 1})


def test_staff_hear_ticket_details_and_screens_do_not(east, sio_client, auth):
    staff = sio_client(center="east", token=auth.tokens["staff-east"])
    public = sio_client(center="east")
    east.execute("east", "issue", {"queue": "general", "item": None})
    east.execute("east", "call-next", {"window": 1})
    [snap] = args(sio_client(center="east", token=auth.tokens["bridge-east"]).get_received(), "snapshot")
    assert [t["number"] for t in snap["tickets"]] == ["A001"]
    got = staff.get_received()
    [ticket] = args(got, "ticket")
    assert (ticket["number"], ticket["status"], ticket["window"]) == ("A001", "called", 1)
    assert ticket["issued_at"] and ticket["called_at"]
    assert names(got) == ["snapshot", "queue", "call", "window", "queue", "queue", "ticket"]
    assert "ticket" not in names(public.get_received())


def test_a_snapshot_request_brings_the_calls_missed_since(east, sio_client, clock):
    for _ in range(3):
        east.execute("east", "issue", {"queue": "general"})
    east.execute("east", "call-next", {"window": 1})
    clock.advance(600)                                   # A001's call is history by now
    since = east.state("east").version
    east.execute("east", "no-show", {"window": 1})
    east.execute("east", "call-next", {"window": 1})     # A002
    east.execute("east", "recall", {"window": 1})
    c = sio_client(center="east")
    c.get_received()
    c.emit("snapshot", {"since": since})
    [snap] = args(c.get_received(), "snapshot")
    assert [(m["ticket"], m["recall"]) for m in snap["missed"]] == [("A002", False), ("A002", True)]
    assert [m["seq"] for m in snap["missed"]] == sorted(m["seq"] for m in snap["missed"])
    assert all(m["seq"] > since for m in snap["missed"])
    assert [(x["ticket"], x["status"]) for x in snap["calls"]] == [("A002", "called"), ("A001", "no_show")]
    c.emit("snapshot", {"since": "yesterday"})
    [plain] = args(c.get_received(), "snapshot")
    assert "missed" not in plain and plain["seq"] == snap["seq"]


def test_a_reconnecting_client_names_its_version_on_connect(east, sio_client):
    since = east.state("east").version
    east.execute("east", "issue", {"queue": "general"})
    east.execute("east", "call-next", {"window": 1})
    [snap] = args(sio_client(center="east", since=since).get_received(), "snapshot")
    assert [m["ticket"] for m in snap["missed"]] == ["A001"]


def test_a_new_catalogue_pushes_a_snapshot_to_every_room(east, sio_client):
    hall_screen, window3 = sio_client(center="east"), sio_client(center="east", window=3)
    hall_screen.get_received(), window3.get_received()
    changed = small_center("east", notice="今日下午系统升级，暂停办理不动产业务",
                           notice_en="System upgrade this afternoon: no real-estate services")
    catalog.load(east, catalog.parse({"centers": [changed, small_center("west")]}))
    for c in (hall_screen, window3):
        [snap] = args(c.get_received(), "snapshot")
        assert snap["notice"] == "今日下午系统升级，暂停办理不动产业务"
        assert snap["notice_en"] == "System upgrade this afternoon: no real-estate services"
        assert snap["prev"] == snap["seq"] - 1


@pytest.mark.parametrize("notice_en", ["", "   ", 42, ["x"]])
def test_an_english_notice_must_be_text(notice_en):
    with pytest.raises(catalog.ConfigError, match="notice_en"):
        catalog.parse({"centers": [small_center("east", notice_en=notice_en)]})


def test_voice_settings_come_from_the_catalogue(hall, sio_client):
    centre = small_center("east", voice={"lang": "zh-HK", "repeat": 3})
    catalog.load(hall, catalog.parse({"centers": [centre]}))
    [snap] = args(sio_client(center="east").get_received(), "snapshot")
    assert snap["voice"] == {"lang": "zh-HK", "template": "請{ticket}號到{n}號窗口辦理", "repeat": 3}


def test_a_push_that_fails_does_not_fail_the_command(east, sio_client, monkeypatch):
    def broken(*a):
        raise RuntimeError("screen trouble")
    monkeypatch.setattr(realtime, "pushes", broken)
    result, events, _ = east.execute("east", "issue", {"queue": "general"})
    assert events and east.state("east").tickets[result].number == "A001"


def test_a_client_that_asks_for_snapshots_too_often_is_not_answered_every_time(east, sio_client):
    c = sio_client(center="east")
    c.get_received()
    for _ in range(20):
        c.emit("snapshot", {})
    answered = len(args(c.get_received(), "snapshot"))
    assert answered == realtime.SNAPSHOT_BURST
