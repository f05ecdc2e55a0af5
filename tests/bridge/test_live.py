"""The bridge's Socket.IO side against a small real python-socketio server speaking the contract.

The hall's own server is exercised end to end in test_end_to_end.py; here a server we control
sends what the hall rarely does on cue: a gap in `seq`, a repeated call, a dropped connection.
"""
import json
import threading

import pytest
import socketio
from werkzeug.serving import make_server

from firmware_bridge.hall_api import HallApi
from firmware_bridge.live import LiveLink
from firmware_bridge.model import CentreView
from tests.helpers import free_port, wait_until


def window(state="open", ticket=None, status=None, seq=None, prev=None):
    w = {"number": 1, "name": "1号窗口", "state": state, "ticket": ticket, "ticket_status": status,
         "queues": ["general"]}
    if seq is not None:
        w.update(seq=seq, prev=prev)
    return w


class ContractServer:
    """Socket.IO as CONTRACT.md describes it, and GET /api/v1/centers/east beside it."""

    def __init__(self):
        self.sio = socketio.Server(async_mode="threading")
        self.app = socketio.WSGIApp(self.sio, self.http)
        self.refuse_socketio = False
        self.http_status = 200
        self.auths, self.snapshot_requests, self.sids = [], [], []
        self.picture = {"seq": 10, "windows": [window()], "queues": [{"id": "general", "waiting": 2}], "calls": []}
        self.sio.on("connect", self.on_connect)
        self.sio.on("snapshot", self.on_snapshot)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.httpd = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def http(self, environ, start_response):
        if environ["PATH_INFO"] != "/api/v1/centers/east" or self.http_status != 200:
            start_response(f"{self.http_status if self.http_status != 200 else 404} Nope",
                           [("Content-Type", "application/json")])
            return [b'{"error": {"code": "nope", "message": "nope"}}']
        start_response("200 OK", [("Content-Type", "application/json")])
        body = {"id": "east", "queues": [{"id": "general", "waiting": 6}], "windows": [window(state="paused")]}
        return [json.dumps(body).encode()]

    def on_connect(self, sid, environ, auth):
        if self.refuse_socketio:
            return False
        self.auths.append(auth)
        self.sids.append(sid)
        self.sio.emit("snapshot", self.picture, to=sid)

    def on_snapshot(self, sid, data):
        self.snapshot_requests.append(data)
        self.sio.emit("snapshot", self.picture, to=sid)

    def emit(self, name, payload):
        self.sio.emit(name, payload)

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture
def server():
    s = ContractServer()
    yield s
    s.stop()


@pytest.fixture
def link(server):
    view = CentreView("east")
    seen = {"changes": 0, "finished": [], "online": []}

    def changed():
        seen["changes"] += 1
    lk = LiveLink(server.url, "east", "dev_token", view, changed,
                  lambda c, t: seen["finished"].append(t["id"]), lambda c, on: seen["online"].append(on),
                  reconnect_max_s=0.2)
    lk.seen = seen
    lk.start()
    wait_until(lambda: view.online and lk.counters["connects"] == 1, what="the first snapshot")
    yield lk
    lk.stop()


def test_connects_with_the_centre_and_the_bridge_token(server, link):
    assert server.auths == [{"center": "east", "token": "dev_token"}]
    assert link.view.waiting_for(1) == 2
    assert link.seen["online"] == [True]


def test_a_gap_asks_for_a_snapshot_and_drops_messages_until_it_comes(server, link):
    server.emit("window", window(state="paused", seq=11, prev=10))
    wait_until(lambda: link.view.window(1)["state"] == "paused", what="the window message")
    # seq 12 was lost: the call with prev 12 must not be applied, a snapshot is asked for instead
    server.picture = {**server.picture, "seq": 13,
                      "windows": [window(ticket="A007", status="called")],
                      "calls": [{"ticket": "A007", "window": 1, "window_name": "1号窗口"}]}
    server.emit("call", {"ticket": "A007", "window": 1, "window_name": "1号窗口", "recall": False,
                         "seq": 13, "prev": 12})
    wait_until(lambda: server.snapshot_requests, what="the snapshot request")
    assert server.snapshot_requests == [{"since": 11}]
    wait_until(lambda: link.view.window(1)["ticket"] == "A007", what="the snapshot applied")
    assert link.counters["gaps"] == 1
    assert [c["ticket"] for c in link.view.recent_calls()] == ["A007"]


def test_an_old_call_is_never_applied_twice(server, link):
    call = {"ticket": "A001", "window": 1, "window_name": "1号窗口", "recall": False, "seq": 11, "prev": 10}
    server.emit("call", call)
    server.emit("call", call)
    server.emit("queue", {"id": "general", "waiting": 1, "seq": 12, "prev": 11})
    wait_until(lambda: link.view.waiting_for(1) == 1, what="the queue message")
    assert [c["ticket"] for c in link.view.recent_calls()] == ["A001"]
    assert link.counters["ignored"] == 1


def test_a_finished_ticket_is_passed_on_for_the_evaluator(server, link):
    server.emit("ticket", {"id": "east.t1", "number": "A001", "status": "done", "window": 1, "score": None,
                           "seq": 11, "prev": 10})
    wait_until(lambda: link.seen["finished"] == ["east.t1"], what="the finished ticket")


def test_a_dropped_connection_is_noticed_and_made_again(server, link):
    connects, seen = link.counters["connects"], len(link.seen["online"])
    server.sio.disconnect(server.sids[-1])
    # a loaded machine may add reconnects of its own; what matters is offline, then online again
    wait_until(lambda: link.seen["online"][seen:][:1] == [False], what="offline noticed")
    wait_until(lambda: link.seen["online"][-1:] == [True] and link.counters["connects"] > connects,
               timeout=15, what="online again over a new connection")
    assert link.view.online


def test_when_socketio_will_not_connect_the_picture_comes_over_http(server):
    server.refuse_socketio = True
    view = CentreView("east")
    online = []
    lk = LiveLink(server.url, "east", "dev_token", view, lambda: None, lambda c, t: None,
                  lambda c, on: online.append(on), reconnect_max_s=0.1,
                  fetch=HallApi(server.url, {"east": "dev_token"}).center)
    lk.start()
    try:
        wait_until(lambda: view.online, what="the picture over HTTP")
        assert view.window(1)["state"] == "paused" and view.waiting_for(1) == 6
        server.http_status = 503                 # now the hall is away altogether
        wait_until(lambda: not view.online, what="offline")
        assert online[:1] == [True] and online[-1] is False and lk.counters["fallbacks"] >= 1
    finally:
        lk.stop()
