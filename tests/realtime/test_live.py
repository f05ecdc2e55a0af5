"""Real Socket.IO clients (python-socketio over websocket) against real `hall serve` processes."""
import json
import os
import socket
import sys
import threading
import time
import urllib.request

import pytest
import socketio

from .conftest import Api


def issue_and_call(api, n, *then):
    """Issue n general tickets, then call each at window 1 followed by `then`; the numbers called."""
    for _ in range(n):
        api.issue()
    for _ in range(n):
        for command in ("call-next", *then):
            api.window(1, command)
    return [f"A{i:03d}" for i in range(1, n + 1)]


def test_refused_connections_say_why(east_server, listeners):
    lst = listeners(east_server.url, center="nowhere")
    with pytest.raises(socketio.exceptions.ConnectionError):
        lst.connect()
    assert lst.refused == {"message": "no centre 'nowhere'"}


def test_snapshot_on_connect(east_server, listeners):
    Api(east_server).issue()
    screen = listeners(east_server.url, center="east").connect()
    [snap] = screen.wait_for(lambda s: s.of("snapshot"), what="the snapshot")
    assert snap["name"] == "东区政务服务中心"
    assert snap["queues"][0]["waiting"] == 1
    assert snap["windows"][0]["state"] == "open"
    assert snap["seq"] > 0


def test_every_call_arrives_once_in_seq_order(east_server, listeners):
    api = Api(east_server)
    screens = [listeners(east_server.url, center="east").connect() for _ in range(3)]
    window1 = listeners(east_server.url, center="east", window=1).connect()
    for s in screens + [window1]:
        s.wait_for(lambda s: s.of("snapshot"))
    n = 12
    expected = issue_and_call(api, n, "start")
    for s in screens + [window1]:
        calls = s.wait_for(lambda s: len(s.calls()) >= n and s.calls(), what=f"{n} calls")
        assert [c["ticket"] for c in calls] == expected
        seqs = [c["seq"] for c in calls]
        assert seqs == sorted(set(seqs))
    final = api.http.get(api.base).json()["seq"]
    for s in screens:
        # the centre room's chain has no gap: each command starts where the last one ended
        s.wait_for(lambda s: s.events[-1][1]["seq"] == final, what=f"seq {final}")
        msgs = [d for name, d in s.events if name != "snapshot"]
        v = s.of("snapshot")[0]["seq"]
        for m in msgs:
            assert m["prev"] == v or m["seq"] == v, (m, v)
            v = m["seq"]
    assert len(window1.calls()) == n and all(c["window"] == 1 for c in window1.calls())


def test_a_client_that_was_away_gets_the_current_state_on_reconnect(east_server, listeners):
    api = Api(east_server)
    for _ in range(4):
        api.issue()
    screen = listeners(east_server.url, center="east").connect()
    screen.wait_for(lambda s: s.of("snapshot"))
    api.window(1, "call-next")
    screen.wait_for(lambda s: s.calls())
    away_at = max(d["seq"] for _, d in screen.events)
    screen.disconnect()
    for _ in range(3):                      # A002, A003, A004 are called while the screen is away
        api.window(1, "start")
        api.window(1, "call-next")

    screen.connect(since=away_at)
    snaps = screen.wait_for(lambda s: len(s.of("snapshot")) == 2 and s.of("snapshot"))
    now = snaps[1]
    assert now["windows"][0]["ticket"] == "A004"
    assert now["queues"][0]["waiting"] == 0
    assert [c["ticket"] for c in now["calls"][:4]] == ["A004", "A003", "A002", "A001"]
    assert [c["ticket"] for c in now["missed"]] == ["A002", "A003", "A004"]
    assert len(screen.calls()) == 1         # nothing replayed as a new call


@pytest.mark.parametrize("on", ["redis", "cluster"])
def test_two_processes_on_one_redis_deliver_across(hall_server, listeners, request, on):
    if on == "redis":
        first_url = second_url = request.getfixturevalue("redis_url")
    else:       # one names a node, the other every node (they may listen on different nodes)
        first_url = request.getfixturevalue("cluster_url")
        second_url = request.getfixturevalue("redis_cluster").urls
    first = hall_server(redis_url=first_url)
    second = hall_server(redis_url=second_url)  # preparing again gives users and devices new tokens: use these
    first.start()
    second.start()
    via_first, via_second = Api(first, tokens=second.tokens), Api(second, tokens=second.tokens)
    screen_on_second = listeners(second.url, center="east").connect()
    window_on_first = listeners(first.url, center="east", window=1).connect()
    for s in (screen_on_second, window_on_first):
        s.wait_for(lambda s: s.of("snapshot"))
    via_first.window(1, "open")
    via_first.issue()
    via_second.issue()
    via_first.window(1, "call-next")
    [call] = screen_on_second.wait_for(lambda s: s.calls(), what="the call made through the other process")
    assert (call["ticket"], call["window"]) == ("A001", 1)
    # each process has its own data folder, as on two machines: the one a screen is connected to
    # made the announcement too, under the path the call gave
    with urllib.request.urlopen(second.url + call["audio"], timeout=10) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "audio/wav" and r.read(4) == b"RIFF"
    via_second.window(1, "recall")
    calls = window_on_first.wait_for(lambda s: len(s.calls()) == 2 and s.calls())
    assert [(c["ticket"], c["recall"]) for c in calls] == [("A001", False), ("A001", True)]
    queue_counts = [m["waiting"] for m in screen_on_second.views("queue") if m["id"] == "general"]
    assert queue_counts[-1] == 1


class SlowScreen:
    """A screen that reads slowly: a raw WebSocket with the smallest receive buffer Linux allows,
    read one message at a time with a pause after each, in a thread of its own."""

    def __init__(self, url, center, pause_s):
        import websocket
        self.ws = websocket.create_connection(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", timeout=20,
            sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)])
        assert self.ws.recv().startswith("0")           # engine.io open
        self.ws.send("40" + json.dumps({"center": center}))
        self.pause_s = pause_s
        self.events = []
        self.final = None                               # the seq to read up to, once known
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while not (self.events and self.events[-1][1].get("seq") == self.final):
            msg = self.ws.recv()
            if msg == "2":
                self.ws.send("3")                       # engine.io ping → pong
            elif msg.startswith("42"):
                self.events.append(tuple(json.loads(msg[2:])))
            if self.final is None:
                time.sleep(self.pause_s)

    def read_up_to(self, seq, timeout=30):
        self.final = seq
        self.reader.join(timeout)
        assert not self.reader.is_alive(), f"timed out; read {[n for n, _ in self.events]}"
        return self.events


def test_a_screen_that_reads_slowly_holds_up_no_one_and_loses_nothing(hall_server, listeners):
    east_server = hall_server()
    east_server.command = [sys.executable, os.path.join(os.path.dirname(__file__), "serve_small_buffers.py")]
    east_server.start()
    api = Api(east_server)
    api.window(1, "open")
    slow = SlowScreen(east_server.url, "east", pause_s=0.005)
    screen = listeners(east_server.url, center="east").connect()
    screen.wait_for(lambda s: s.of("snapshot"))
    n = 40
    expected = issue_and_call(api, n, "start", "finish")
    assert [c["ticket"] for c in screen.wait_for(lambda s: len(s.calls()) >= n and s.calls())] == expected
    # a hundred kilobytes were pushed at a screen that took them slowly: the server kept the rest
    final = api.http.get(api.base).json()["seq"]
    events = slow.read_up_to(final)
    assert events[0][0] == "snapshot"
    assert [d["ticket"] for name, d in events if name == "call"] == expected
    v = events[0][1]["seq"]
    for name, d in events[1:]:                          # whole frames, in order, no gap
        assert d["prev"] == v or d["seq"] == v, (name, d, v)
        v = d["seq"]
